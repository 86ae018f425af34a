from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "cocon.processes"
    label = "processes"
    verbose_name = _("Co-construction processes (Démarches)")

    def ready(self) -> None:
        from cocon.processes import gdpr, jobs, panels, rules  # noqa: F401  (registration)
