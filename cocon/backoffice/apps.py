from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "cocon.backoffice"
    label = "backoffice"
    verbose_name = _("Back office")

    def ready(self):
        from cocon.backoffice import providers  # noqa: F401  (registers the Socle panels)
