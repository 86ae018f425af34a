from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "cocon.territory"
    label = "territory"
    verbose_name = _("Territory and organizations")

    def ready(self):
        from cocon.territory import rules  # noqa: F401  (registers permission rules)
