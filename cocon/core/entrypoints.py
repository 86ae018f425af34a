"""Entry points on the territory's home page ("speak", "propose", "follow"…).

Modules register theirs with `register(EntryPoint(...))` in their AppConfig.ready();
the Socle registers the ones that work before any module is on.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EntryPoint:
    key: str
    title: str
    text: str
    url_name: str
    order: int = 50

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_ENTRY_POINTS: dict[str, EntryPoint] = {}


def register(entry: EntryPoint) -> None:
    _ENTRY_POINTS[entry.key] = entry


def entry_points() -> list[EntryPoint]:
    return sorted(_ENTRY_POINTS.values(), key=lambda e: (e.order, e.key))


register(
    EntryPoint(
        "find-service",
        _("Find the right service"),
        _("Who does what on the territory: organizations, services, contacts and opening hours."),
        "territory:organizations",
        order=60,
    )
)
register(
    EntryPoint(
        "follow",
        _("Follow what became of your words"),
        _("With an account, every contribution shows its status history and the answer you get."),
        "backoffice:home",
        order=70,
    )
)
register(
    EntryPoint(
        "territory",
        _("Know the territory"),
        _("Its communes and who lives there: the basis for checking who took part."),
        "territory:territory",
        order=80,
    )
)
