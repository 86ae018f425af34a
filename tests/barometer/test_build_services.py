"""Construction services of the Baromètre: barometer creation, first-round aggregation,
crossing into criteria, indicator values (form and CSV) and the action plan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cocon.barometer import services_build as s
from cocon.barometer.models import (
    Action,
    ActionStatus,
    Barometer,
    Criterion,
    FirstRoundAnswer,
    IndicatorValue,
    TechnicalCriterion,
    Wave,
)
from cocon.core.history import history_of
from tests.barometer.conftest_waves import tr

pytestmark = pytest.mark.django_db


# --- barometer -----------------------------------------------------------------------------
def test_create_makes_unique_slug_and_records_history(world):
    first = s.barometer_create(actor=world["manager"], service=world.water, title="Eau potable")
    second = s.barometer_create(actor=world["manager"], service=world.water, title="Eau potable")
    assert (first.slug, second.slug) == ("eau-potable", "eau-potable-2")
    assert history_of(first).get().action == "created"


def test_create_refuses_a_service_not_managed(world):
    with pytest.raises(ValidationError) as exc:
        s.barometer_create(actor=world["manager"], service=world.waste, title="Déchets")
    assert "service" in exc.value.message_dict
    with pytest.raises(ValidationError):
        s.barometer_create(actor=world["admin_b"], service=world.water, title="Eau")
    assert not Barometer.objects.exists()


def test_create_validates_settings(world):
    with pytest.raises(ValidationError) as exc:
        s.barometer_create(
            actor=world["admin"], service=world.water, title="  ", threshold=11, trim=0.5
        )
    assert "title" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        s.barometer_create(actor=world["admin"], service=world.water, title="X", trim=0.5)
    assert set(exc.value.message_dict) == {"trim"}


def test_managed_services(world):
    assert s.managed_services(world["manager"]) == [world.water]
    assert {x.pk for x in s.managed_services(world["admin"])} == {
        world.water.pk,
        world.waste.pk,
        world.hr.pk,
    }
    assert s.managed_services(world["agent"]) == []
    assert s.managed_services(world["admin_b"]) == [world.social_b]


def test_update_records_changed_fields(world, bworld):
    b = bworld.barometer
    s.barometer_update(b, actor=world["manager"], explanation="Le chlore.", is_published=True)
    b.refresh_from_db()
    assert b.is_published and b.explanation == "Le chlore."
    assert history_of(b).get().data == {"fields": ["explanation", "is_published"]}
    with pytest.raises(ValidationError):
        s.barometer_update(b, actor=world["manager"], threshold=0)


# --- first round ---------------------------------------------------------------------------
def test_first_round_submit(world, bworld):
    b = bworld.barometer
    answer = s.first_round_submit(
        barometer=b, items=["  Le goût ", "", "le prix"], commune=world.communes[0]
    )
    assert answer.items == ["Le goût", "le prix"]
    with pytest.raises(ValidationError):
        s.first_round_submit(barometer=b, items=["", " "])
    with pytest.raises(ValidationError):
        s.first_round_submit(barometer=b, items=["a"] * 6)
    b.first_round_open = False
    with pytest.raises(ValidationError):
        s.first_round_submit(barometer=b, items=["le goût"])
    assert FirstRoundAnswer.objects.count() == 1


def test_topic_key_groups_french_variants():
    assert s.topic_key("Le goût de l'eau") == s.topic_key("goût eau")
    assert s.topic_key("Les coupures") == s.topic_key("coupure")
    assert s.topic_key("LE PRIX") == s.topic_key("prix")
    assert s.topic_key("Le prix") != s.topic_key("La pression")


def test_first_round_topics_counts_and_mean_rank(bworld):
    b = bworld.barometer
    for items in (
        ["Le goût de l'eau", "Le prix"],
        ["le prix", "le gout de l'eau", "La pression"],
        ["Le prix"],
    ):
        FirstRoundAnswer.objects.create(barometer=b, items=items)
    FirstRoundAnswer.objects.create(barometer=bworld.other, items=["Le prix"])
    topics, answers = s.first_round_topics(b)
    assert answers == 3
    assert [(t.label, t.mentions) for t in topics] == [
        ("Le prix", 3),
        ("Le goût de l'eau", 2),
        ("La pression", 1),
    ]
    assert topics[0].mean_rank == pytest.approx((2 + 1 + 1) / 3)
    assert topics[1].mean_rank == pytest.approx(1.5)
    assert sorted(topics[1].verbatims) == ["Le goût de l'eau", "le gout de l'eau"]


# --- crossing ------------------------------------------------------------------------------
def _technical(b, **kw):
    values = {
        "name": "Conformité",
        "indicator_name": "Taux de conformité",
        "indicator_unit": "%",
        "floor": 95.0,
        "target": 100.0,
    }
    values.update(kw)
    return TechnicalCriterion.objects.create(barometer=b, **values)


def _topic(b, label="Le goût de l'eau"):
    FirstRoundAnswer.objects.create(barometer=b, items=[label])
    FirstRoundAnswer.objects.create(barometer=b, items=["Autre chose", label.lower()])
    return s.first_round_topics(b)[0][0]


def test_criterion_from_topic_and_technical_keeps_provenance(world, bworld):
    b = bworld.barometer
    topic, tech = _topic(b), _technical(b)
    c = s.criterion_create(
        actor=world["manager"], barometer=b, code="Gout", wording="", topic=topic, technical=tech
    )
    assert c.provenance == "both" and c.user_mentions == 2 and c.technical_source == tech
    assert c.code == "gout" and c.wording == "Le goût de l'eau"
    assert (c.indicator_name, c.floor, c.target) == ("Taux de conformité", 95.0, 100.0)
    assert "le goût de l'eau" in c.provenance_note and "Conformité" in c.provenance_note
    only_tech = s.criterion_create(
        actor=world["manager"], barometer=b, code="t", technical=tech, wording=""
    )
    assert only_tech.provenance == "technical" and only_tech.wording == "Conformité"
    assert only_tech.position == c.position + 1
    only_users = s.criterion_create(
        actor=world["manager"], barometer=b, code="u", wording="X", topic=topic
    )
    assert only_users.provenance == "users" and only_users.indicator_name == ""


@pytest.mark.parametrize("code", ["wave", "overall", "age_band", "sex", "commune", "occupation"])
def test_reserved_codes_refused(world, bworld, code):
    tech = _technical(bworld.barometer)
    with pytest.raises(ValidationError) as exc:
        s.criterion_create(
            actor=world["manager"],
            barometer=bworld.barometer,
            code=code,
            wording="x",
            technical=tech,
        )
    assert exc.value.message_dict["code"][0] == tr(
        "« %(code)s » is reserved for another column of response files: choose another code.",
        code=code,
    )


def test_code_unique_per_barometer_and_valid(world, bworld, criteria):
    tech = _technical(bworld.barometer)
    with pytest.raises(ValidationError) as exc:
        s.criterion_create(
            actor=world["manager"],
            barometer=bworld.barometer,
            code="prix",
            wording="x",
            technical=tech,
        )
    assert exc.value.message_dict["code"][0] == tr(
        "Another criterion of this barometer has this code."
    )
    with pytest.raises(ValidationError):
        s.criterion_create(
            actor=world["manager"],
            barometer=bworld.barometer,
            code="é t",
            wording="x",
            technical=tech,
        )
    other_tech = _technical(bworld.other)
    c = s.criterion_create(
        actor=world["admin_b"],
        barometer=bworld.other,
        code="prix",
        wording="x",
        technical=other_tech,
    )
    assert c.barometer == bworld.other


def test_criterion_needs_a_source_of_this_barometer(world, bworld):
    with pytest.raises(ValidationError):
        s.criterion_create(
            actor=world["manager"], barometer=bworld.barometer, code="a", wording="x"
        )
    with pytest.raises(ValidationError):
        s.criterion_create(
            actor=world["manager"],
            barometer=bworld.barometer,
            code="a",
            wording="x",
            technical=_technical(bworld.other),
        )
    assert not Criterion.objects.exists()


def test_count_warning():
    assert "12" in s.criteria_count_warning(13)
    assert "5" in s.criteria_count_warning(4)
    assert s.criteria_count_warning(5) == s.criteria_count_warning(12) == ""


def test_criterion_update_and_provenance_follows_technical_source(world, bworld, criteria):
    prix = criteria[1]
    tech = _technical(bworld.barometer)
    s.criterion_update(prix, actor=world["manager"], technical_source=tech, wording="Le tarif")
    prix.refresh_from_db()
    assert prix.provenance == "both" and prix.wording == "Le tarif"
    s.criterion_update(prix, actor=world["manager"], technical_source=None)
    prix.refresh_from_db()
    assert prix.provenance == "users"
    with pytest.raises(ValidationError):
        s.criterion_update(prix, actor=world["manager"], code="gout")
    with pytest.raises(ValidationError):
        s.criterion_update(prix, actor=world["manager"], floor=1.0, target=1.0)
    with pytest.raises(ValidationError):
        s.criterion_update(prix, actor=world["manager"], floor=1.0, target=None)
    with pytest.raises(ValidationError):
        s.criterion_update(prix, actor=world["manager"], technical_source=_technical(bworld.other))


def test_deactivating_an_incomplete_technical_criterion_works(world, criteria):
    criteria[1].floor = 1.0  # floor without target, e.g. from the admin
    criteria[1].save()
    s.criterion_update(criteria[1], actor=world["manager"], is_active=False)
    criteria[1].refresh_from_db()
    assert not criteria[1].is_active


def test_criterion_move(world, criteria):
    gout, _prix, accueil = criteria
    s.criterion_move(accueil, actor=world["manager"], up=True)
    assert list(
        Criterion.objects.filter(barometer=gout.barometer).values_list("code", flat=True)
    ) == [
        "gout",
        "accueil",
        "prix",
    ]
    s.criterion_move(gout, actor=world["manager"], up=True)  # already first: no change
    assert Criterion.objects.get(code="gout").position == 1


# --- indicator values ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "label", "start"),
    [
        ("2025", "2025", dt.date(2025, 1, 1)),
        ("2025-T2", "2025-T2", dt.date(2025, 4, 1)),
        ("2025-t4", "2025-T4", dt.date(2025, 10, 1)),
        ("2025-06", "2025-06", dt.date(2025, 6, 1)),
        ("2025-6", "2025-06", dt.date(2025, 6, 1)),
    ],
)
def test_parse_period(text, label, start):
    assert s.parse_period(text) == (label, start)


@pytest.mark.parametrize("text", ["", "25", "2025-13", "2025-T5", "T2 2025", "2025/06"])
def test_parse_period_refuses(text):
    with pytest.raises(ValueError):
        s.parse_period(text)


def test_parse_number():
    assert s.parse_number("97,5") == 97.5
    assert s.parse_number("1 234.5") == 1234.5
    for bad in ("abc", "", "nan", "inf"):
        with pytest.raises(ValueError):
            s.parse_number(bad)


def test_indicator_value_set_replaces_same_period(world, criteria):
    gout = criteria[0]
    first = s.indicator_value_set(actor=world["agent"], criterion=gout, period="2025", value=97)
    assert first is False
    assert s.indicator_value_set(actor=world["agent"], criterion=gout, period="2025", value=98)
    v = IndicatorValue.objects.get()
    assert (v.value, v.period_start, v.entered_by) == (98, dt.date(2025, 1, 1), world["agent"])
    with pytest.raises(ValidationError):
        s.indicator_value_set(actor=world["agent"], criterion=criteria[1], period="2025", value=1)
    with pytest.raises(ValidationError):
        s.indicator_value_set(actor=world["agent"], criterion=gout, period="2025-T9", value=1)


def test_csv_import_semicolon_decimal_comma_and_replace(world, bworld, criteria):
    gout = criteria[0]
    IndicatorValue.objects.create(
        criterion=gout, period="2024", period_start=dt.date(2024, 1, 1), value=90
    )
    content = "criterion;period;value;comment\ngout;2024;97,5;revu\n\ngout;2025-T1;99;\n"
    result = s.indicator_import(
        actor=world["agent"], barometer=bworld.barometer, content=content.encode("utf-8-sig")
    )
    assert result.created == 1 and result.replaced == ["gout 2024"]
    assert dict(IndicatorValue.objects.values_list("period", "value")) == {
        "2024": 97.5,
        "2025-T1": 99.0,
    }
    assert IndicatorValue.objects.get(period="2024").source == "imported"


def test_csv_import_comma_separated(world, bworld, criteria):
    content = 'criterion,period,value\ngout,2025-03,"96,1"\ngout,2025-04,96.2\n'
    s.indicator_import(actor=world["agent"], barometer=bworld.barometer, content=content.encode())
    assert IndicatorValue.objects.get(period="2025-03").value == 96.1


def test_csv_import_is_all_or_nothing_with_line_numbers(world, bworld, criteria):
    content = (
        "criterion;period;value\n"
        "gout;2025;97\n"
        "inconnu;2025;1\n"
        "gout;2025-13;x\n"
        "prix;2025;3\n"
        "gout;2025;98\n"
        "gout;2026\n"
    )
    with pytest.raises(ValidationError) as exc:
        s.indicator_import(
            actor=world["agent"], barometer=bworld.barometer, content=content.encode()
        )
    errors = exc.value.message_dict["file"]
    assert len(errors) == 5
    for error, line in zip(errors, range(3, 8), strict=True):
        # "Line 3: " as the active language writes it (the problem itself follows)
        assert error.startswith(tr("Line %(n)s: %(p)s.", n=line, p="").removesuffix("."))
    assert "inconnu" in errors[0] and "2025-13" in errors[1] and "x" in errors[1]
    duplicate = "criterion « %(c)s » already has a value for %(p)s on line %(l)s"
    assert tr(duplicate, c="gout", p="2025", l=2) in errors[3]
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"code;period;value\ngout;2025;1\n", b"criterion;period;value\n", b"\xff\xfe\x00" * 10],
)
def test_csv_import_bad_files(world, bworld, criteria, content):
    with pytest.raises(ValidationError):
        s.indicator_import(actor=world["agent"], barometer=bworld.barometer, content=content)
    assert not IndicatorValue.objects.exists()


def test_csv_import_ignores_other_barometers_codes(world, bworld, criteria):
    Criterion.objects.create(barometer=bworld.other, code="autre", wording="x", indicator_name="y")
    with pytest.raises(ValidationError):
        s.indicator_import(
            actor=world["agent"],
            barometer=bworld.barometer,
            content=b"criterion;period;value\nautre;2025;1\n",
        )


# --- action plan ---------------------------------------------------------------------------
def test_action_create_and_status_history(world, bworld, criteria):
    b = bworld.barometer
    action = s.action_create(
        actor=world["manager"],
        barometer=b,
        criterion=criteria[0],
        title="Purger le réseau",
        owner="Régie des eaux",
        due_on=dt.date(2026, 6, 1),
    )
    s.action_update(action, actor=world["manager"], status=ActionStatus.IN_PROGRESS, owner="Régie")
    events = list(history_of(action).order_by("pk"))
    assert [e.action for e in events] == ["created", "status", "updated"]
    assert (events[1].from_status, events[1].to_status) == ("planned", "in_progress")
    assert events[2].data == {"fields": ["owner"]}
    s.action_update(action, actor=world["manager"], owner="Régie")
    assert history_of(action).count() == 3


def test_action_refuses_foreign_criterion_or_wave(world, bworld, criteria):
    other_c = Criterion.objects.create(barometer=bworld.other, code="x", wording="x")
    wave = Wave.objects.create(
        barometer=bworld.other,
        label="2025",
        code="2025",
        opens_on=dt.date(2025, 1, 1),
        closes_on=dt.date(2025, 2, 1),
    )
    with pytest.raises(ValidationError):
        s.action_create(
            actor=world["manager"],
            barometer=bworld.barometer,
            criterion=other_c,
            title="a",
            owner="b",
        )
    with pytest.raises(ValidationError):
        s.action_create(
            actor=world["manager"],
            barometer=bworld.barometer,
            criterion=criteria[0],
            title="a",
            owner="b",
            from_wave=wave,
        )
    with pytest.raises(ValidationError):
        s.action_create(
            actor=world["manager"],
            barometer=bworld.barometer,
            criterion=criteria[0],
            title=" ",
            owner="b",
        )
    assert not Action.objects.exists()
