from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "cocon.reports"
    label = "reports"
    verbose_name = _("Reports (Signalements)")

    def ready(self) -> None:
        from cocon.reports import gdpr, panels, receivers, rules  # noqa: F401  (registration)
