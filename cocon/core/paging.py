"""Pagination for long lists whose exact count costs more than the page itself."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` rows (`SELECT COUNT(*) FROM (… LIMIT cap + 1)`): over 100,000
    visible ideas an exact count reads every row the filters keep, whereas people never
    page that far — past the cap they refine the search. `capped` tells the template to
    say "more than N"."""

    def __init__(self, object_list, per_page, *, cap: int = 10_000, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):  # counting needs no order: let the planner choose
            rows = rows.order_by()
        n = rows[: self.cap + 1].count()
        self.capped = n > self.cap
        return min(n, self.cap)
