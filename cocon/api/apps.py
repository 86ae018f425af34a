from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "cocon.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        from cocon.api import gdpr  # noqa: F401
