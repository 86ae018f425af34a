"""The personal home ("Mon espace"): panels contributed by every module.

A provider is a function (user, grants) -> list[Panel]; modules register theirs with
`@provider`. The home shows the panels of every role the person holds, what awaits
them first (`todo` items), then useful links.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Item:
    label: str
    url: str = ""
    detail: str = ""
    todo: bool = False  # something awaits this person


@dataclass
class Panel:
    key: str
    role: str  # usager, agent, manager, direction, elu, expert, animateur, admin, platform
    title: str
    items: list[Item] = field(default_factory=list)
    empty_text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    order: int = 50

    @property
    def todo_count(self) -> int:
        return sum(1 for item in self.items if item.todo)


Provider = Callable[..., list[Panel]]
_PROVIDERS: list[Provider] = []


def provider(fn: Provider) -> Provider:
    _PROVIDERS.append(fn)
    return fn


def panels_for(user) -> list[Panel]:
    grants = user.grants
    panels: list[Panel] = []
    for fn in _PROVIDERS:
        panels.extend(fn(user, grants))
    return sorted(panels, key=lambda p: (p.order, p.title))
