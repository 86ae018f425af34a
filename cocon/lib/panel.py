"""Panel composition of an event: how many people of each role (and agent category)
registered, wait and came, against the mix the animateur aims for, with the gap.

Pure computation (no Django): the caller counts, this module compares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PanelRow:
    key: str  # a role ("usager"), or "agent:A" for an agent category
    registered: int
    waiting: int
    present: int
    target: int | None  # None: no target for this row
    basis: int  # what the target is compared with (present once held, else registered)
    missing: int  # people still missing to reach the target (0 when met or no target)
    above: int  # people beyond the target
    is_category: bool = False

    @property
    def met(self) -> bool:
        return self.target is not None and self.missing == 0


def compose(
    roles: Iterable[str],
    counts: Mapping[str, Mapping[str, int]],
    targets: Mapping[str, int],
    *,
    held: bool,
    categories: Iterable[str] = (),
    category_counts: Mapping[str, Mapping[str, int]] | None = None,
) -> list[PanelRow]:
    """One row per role in `roles` order (then, after the "agent" row, one row per agent
    category). `counts[role]` = {"registered": n, "waiting": n, "present": n}; `targets`
    = {role: n} (missing or 0: no target). Before the event the target is compared with
    the people registered, once held with the people present."""
    rows: list[PanelRow] = []
    category_counts = category_counts or {}
    for role in roles:
        rows.append(_row(role, counts.get(role, {}), targets.get(role), held))
        if role == "agent":
            for category in categories:
                found = category_counts.get(category, {})
                if any(found.values()) or targets.get(f"agent:{category}"):
                    rows.append(
                        _row(
                            f"agent:{category}",
                            found,
                            targets.get(f"agent:{category}"),
                            held,
                            is_category=True,
                        )
                    )
    return rows


def _row(key: str, found: Mapping[str, int], target, held: bool, *, is_category=False):
    registered = int(found.get("registered", 0))
    waiting = int(found.get("waiting", 0))
    present = int(found.get("present", 0))
    target = int(target) if target else None
    basis = present if held else registered
    missing = max(0, target - basis) if target else 0
    above = max(0, basis - target) if target else 0
    return PanelRow(key, registered, waiting, present, target, basis, missing, above, is_category)


def totals(rows: Iterable[PanelRow]) -> dict[str, int]:
    """Sums over the role rows (category rows are details of the agent row)."""
    out = {"registered": 0, "waiting": 0, "present": 0, "target": 0, "missing": 0}
    for row in rows:
        if row.is_category:
            continue
        out["registered"] += row.registered
        out["waiting"] += row.waiting
        out["present"] += row.present
        out["target"] += row.target or 0
        out["missing"] += row.missing
    return out
