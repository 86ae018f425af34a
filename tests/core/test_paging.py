"""CappedPaginator: counts at most `cap` rows and says so."""

from __future__ import annotations

import pytest

from cocon.accounts.models import User
from cocon.core.paging import CappedPaginator


@pytest.mark.django_db
def test_counts_up_to_the_cap(django_assert_num_queries):
    for n in range(7):
        User.objects.create_user(email=f"p{n}@test.fr", full_name=f"P {n}")
    qs = User.objects.order_by("pk")
    paginator = CappedPaginator(qs, 2, cap=5)
    with django_assert_num_queries(1):
        assert paginator.count == 5
    assert paginator.capped
    assert paginator.num_pages == 3
    assert [u.email for u in paginator.page(3).object_list] == ["p4@test.fr"]
    exact = CappedPaginator(qs, 2, cap=7)
    assert exact.count == 7 and not exact.capped
