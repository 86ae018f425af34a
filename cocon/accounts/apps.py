from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cocon.accounts"
    label = "accounts"
    verbose_name = _("People and roles")

    def ready(self):
        from cocon.accounts import gdpr, rules  # noqa: F401  (registers rules and exporters)
