"""The network's commitment settings read as working-hour opening intervals."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cocon.guichet.models import Commitment


def test_default_opening_is_weekdays_with_lunch_break(guichet):
    opening = guichet.commitment_b.opening_hours()
    assert sorted(opening) == [0, 1, 2, 3, 4]
    assert opening[4] == [(dt.time(8, 30), dt.time(12)), (dt.time(13, 30), dt.time(17))]


def test_invalid_opening_and_urgent_longer_than_normal_are_refused(world):
    bad = Commitment(organization=world.org_a, opening={"0": [["17:00", "08:00"]]})
    with pytest.raises(ValidationError) as err:
        bad.full_clean()
    assert "opening" in err.value.message_dict
    slow = Commitment(organization=world.org_a, hours=8, urgent_hours=24)
    with pytest.raises(ValidationError) as err:
        slow.full_clean()
    assert "urgent_hours" in err.value.message_dict
