from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BarometerConfig(AppConfig):
    name = "cocon.barometer"
    label = "barometer"
    verbose_name = _("Satisfaction barometer (Baromètre)")

    def ready(self) -> None:
        from cocon.barometer import gdpr, panels, rules  # noqa: F401  (registration)
