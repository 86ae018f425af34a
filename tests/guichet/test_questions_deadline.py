"""Deadlines of the questions, counted in the target's opening hours with French public
holidays (fixed dates; default opening Mon-Fri 8:30-12:00 and 13:30-17:00, 7 h a day)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cocon.guichet.models import Commitment, Question
from cocon.guichet.services_questions import commitment_of, deadline_for

PARIS = ZoneInfo("Europe/Paris")
NORMAL, URGENT = Question.Urgency.NORMAL, Question.Urgency.URGENT


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def local(value: dt.datetime) -> tuple:
    value = timezone.localtime(value, PARIS)
    return (value.year, value.month, value.day, value.hour, value.minute)


def test_friday_16h_before_easter_monday_2027(guichet):
    # 1 h on Friday 26 March, Easter Monday 29 March off, 6 × 7 h from Tuesday 30 March
    # to Tuesday 6 April, then 5 h on Wednesday 7 April: 3.5 h in the morning and 1.5 h
    # after the lunch break.
    due = deadline_for(target=guichet.world.org_b, urgency=NORMAL, asked_at=at(2027, 3, 26, 16))
    assert local(due) == (2027, 4, 7, 15, 0)


def test_alsace_moselle_good_friday_does_not_count(guichet):
    guichet.commitment_b.alsace_moselle = True
    guichet.commitment_b.save()
    due = deadline_for(target=guichet.world.org_b, urgency=NORMAL, asked_at=at(2027, 3, 26, 16))
    # Good Friday (26 March) and Easter Monday are both off: the Friday hour moves to
    # Wednesday 7 April
    assert local(due) == (2027, 4, 7, 16, 0)


def test_urgent_before_easter_ends_exactly_at_closing_time(guichet):
    # 1 h on Friday, Monday off, 7 h on Tuesday 30 March: due at its closing time
    due = deadline_for(target=guichet.world.org_b, urgency=URGENT, asked_at=at(2027, 3, 26, 16))
    assert local(due) == (2027, 3, 30, 17, 0)


def test_weekend_is_skipped(guichet):
    # Monday 1 March 9:00: 6.5 h that day, 5 × 7 h to Monday 8, then 6.5 h on Tuesday 9
    due = deadline_for(target=guichet.world.org_b, urgency=NORMAL, asked_at=at(2027, 3, 1, 9))
    assert local(due) == (2027, 3, 9, 16, 30)


def test_lunch_break_is_not_counted(guichet):
    guichet.commitment_b.urgent_hours = 2
    guichet.commitment_b.save()
    due = deadline_for(target=guichet.world.org_b, urgency=URGENT, asked_at=at(2027, 3, 3, 11))
    assert local(due) == (2027, 3, 3, 14, 30)


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ((2027, 3, 6, 10, 0), (2027, 3, 9, 9, 30)),  # Saturday: from Monday's opening
        ((2027, 3, 2, 20, 0), (2027, 3, 4, 9, 30)),  # Tuesday evening: from Wednesday
        ((2027, 3, 3, 7, 0), (2027, 3, 4, 9, 30)),  # before opening: from 8:30
        ((2027, 3, 3, 12, 30), (2027, 3, 4, 14, 30)),  # during lunch: from 13:30
    ],
)
def test_asked_outside_opening_hours(guichet, asked, expected):
    # urgent = 8 working hours; a full day (8:30-12:00 + 13:30-17:00) is 7 h
    due = deadline_for(target=guichet.world.org_b, urgency=URGENT, asked_at=at(*asked))
    assert local(due) == expected


def test_urgent_and_normal_differ(guichet):
    asked = at(2027, 3, 3, 8, 30)
    normal = deadline_for(target=guichet.world.org_b, urgency=NORMAL, asked_at=asked)
    urgent = deadline_for(target=guichet.world.org_b, urgency=URGENT, asked_at=asked)
    assert local(urgent) == (2027, 3, 4, 9, 30)  # 7 h on Wednesday, 1 h on Thursday
    # 48 h = 6 days × 7 h + 6 h: Wednesday 3 → Thursday 11 March, 6 h into the day
    assert local(normal) == (2027, 3, 11, 16, 0)


def test_no_commitment_means_48_working_hours_default_opening(guichet):
    org_a = guichet.world.org_a
    assert not Commitment.objects.filter(organization=org_a).exists()
    commitment = commitment_of(org_a)
    assert commitment.pk is None and commitment.hours == 48
    due = deadline_for(target=org_a, urgency=NORMAL, asked_at=at(2027, 3, 26, 16))
    assert local(due) == (2027, 4, 7, 15, 0)


def test_organization_opening_hours_are_used(guichet):
    guichet.commitment_b.opening = {str(d): [["09:00", "17:00"]] for d in range(5)}
    guichet.commitment_b.hours = 16
    guichet.commitment_b.save()
    due = deadline_for(target=guichet.world.org_b, urgency=NORMAL, asked_at=at(2027, 3, 5, 16))
    # 1 h Friday, 8 h Monday, 7 h Tuesday → 16:00
    assert local(due) == (2027, 3, 9, 16, 0)
