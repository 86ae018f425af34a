from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from cocon.lib.workdays import (
    add_working_days,
    add_working_hours,
    easter_sunday,
    french_public_holidays,
    is_working_day,
    working_days_between,
    working_hours_between,
)

D = date.fromisoformat


def paris():
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        return zoneinfo.ZoneInfo("Europe/Paris")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone database")


# --- Easter and public holidays ------------------------------------------------------


@pytest.mark.parametrize(
    "year,easter",
    [
        (2024, "2024-03-31"),
        (2025, "2025-04-20"),
        (2026, "2026-04-05"),
        (2027, "2027-03-28"),
        (2008, "2008-03-23"),
        (2011, "2011-04-24"),
        (2019, "2019-04-21"),
        (2038, "2038-04-25"),  # latest possible date
        (2285, "2285-03-22"),  # earliest possible date
        (1818, "1818-03-22"),
    ],
)
def test_easter_reference_dates(year, easter):
    assert easter_sunday(year) == D(easter)


def _easter_lichtenberg(year):
    """Gauss's Easter formula with Lichtenberg's corrections: an independent algorithm."""
    k = year // 100
    m = 15 + (3 * k + 3) // 4 - (8 * k + 13) // 25
    s = 2 - (3 * k + 3) // 4
    a = year % 19
    d = (19 * a + m) % 30
    r = (d + a // 11) // 29
    og = 21 + d - r
    sz = 7 - (year + year // 4 + s) % 7
    oe = 7 - (og - sz) % 7
    return date(year, 3, 1) + timedelta(days=og + oe - 1)


def test_easter_agrees_with_an_independent_algorithm_over_the_gregorian_calendar():
    for year in range(1583, 4100):
        easter = easter_sunday(year)
        assert easter == _easter_lichtenberg(year), year
        assert easter.weekday() == 6
        assert D(f"{year}-03-22") <= easter <= D(f"{year}-04-25")


def test_metropolitan_holidays_2026_with_french_names():
    assert french_public_holidays(2026) == {
        D("2026-01-01"): "Jour de l'an",
        D("2026-04-06"): "Lundi de Pâques",
        D("2026-05-01"): "Fête du Travail",
        D("2026-05-08"): "Victoire 1945",
        D("2026-05-14"): "Ascension",
        D("2026-05-25"): "Lundi de Pentecôte",
        D("2026-07-14"): "Fête nationale",
        D("2026-08-15"): "Assomption",
        D("2026-11-01"): "Toussaint",
        D("2026-11-11"): "Armistice 1918",
        D("2026-12-25"): "Noël",
    }


def test_holidays_are_in_date_order():
    holidays = list(french_public_holidays(2025, alsace_moselle=True))
    assert holidays == sorted(holidays)


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_movable_feasts_follow_easter(year):
    easter = easter_sunday(year)
    holidays = french_public_holidays(year)
    assert len(holidays) == 11
    assert holidays[easter + timedelta(days=1)] == "Lundi de Pâques"
    assert holidays[easter + timedelta(days=39)] == "Ascension"
    assert holidays[easter + timedelta(days=50)] == "Lundi de Pentecôte"
    assert easter not in holidays  # Easter Sunday itself is not listed
    assert (easter + timedelta(days=39)).weekday() == 3  # a Thursday
    assert (easter + timedelta(days=50)).weekday() == 0  # a Monday


def test_alsace_moselle_adds_good_friday_and_saint_stephen():
    metropolitan = french_public_holidays(2026)
    alsace = french_public_holidays(2026, alsace_moselle=True)
    assert len(alsace) == 13
    assert {d: n for d, n in alsace.items() if d not in metropolitan} == {
        D("2026-04-03"): "Vendredi saint",
        D("2026-12-26"): "Saint-Étienne",
    }
    assert french_public_holidays(2024, alsace_moselle=True)[D("2024-03-29")] == "Vendredi saint"


def test_ascension_on_1_may_keeps_one_date_with_both_names():
    holidays = french_public_holidays(2008)  # Easter 23 March 2008
    assert holidays[D("2008-05-01")] == "Fête du Travail / Ascension"
    assert len(holidays) == 10
    assert french_public_holidays(1997)[D("1997-05-08")] == "Victoire 1945 / Ascension"


def test_holidays_are_cached_but_callers_cannot_corrupt_the_cache():
    first = french_public_holidays(2025)
    first[D("2025-06-02")] = "Invented"
    del first[D("2025-12-25")]
    again = french_public_holidays(2025)
    assert D("2025-06-02") not in again
    assert again[D("2025-12-25")] == "Noël"
    assert is_working_day(D("2025-06-02"))
    assert not is_working_day(D("2025-12-25"))


# --- is_working_day ----------------------------------------------------------------


@pytest.mark.parametrize(
    "day,alsace,expected",
    [
        ("2025-05-05", False, True),  # Monday
        ("2025-05-09", False, True),  # Friday: a "pont" after 8 May is still a working day
        ("2025-05-10", False, False),  # Saturday
        ("2025-05-11", False, False),  # Sunday
        ("2025-05-01", False, False),  # Fête du Travail (Thursday)
        ("2025-05-08", False, False),  # Victoire 1945 (Thursday)
        ("2025-04-21", False, False),  # Easter Monday
        ("2025-04-18", False, True),  # Good Friday is worked outside Alsace-Moselle
        ("2025-04-18", True, False),
        ("2025-12-26", False, True),
        ("2025-12-26", True, False),
        ("2026-05-14", False, False),  # Ascension
        ("2026-05-25", False, False),  # Whit Monday
        ("2025-11-11", False, False),
    ],
)
def test_is_working_day(day, alsace, expected):
    assert is_working_day(D(day), alsace_moselle=alsace) is expected


def test_is_working_day_accepts_a_datetime():
    assert not is_working_day(datetime(2025, 12, 25, 10, 0))
    assert is_working_day(datetime(2025, 12, 24, 23, 59))


# --- add_working_days --------------------------------------------------------------


def test_ordinary_week_keeps_the_clock_time():
    assert add_working_days(datetime(2025, 5, 5, 10, 30), 2) == datetime(2025, 5, 7, 10, 30)
    assert add_working_days(datetime(2025, 5, 15, 10, 30), 2) == datetime(2025, 5, 19, 10, 30)


def test_start_day_never_counts_so_a_saturday_request_with_2_days_is_due_tuesday():
    saturday = datetime(2025, 5, 10, 14, 0)
    assert add_working_days(saturday, 1) == datetime(2025, 5, 12, 14, 0)
    assert add_working_days(saturday, 2) == datetime(2025, 5, 13, 14, 0)
    sunday_late = datetime(2025, 5, 11, 23, 30)
    assert add_working_days(sunday_late, 2) == datetime(2025, 5, 13, 23, 30)


def test_request_on_a_holiday_counts_from_the_next_working_day():
    # Thursday 1 May 2025 at 9:00: Friday 2 is the first working day, Monday 5 the second.
    assert add_working_days(datetime(2025, 5, 1, 9, 0), 2) == datetime(2025, 5, 5, 9, 0)


def test_dates_give_dates():
    result = add_working_days(D("2025-05-05"), 15)
    assert type(result) is date
    # 15 working days from Monday 5 May 2025 skip Thursday 8 May
    assert result == D("2025-05-27")
    assert add_working_days(D("2025-05-05"), 17) == D("2025-05-30")  # and Ascension (29 May)


def test_around_easter():
    thursday = datetime(2025, 4, 17, 10, 0)
    assert add_working_days(thursday, 1) == datetime(2025, 4, 18, 10, 0)
    assert add_working_days(thursday, 2) == datetime(2025, 4, 22, 10, 0)  # skips Easter Monday
    # in Alsace-Moselle Good Friday is also off
    assert add_working_days(thursday, 1, alsace_moselle=True) == datetime(2025, 4, 22, 10, 0)
    assert add_working_days(thursday, 2, alsace_moselle=True) == datetime(2025, 4, 23, 10, 0)


def test_may_2025_bridges_are_working_days():
    # 1 May and 8 May 2025 are Thursdays; the Fridays after them are ordinary working days.
    assert add_working_days(D("2025-04-30"), 1) == D("2025-05-02")
    assert add_working_days(D("2025-04-30"), 2) == D("2025-05-05")
    assert add_working_days(D("2025-05-07"), 1) == D("2025-05-09")
    assert add_working_days(D("2025-04-30"), 5) == D("2025-05-09")


def test_may_2026_holidays_on_fridays_ascension_and_whit_monday():
    assert add_working_days(D("2026-04-30"), 1) == D("2026-05-04")  # 1 May is a Friday
    assert add_working_days(D("2026-05-07"), 1) == D("2026-05-11")  # 8 May is a Friday
    assert add_working_days(D("2026-05-13"), 1) == D("2026-05-15")  # Ascension 14 May
    assert add_working_days(D("2026-05-22"), 1) == D("2026-05-26")  # Whit Monday 25 May
    # "answer within 15 working days", asked the day before Ascension 2026
    assert add_working_days(datetime(2026, 5, 13, 16, 45), 15) == datetime(2026, 6, 5, 16, 45)


def test_year_end():
    christmas_eve = datetime(2025, 12, 24, 17, 0)
    assert add_working_days(christmas_eve, 2) == datetime(2025, 12, 29, 17, 0)
    assert add_working_days(christmas_eve, 2, alsace_moselle=True) == datetime(2025, 12, 30, 17, 0)
    # across New Year: 31 Dec 2025 (Wednesday) -> 1 Jan 2026 (Thursday) is off
    assert add_working_days(D("2025-12-31"), 1) == D("2026-01-02")
    assert add_working_days(D("2025-12-31"), 2) == D("2026-01-05")
    # 31 Dec 2026 is a Thursday and 1 Jan 2027 a Friday
    assert add_working_days(D("2026-12-31"), 1) == D("2027-01-04")


def test_zero_days_returns_start_even_on_a_non_working_day():
    sunday = datetime(2025, 5, 11, 8, 0)
    assert add_working_days(sunday, 0) is sunday
    assert add_working_days(D("2025-12-25"), 0) == D("2025-12-25")


def test_negative_or_non_integer_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(D("2025-05-05"), -1)
    with pytest.raises(TypeError):
        add_working_days(D("2025-05-05"), 1.5)
    with pytest.raises(TypeError):
        add_working_days(D("2025-05-05"), True)


def test_aware_datetime_keeps_its_zone_across_the_clock_change():
    tz = paris()
    friday = datetime(2025, 3, 28, 16, 0, tzinfo=tz)  # CET, +01:00
    deadline = add_working_days(friday, 1)  # clocks go forward on Sunday 30 March
    assert deadline == datetime(2025, 3, 31, 16, 0, tzinfo=tz)
    assert deadline.tzinfo is tz
    assert deadline.utcoffset() == timedelta(hours=2)
    # one hour less than three days of real time
    assert deadline.astimezone(UTC) - friday.astimezone(UTC) == timedelta(days=3, hours=-1)


def test_aware_datetime_counts_on_its_local_date():
    tz = paris()
    # Saturday 00:30 in Paris is still Friday 22:30 in UTC: the local date (Saturday) counts.
    start = datetime(2025, 5, 10, 0, 30, tzinfo=tz)
    assert start.astimezone(UTC).weekday() == 4
    assert add_working_days(start, 1) == datetime(2025, 5, 12, 0, 30, tzinfo=tz)
    fixed = timezone(timedelta(hours=-5))
    start = datetime(2025, 5, 9, 20, 0, tzinfo=fixed)  # Friday evening there
    assert add_working_days(start, 1) == datetime(2025, 5, 12, 20, 0, tzinfo=fixed)


# --- working_days_between ----------------------------------------------------------


def test_working_days_between_examples():
    assert working_days_between(D("2025-05-05"), D("2025-05-07")) == 2
    assert working_days_between(D("2025-05-05"), D("2025-05-05")) == 0
    assert working_days_between(D("2025-05-07"), D("2025-05-05")) == 0
    # Wednesday 30 April -> Friday 9 May 2025: 2, 5, 6, 7, 9 May
    assert working_days_between(D("2025-04-30"), D("2025-05-09")) == 5
    assert working_days_between(D("2025-04-30"), D("2025-05-11")) == 5  # ends on a Sunday
    assert working_days_between(D("2025-12-24"), D("2026-01-02")) == 5  # 26, 29, 30, 31, 2
    assert working_days_between(D("2025-12-24"), D("2026-01-02"), alsace_moselle=True) == 4


def test_working_days_between_ignores_clock_times_and_mixes_dates_and_datetimes():
    assert working_days_between(datetime(2025, 5, 5, 9, 0), datetime(2025, 5, 6, 8, 0)) == 1
    assert working_days_between(datetime(2025, 5, 5, 9, 0), datetime(2025, 5, 5, 18, 0)) == 0
    assert working_days_between(D("2025-05-05"), datetime(2025, 5, 6, 8, 0)) == 1


def test_working_days_between_uses_the_start_zone_for_aware_datetimes():
    tz = paris()
    start = datetime(2025, 5, 9, 10, 0, tzinfo=tz)  # Friday
    # Sunday 22:30 UTC is already Monday 00:30 in Paris
    end = datetime(2025, 5, 11, 22, 30, tzinfo=UTC)
    assert working_days_between(start, end) == 1
    assert working_days_between(start.astimezone(UTC), end) == 0


def test_a_full_year_of_working_days():
    # 2025 has 261 weekdays; 10 holidays fall on one (only 1 November is a Saturday)
    weekdays = sum(1 for n in range(365) if (D("2025-01-01") + timedelta(days=n)).weekday() < 5)
    weekday_holidays = sum(1 for d in french_public_holidays(2025) if d.weekday() < 5)
    assert weekday_holidays == 10
    assert working_days_between(D("2024-12-31"), D("2025-12-31")) == weekdays - 10 == 251


def _brute_between(start, end, alsace):
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day, alsace_moselle=alsace)
        day += timedelta(days=1)
    return count


@pytest.mark.parametrize("alsace", [False, True])
def test_working_days_between_matches_a_day_by_day_count(alsace):
    origin = D("2023-11-20")
    for offset in range(0, 900, 7):
        start = origin + timedelta(days=offset)
        for length in (0, 1, 2, 3, 4, 5, 6, 9, 15, 40, 400):
            end = start + timedelta(days=length)
            assert working_days_between(start, end, alsace_moselle=alsace) == _brute_between(
                start, end, alsace
            ), (start, end)


@pytest.mark.parametrize("alsace", [False, True])
def test_add_and_between_are_consistent(alsace):
    start = D("2024-01-01")
    for offset in range(0, 3 * 366 + 10):
        s = start + timedelta(days=offset)
        for n in (0, 1, 2, 3, 5, 15, 30):
            deadline = add_working_days(s, n, alsace_moselle=alsace)
            assert working_days_between(s, deadline, alsace_moselle=alsace) == n
            if n:
                assert is_working_day(deadline, alsace_moselle=alsace)
                # the deadline is the *first* day reaching n: the day before is one short
                before = deadline - timedelta(days=1)
                assert working_days_between(s, before, alsace_moselle=alsace) == n - 1


def test_consistency_with_datetimes():
    s = datetime(2026, 5, 13, 16, 45)
    assert working_days_between(s, add_working_days(s, 15)) == 15


# --- add_working_hours -------------------------------------------------------------

MORNING = (time(8, 30), time(12, 0))
AFTERNOON = (time(13, 30), time(17, 0))
OFFICE = {weekday: [MORNING, AFTERNOON] for weekday in range(5)}  # 7 hours a day


@pytest.mark.parametrize(
    "start,hours,expected",
    [
        ("2025-05-05 09:00", 2, "2025-05-05 11:00"),
        ("2025-05-05 09:00", 3, "2025-05-05 12:00"),  # ends at closing time, not at 13:30
        ("2025-05-05 09:00", 4, "2025-05-05 14:30"),  # the lunch break does not count
        ("2025-05-05 12:30", 1, "2025-05-05 14:30"),  # starts during lunch
        ("2025-05-05 07:00", 1, "2025-05-05 09:30"),  # starts before opening
        ("2025-05-05 18:00", 1, "2025-05-06 09:30"),  # starts after closing
        ("2025-05-05 08:30", 7, "2025-05-05 17:00"),  # exactly one day
        ("2025-05-05 08:30", 0.25, "2025-05-05 08:45"),
        ("2025-05-05 11:50", 0.5, "2025-05-05 13:50"),
        ("2025-05-09 16:00", 2, "2025-05-12 09:30"),  # over a weekend
        ("2025-05-10 10:00", 1, "2025-05-12 09:30"),  # from a Saturday
        ("2025-04-30 16:00", 2, "2025-05-02 09:30"),  # over 1 May
        ("2025-04-18 16:00", 2, "2025-04-22 09:30"),  # over Easter Monday
        ("2025-12-31 16:00", 2, "2026-01-02 09:30"),  # over New Year
        # "48 working hours" from Monday 5 May 2025 8:30: 6 full days (8 May is off) then 6 h
        ("2025-05-05 08:30", 48, "2025-05-14 16:00"),
    ],
)
def test_add_working_hours_with_an_office_schedule(start, hours, expected):
    result = add_working_hours(datetime.fromisoformat(start), hours, OFFICE)
    assert result == datetime.fromisoformat(expected)


def test_add_working_hours_in_alsace_moselle_skips_good_friday():
    start = datetime(2025, 4, 17, 16, 0)
    assert add_working_hours(start, 2, OFFICE) == datetime(2025, 4, 18, 9, 30)
    assert add_working_hours(start, 2, OFFICE, alsace_moselle=True) == datetime(2025, 4, 22, 9, 30)


def test_add_working_hours_zero_returns_start():
    sunday = datetime(2025, 5, 11, 22, 0)
    assert add_working_hours(sunday, 0, OFFICE) is sunday


def test_add_working_hours_keeps_the_time_zone():
    tz = paris()
    start = datetime(2025, 3, 28, 16, 0, tzinfo=tz)  # Friday before the clock change
    result = add_working_hours(start, 2, OFFICE)
    assert result == datetime(2025, 3, 31, 9, 30, tzinfo=tz)
    assert result.tzinfo is tz
    assert result.utcoffset() == timedelta(hours=2)


def test_weekend_intervals_are_ignored_since_only_working_days_count():
    with_saturday = {**OFFICE, 5: [(time(9, 0), time(12, 0))]}
    assert add_working_hours(datetime(2025, 5, 9, 16, 0), 2, with_saturday) == datetime(
        2025, 5, 12, 9, 30
    )


def test_unsorted_and_overlapping_intervals_are_merged():
    opening = {0: [(time(10, 0), time(14, 0)), (time(8, 0), time(12, 0))]}  # 8:00-14:00
    assert add_working_hours(datetime(2025, 5, 5, 7, 0), 6, opening) == datetime(2025, 5, 5, 14)
    assert add_working_hours(datetime(2025, 5, 5, 7, 0), 7, opening) == datetime(2025, 5, 12, 9)


def test_sparse_schedule():
    tuesday_morning = {1: [(time(9, 0), time(12, 0))]}
    assert add_working_hours(datetime(2025, 5, 5, 9, 0), 4, tuesday_morning) == datetime(
        2025, 5, 13, 10, 0
    )


@pytest.mark.parametrize(
    "opening",
    [
        {},
        {0: [], 1: []},
        {5: [(time(9), time(12))], 6: []},  # weekend only: could never end
        {0: [(time(12), time(9))]},
        {0: [(time(9), time(9))]},
        {7: [(time(9), time(12))]},
    ],
)
def test_invalid_openings_are_refused(opening):
    with pytest.raises(ValueError):
        add_working_hours(datetime(2025, 5, 5, 9, 0), 1, opening)


@pytest.mark.parametrize("hours", [-1, float("nan"), float("inf")])
def test_invalid_hours_are_refused(hours):
    with pytest.raises(ValueError):
        add_working_hours(datetime(2025, 5, 5, 9, 0), hours, OFFICE)


def test_add_working_hours_needs_a_datetime():
    with pytest.raises(TypeError):
        add_working_hours(D("2025-05-05"), 1, OFFICE)


# --- working_hours_between ------------------------------------------------------------------

OFFICE = {d: [(time(8, 30), time(12)), (time(13, 30), time(17))] for d in range(5)}


def test_working_hours_between_counts_opening_time_on_working_days_only():
    # Friday 26 March 2027 16:00 → Wednesday 7 April 15:00: Easter Monday, two weekends
    start, end = datetime(2027, 3, 26, 16), datetime(2027, 4, 7, 15)
    assert working_hours_between(start, end, OFFICE) == 48.0
    assert add_working_hours(start, 48, OFFICE) == end
    # lunch break and evenings do not count; reversed or equal bounds give 0
    assert working_hours_between(datetime(2027, 4, 8, 11), datetime(2027, 4, 8, 14), OFFICE) == 1.5
    assert working_hours_between(datetime(2027, 4, 8, 18), datetime(2027, 4, 9, 8), OFFICE) == 0.0
    assert working_hours_between(end, start, OFFICE) == 0.0


def test_working_hours_between_in_alsace_moselle_skips_good_friday():
    start, end = datetime(2027, 3, 25, 16), datetime(2027, 3, 30, 9)
    assert working_hours_between(start, end, OFFICE) == 1.0 + 7.0 + 0.5
    assert working_hours_between(start, end, OFFICE, alsace_moselle=True) == 1.0 + 0.5


@pytest.mark.parametrize("hours", [0.25, 1, 3.5, 7, 13, 48, 200])
def test_working_hours_between_inverts_add_working_hours(hours):
    for start in (datetime(2026, 12, 24, 11, 15), datetime(2027, 5, 7, 16, 45)):
        end = add_working_hours(start, hours, OFFICE)
        assert working_hours_between(start, end, OFFICE) == pytest.approx(hours)


def test_working_hours_between_aware_datetimes_use_the_start_zone():
    start = datetime(2027, 4, 8, 9, tzinfo=paris())
    end = datetime(2027, 4, 8, 8, tzinfo=UTC)  # 10:00 in Paris (summer time)
    assert working_hours_between(start, end, OFFICE) == 1.0


def test_add_months_stays_within_the_month():
    from datetime import date

    from cocon.lib.workdays import add_months

    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2026, 12, 31), 24) == date(2028, 12, 31)
