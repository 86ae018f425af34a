"""What Signalements adds to the home page: the entry point "Report a problem"."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from cocon.core.entrypoints import EntryPoint, register

register(
    EntryPoint(
        "report",
        gettext_lazy("Report a problem"),
        gettext_lazy(
            "A pothole, a broken street lamp, an illegal dump: place it on the map, it goes "
            "to the service in charge there, and you follow what is done on the public map."
        ),
        "reports:new",
        order=15,
    )
)
