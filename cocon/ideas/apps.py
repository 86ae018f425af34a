from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "cocon.ideas"
    label = "ideas"
    verbose_name = _("Idea box and démineurs (Idées)")

    def ready(self) -> None:
        from cocon.ideas import gdpr, panels, rules  # noqa: F401  (registration)
