"""Access-to-rights follow-up: cases, actions, indicators, retention (services)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cocon.core import schedule
from cocon.guichet import services_legal as services
from cocon.guichet.models import CaseAction, CaseReadLog, Indicator, LegalCase

TODAY = timezone.localdate()


def _case(g, **kw):
    return services.case_open(team=g.team, author=g["juriste"], situation="Droit au séjour", **kw)


def _act(case, g, kind, outcome="pending", days_ago=10, outcome_on=None):
    return services.action_record(
        case=case,
        author=g["juriste"],
        kind=kind,
        date=TODAY - dt.timedelta(days=days_ago),
        outcome=outcome,
        outcome_on=outcome_on,
        note="",
    )


def test_case_numbers_are_automatic_per_team_and_year(guichet):
    first = _case(guichet)
    second = _case(guichet)
    assert first.number == f"EM-{TODAY.year}-0001"
    assert second.number == f"EM-{TODAY.year}-0002"
    typed = _case(guichet, number="EM-2026-0042")
    assert typed.number == "EM-2026-0042"
    with pytest.raises(ValidationError) as error:
        _case(guichet, number="EM-2026-0042")
    assert "number" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _case(guichet, number="Jean Dupont")
    assert "number" in error.value.message_dict


def test_contact_only_with_consent(guichet):
    with pytest.raises(ValidationError) as error:
        _case(guichet, contact="06 12 34 56 78")
    assert "contact" in error.value.message_dict
    assert LegalCase.objects.count() == 0  # nothing written
    case = _case(guichet, contact="06 12 34 56 78", contact_consent=True)
    assert case.contact == "06 12 34 56 78" and case.contact_consent_at is not None


def test_action_dates_are_checked(guichet):
    case = _case(guichet)
    with pytest.raises(ValidationError) as error:
        _act(case, guichet, "information", days_ago=-1)
    assert "date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.action_record(
            case=case,
            author=guichet["juriste"],
            kind="recours_gracieux",
            date=TODAY - dt.timedelta(days=5),
            outcome="obtained",
            outcome_on=TODAY - dt.timedelta(days=6),
            note="",
        )
    assert "outcome_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _act(case, guichet, "tea")
    assert "kind" in error.value.message_dict
    assert CaseAction.objects.count() == 0


def test_study_figure_13_recours_gracieux_and_4_contentieux(guichet):
    """The study's figure: 13 recours gracieux and 4 recours contentieux, computed from
    the recorded actions by the team's own indicators."""
    cases = [_case(guichet) for _ in range(13)]
    for i, case in enumerate(cases):
        _act(case, guichet, "outreach", days_ago=60)
        _act(
            case,
            guichet,
            "recours_gracieux",
            outcome="obtained" if i < 7 else "rejected",
            days_ago=40,
            outcome_on=TODAY - dt.timedelta(days=20),
        )
        if i >= 9:
            _act(case, guichet, "recours_contentieux", days_ago=10)
    team = guichet.team
    services.indicator_define(
        team=team, name="Recours gracieux", formula='count(kind="recours_gracieux")', target=12
    )
    services.indicator_define(
        team=team, name="Recours contentieux", formula='count(kind="recours_contentieux")'
    )
    services.indicator_define(
        team=team,
        name="Taux de succès",
        formula='percent(cases(kind="recours_gracieux", outcome="obtained"), '
        'cases(kind="recours_gracieux"))',
        target=60,
    )
    services.indicator_define(
        team=team, name="Délai contentieux", formula='median_days(kind="recours_contentieux")'
    )
    values = {i.name: v for i, v in services.indicators_compute(team)}
    assert values["Recours gracieux"].value == 13 and values["Recours gracieux"].met is True
    assert values["Recours contentieux"].value == 4 and values["Recours contentieux"].met is None
    assert values["Taux de succès"].value == pytest.approx(100 * 7 / 13)
    assert values["Taux de succès"].met is False
    assert values["Délai contentieux"].value == 50
    # period: only the last 15 days
    period = (TODAY - dt.timedelta(days=15), TODAY)
    values = {i.name: v for i, v in services.indicators_compute(team, period=period)}
    assert values["Recours gracieux"].value == 0
    assert values["Recours contentieux"].value == 4


def test_indicators_compute_in_two_queries(guichet, django_assert_num_queries):
    case = _case(guichet)
    for kind in ("outreach", "information", "recours_gracieux"):
        _act(case, guichet, kind)
    for n in range(5):
        services.indicator_define(team=guichet.team, name=f"I{n}", formula="count()")
    with django_assert_num_queries(2):
        result = services.indicators_compute(guichet.team)
    assert [v.value for _i, v in result] == [3.0] * 5


def test_indicator_formula_is_checked_with_position(guichet):
    with pytest.raises(ValidationError) as error:
        services.indicator_define(team=guichet.team, name="X", formula='count(kind="recours")')
    message = error.value.message_dict["formula"][0]
    assert "recours" in message and "caractère 12" in message
    with pytest.raises(ValidationError) as error:
        services.indicator_define(team=guichet.team, name="", formula="__import__('os')")
    assert set(error.value.message_dict) == {"name", "formula"}
    assert Indicator.objects.count() == 0
    indicator = services.indicator_define(team=guichet.team, name="Tout", formula=" count() ")
    assert indicator.formula == "count()"
    with pytest.raises(ValidationError):
        services.indicator_update(indicator, name="Tout", formula="count(date=1)")
    indicator.refresh_from_db()
    assert indicator.formula == "count()"
    services.indicator_update(indicator, name="Tout", formula="count() * 2", target=4)
    services.indicator_delete(indicator)
    assert not Indicator.objects.exists()


def test_training_attendees_counted_from_the_list(guichet):
    session = services.training_record(
        team=guichet.team,
        title="Le droit au logement opposable",
        date=TODAY,
        partner="CCAS",
        attendance="CCAS, travailleuse sociale\n\nMission locale, conseiller\n",
    )
    assert session.attendees == 2
    with pytest.raises(ValidationError) as error:
        services.training_record(
            team=guichet.team, title="X", date=TODAY, attendees=1, attendance="a\nb"
        )
    assert "attendees" in error.value.message_dict


def test_close_erases_contact_and_sets_erase_on(guichet):
    guichet.team.retention_months = 24
    guichet.team.save()
    case = _case(guichet, contact="a@b.fr", contact_consent=True, opened_on=dt.date(2025, 1, 2))
    services.case_close(case, author=guichet["juriste"], closed_on=dt.date(2025, 2, 28))
    case.refresh_from_db()
    assert case.state == "closed" and case.contact == "" and case.contact_consent_at is None
    assert case.erase_on == dt.date(2027, 2, 28)
    with pytest.raises(ValidationError):
        services.case_close(case, author=guichet["juriste"])
    with pytest.raises(ValidationError):
        _act(case, guichet, "information")
    assert services.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)


def test_retention_erases_past_erase_on_and_not_before(guichet):
    team = guichet.team
    team.retention_months = 1
    team.save()
    old = _case(guichet, opened_on=TODAY - dt.timedelta(days=120))
    _act(old, guichet, "recours_gracieux", days_ago=100)
    services.case_close(old, author=guichet["juriste"], closed_on=TODAY - dt.timedelta(days=90))
    recent = _case(guichet, opened_on=TODAY - dt.timedelta(days=20))
    _act(recent, guichet, "recours_gracieux", days_ago=15)
    services.case_close(recent, author=guichet["juriste"], closed_on=TODAY - dt.timedelta(days=5))
    still_open = _case(guichet)
    services.log_read(team=team, case=old, user=guichet["juriste"], allowed=True, path="/x")
    services.indicator_define(team=team, name="RG", formula='cases(kind="recours_gracieux")')
    assert services.indicators_compute(team)[0][1].value == 2

    assert "guichet.legal_retention" in schedule._DAILY
    # the day before the recent case's erase_on: only the old one goes
    assert services.legal_retention(today=recent.erase_on - dt.timedelta(days=1)) == 1
    assert set(LegalCase.objects.values_list("pk", flat=True)) == {recent.pk, still_open.pk}
    # its actions stay, de-identified, so the indicators do not change
    kept = CaseAction.objects.get(case_key=old.pk)
    assert kept.case_id is None and kept.note == "" and kept.team_id == team.pk
    assert services.indicators_compute(team)[0][1].value == 2
    log = CaseReadLog.objects.get()
    assert log.case_id is None and log.case_label == old.number
    # on its erase_on day, the recent one goes too; the open one never
    assert services.legal_retention(today=recent.erase_on) == 1
    assert list(LegalCase.objects.values_list("pk", flat=True)) == [still_open.pk]
    assert services.legal_retention(today=TODAY + dt.timedelta(days=3650)) == 0
