"""Explaining the unmet targets of a stratified draw, and what would meet them.

Pure Python (no Django): `cocon.lib.draw` reports, per attribute and value, how far the
selection is from the quota (`DrawResult.gaps`); the call's page tells the managers,
before they confirm the draw, which quotas are not met, how many approved candidates
the pool holds for each, and two ways to meet them: aim at fewer seats for that value
(at most the candidates available), or find the missing candidates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Gap:
    attribute: str
    value: str
    quota: int
    achieved: int
    available: int
    """Approved candidates of the pool holding this value."""

    @property
    def missing(self) -> int:
        """Seats aimed at but not filled with this value."""
        return self.quota - self.achieved

    @property
    def candidates_needed(self) -> int:
        """Additional approved candidates needed to fill the quota (0: the pool has
        enough, the greedy procedure missed it because attributes are correlated)."""
        return max(0, self.quota - self.available)

    def max_share(self, seats: int) -> int:
        """The largest whole percentage of the seats this value can fill now."""
        return (100 * min(self.available, self.quota)) // seats if seats else 0


def unmet(
    gaps: Mapping[str, Mapping[str, int]],
    quotas: Mapping[str, Mapping[str, int]],
    achieved: Mapping[str, Mapping[str, int]],
    available: Mapping[str, Mapping[str, int]],
) -> list[Gap]:
    """The quotas not met, in attribute then value order."""
    report = []
    for attribute, values in gaps.items():
        for value, gap in sorted(values.items()):
            if gap < 0:
                report.append(
                    Gap(
                        attribute=attribute,
                        value=value,
                        quota=quotas[attribute].get(value, 0),
                        achieved=achieved[attribute].get(value, 0),
                        available=available.get(attribute, {}).get(value, 0),
                    )
                )
    return report


def expected_days(elapsed_days: int, days_per_month: float, months: int) -> float:
    """Days of mission expected after `elapsed_days` of a commitment of `days_per_month`
    for `months` months (a month counted as 365.25 / 12 days, never beyond the end)."""
    if elapsed_days <= 0:
        return 0.0
    elapsed_months = min(float(months), elapsed_days / (365.25 / 12))
    return round(elapsed_months * float(days_per_month), 1)
