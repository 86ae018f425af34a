from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoicesConfig(AppConfig):
    name = "cocon.voices"
    label = "voices"
    verbose_name = _("Voices (Paroles)")

    def ready(self) -> None:
        from cocon.voices import gdpr, panels, rules  # noqa: F401  (registration)
