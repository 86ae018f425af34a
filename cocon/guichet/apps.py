from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuichetConfig(AppConfig):
    name = "cocon.guichet"
    label = "guichet"
    verbose_name = _("Multi-service counter (Guichet polyvalent)")

    def ready(self) -> None:
        from cocon.guichet import gdpr, jobs, panels, rules  # noqa: F401  (registration)
