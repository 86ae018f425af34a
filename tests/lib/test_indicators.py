import time
from datetime import date, datetime, timedelta

import pytest

from cocon.lib.indicators import (
    MAX_DEPTH,
    MAX_LENGTH,
    Formula,
    FormulaError,
    IndicatorValue,
    compile_formula,
    evaluate_indicator,
)

FIELDS = {"kind", "outcome", "case", "commune", "public"}
CHOICES = {
    "kind": {
        "contact",
        "information",
        "accompagnement",
        "recours_gracieux",
        "recours_contentieux",
        "orientation",
    },
    "outcome": {"favorable", "defavorable", "en_cours", "sans_suite", ""},
}
START = date(2024, 1, 1)


def action(kind, case, day, outcome="", **extra):
    return {"kind": kind, "outcome": outcome, "case": case, "date": START + timedelta(day), **extra}


def study_actions():
    """As in the study: 13 recours gracieux (9 favorable) and 4 contentieux (1 favorable).

    Every case starts with a contact on day ``case``; case ``c`` gets its recours gracieux
    ``c`` days later (so delays 1..13), cases 1-4 then a recours contentieux on day 100.
    """
    actions = []
    gracieux_outcomes = ["favorable"] * 9 + ["defavorable"] * 2 + ["en_cours"] * 2
    for case in range(1, 14):
        commune = "Grenoble" if case % 2 else "Échirolles"
        actions.append(action("contact", case, case, commune=commune))
        actions.append(action("information", case, case))
        actions.append(
            action("recours_gracieux", case, 2 * case, gracieux_outcomes[case - 1], commune=commune)
        )
    for case in range(1, 5):
        outcome = "favorable" if case == 1 else "en_cours"
        actions.append(action("recours_contentieux", case, 100, outcome))
    # Two contacts for one person met during a maraude who never came back.
    actions.append(action("contact", 99, 5))
    actions.append(action("contact", 99, 6))
    return actions


def value(text, actions=None, **kwargs):
    formula = compile_formula(text, fields=FIELDS, choices=CHOICES)
    return formula.evaluate(study_actions() if actions is None else actions, **kwargs)


def error(text, **kwargs):
    kwargs.setdefault("fields", FIELDS)
    kwargs.setdefault("choices", CHOICES)
    with pytest.raises(FormulaError) as caught:
        compile_formula(text, **kwargs)
    return caught.value


# --- Evaluation -------------------------------------------------------------------------


def test_count_filters_by_kind_and_outcome():
    assert value('count(kind="recours_gracieux")') == 13
    assert value('count(kind="recours_contentieux")') == 4
    assert value('count(kind="recours_gracieux", outcome="favorable")') == 9
    assert value('count(kind="contact", commune="Grenoble")') == 7
    assert value("count()") == 13 * 3 + 4 + 2
    assert value('count(kind="orientation")') == 0


def test_result_is_a_float():
    result = value('count(kind="recours_gracieux")')
    assert isinstance(result, float)


def test_percent_of_favourable_recours():
    text = (
        'percent(count(kind="recours_gracieux", outcome="favorable"), '
        'count(kind="recours_gracieux"))'
    )
    assert value(text) == pytest.approx(100 * 9 / 13)


def test_list_filter_matches_any_value():
    assert value('count(kind=["recours_gracieux", "recours_contentieux"])') == 17
    assert (
        value('count(kind=("recours_gracieux", "recours_contentieux"), outcome="favorable")') == 10
    )
    assert value('count(outcome=["defavorable", "en_cours"])') == 2 + 2 + 3


def test_empty_outcome_is_matched_by_empty_string():
    assert value('count(kind="contact", outcome="")') == 15


def test_cases_counts_distinct_case_numbers():
    assert value('count(kind="contact")') == 15
    assert value('cases(kind="contact")') == 14
    assert value('cases(kind=["recours_gracieux", "recours_contentieux"])') == 13
    assert value("cases()") == 14


def test_values_are_compared_as_text():
    actions = [
        action("contact", 12, 0),
        action("contact", 13, 0),
        {**action("contact", 1, 0), "public": None},
    ]
    assert value('count(case="12")', actions) == 1
    assert value('count(public="")', actions) == 3


def test_period_is_inclusive():
    period = (START + timedelta(2), START + timedelta(6))
    # Recours gracieux on days 2, 4, 6 (cases 1, 2, 3).
    assert value('count(kind="recours_gracieux")', period=period) == 3
    # Contacts on days 2..6 (cases 2-6) plus the two of case 99.
    assert value('count(kind="contact")', period=period) == 7
    assert value('cases(kind="contact")', period=period) == 6
    assert value('count(kind="recours_contentieux")', period=period) == 0


def test_period_accepts_datetimes_in_actions():
    actions = [
        {"kind": "contact", "outcome": "", "case": 1, "date": datetime(2024, 3, 31, 23, 30)},
        {"kind": "contact", "outcome": "", "case": 2, "date": datetime(2024, 4, 1, 0, 30)},
    ]
    assert value("count()", actions, period=(date(2024, 3, 1), date(2024, 3, 31))) == 1


def test_period_must_not_be_reversed():
    with pytest.raises(ValueError):
        value("count()", period=(START + timedelta(5), START))


def test_median_days_on_a_small_known_example():
    actions = [
        # Case A: first action day 0, first recours day 10 (a later one on day 30 is ignored).
        action("contact", "A", 0),
        action("recours_gracieux", "A", 10),
        action("recours_gracieux", "A", 30),
        # Case B: delay 4.
        action("information", "B", 2),
        action("recours_gracieux", "B", 6),
        # Case C: its first action is the recours itself, delay 0.
        action("recours_gracieux", "C", 7),
        # Case D: no recours, not counted.
        action("contact", "D", 1),
    ]
    assert value('median_days(kind="recours_gracieux")', actions) == 4
    actions.append(action("contact", "E", 0))
    actions.append(action("recours_gracieux", "E", 20))
    # Delays 0, 4, 10, 20: median 7.
    assert value('median_days(kind="recours_gracieux")', actions) == 7
    assert value('median_days(kind="recours_contentieux")', actions) is None


def test_median_days_in_a_period_keeps_the_whole_history_for_first_action():
    actions = [
        action("contact", "A", 0),
        action("recours_gracieux", "A", 40),
        action("contact", "B", 0),
        action("recours_gracieux", "B", 5),
    ]
    period = (START + timedelta(30), START + timedelta(60))
    # Only case A's recours is in the period, and its delay counts from day 0.
    assert value('median_days(kind="recours_gracieux")', actions, period=period) == 40
    # Case B's first recours is before the period: a later one does not count it again.
    actions.append(action("recours_gracieux", "B", 45))
    assert value('median_days(kind="recours_gracieux")', actions, period=period) == 40


def test_study_median_days():
    # Delays 1..13 from the first contact to the recours gracieux.
    assert value('median_days(kind="recours_gracieux")') == 7


def test_arithmetic_and_precedence():
    assert value("1 + 2 * 3") == 7
    assert value("(1 + 2) * 3") == 9
    assert value("10 - 4 - 3") == 3
    assert value("12 / 4 / 3") == 1
    assert value("-2 * -3") == 6
    assert value("2.5 * 2") == 5
    assert value('count(kind="recours_gracieux") + count(kind="recours_contentieux")') == 17
    assert value('count(kind="recours_gracieux") - 3 * count(kind="recours_contentieux")') == 1
    assert value('count(kind="recours_contentieux") / cases(kind="contact")') == pytest.approx(
        4 / 14
    )


def test_min_and_max():
    assert value('min(count(kind="recours_gracieux"), count(kind="recours_contentieux"))') == 4
    assert value('max(count(kind="recours_gracieux"), 20, 3)') == 20
    assert value("min(5)") == 5


def test_division_by_zero_gives_none():
    assert value("1 / 0") is None
    assert value('count() / count(kind="orientation")') is None
    assert value('1 + 2 / (count(kind="orientation") * 3)') is None


def test_percent_with_zero_denominator_gives_zero():
    assert value('percent(count(kind="orientation"), count(kind="orientation"))') == 0
    assert value("percent(5, 0)") == 0
    assert value("percent(1, 4)") == 25


def test_none_propagates():
    no_data = 'median_days(kind="orientation")'
    assert value(f"{no_data} + 1") is None
    assert value(f"-{no_data}") is None
    assert value(f"percent({no_data}, 3)") is None
    assert value(f"max({no_data}, 3)") is None


def test_empty_actions():
    assert value("count()", []) == 0
    assert value("cases()", []) == 0
    assert value('percent(count(outcome="favorable"), count())', []) == 0
    assert value("median_days()", []) is None


def test_formula_keeps_its_text_and_is_reusable():
    formula = compile_formula('  count(kind="contact")\r\n', fields=FIELDS)
    assert isinstance(formula, Formula)
    assert formula.text == 'count(kind="contact")'
    assert formula.evaluate(study_actions()) == 15
    assert formula.evaluate([]) == 0


def test_multiline_formula():
    text = (
        "percent(\n"
        '  count(kind="recours_gracieux", outcome="favorable"),\n'
        '  count(kind="recours_gracieux")\n'
        ")"
    )
    assert value(text) == pytest.approx(100 * 9 / 13)


def test_choices_are_optional():
    formula = compile_formula('count(kind="anything")', fields=FIELDS)
    assert formula.evaluate(study_actions()) == 0


def test_many_counts_over_many_actions_is_fast_enough():
    kinds = sorted(CHOICES["kind"])
    outcomes = ["favorable", "defavorable", "en_cours", "sans_suite", ""]
    actions = [
        action(kinds[i % 6], i // 7, i % 365, outcomes[i % 5], commune="Grenoble")
        for i in range(100_000)
    ]
    text = (
        'count(kind="contact") + count(kind="recours_gracieux", outcome="favorable") '
        '+ count(kind=["information", "orientation"]) + count(commune="Grenoble") + count()'
    )
    formula = compile_formula(text, fields=FIELDS, choices=CHOICES)
    started = time.perf_counter()
    result = formula.evaluate(actions, period=(START, START + timedelta(400)))
    elapsed = time.perf_counter() - started
    expected = (
        sum(a["kind"] == "contact" for a in actions)
        + sum(a["kind"] == "recours_gracieux" and a["outcome"] == "favorable" for a in actions)
        + sum(a["kind"] in ("information", "orientation") for a in actions)
        + 2 * len(actions)
    )
    assert result == expected
    print(f"5 counts over 100,000 actions: {elapsed:.3f} s")  # informative, not asserted


def test_identical_aggregates_are_computed_once():
    class Counting(list):
        iterations = 0

        def __iter__(self):
            Counting.iterations += 1
            return super().__iter__()

    actions = Counting(study_actions())
    formula = compile_formula('count(kind="contact") * count(kind="contact")', fields=FIELDS)
    assert formula.evaluate(actions) == 15 * 15
    assert Counting.iterations == 1


# --- Targets ----------------------------------------------------------------------------


def test_target_met_not_met_and_unknown():
    formula = compile_formula('count(kind="recours_gracieux")', fields=FIELDS)
    actions = study_actions()
    assert evaluate_indicator(formula, actions, 10) == IndicatorValue(13, 10, True)
    assert evaluate_indicator(formula, actions, 13).met is True
    assert evaluate_indicator(formula, actions, 20) == IndicatorValue(13, 20, False)
    assert evaluate_indicator(formula, actions, None) == IndicatorValue(13, None, None)


def test_target_unknown_without_value():
    formula = compile_formula('median_days(kind="orientation")', fields=FIELDS)
    result = evaluate_indicator(formula, study_actions(), 30)
    assert result == IndicatorValue(None, 30, None)


def test_target_with_period():
    formula = compile_formula('count(kind="recours_gracieux")', fields=FIELDS)
    period = (START, START + timedelta(6))
    result = evaluate_indicator(formula, study_actions(), 5, period=period)
    assert result == IndicatorValue(3, 5, False)


# --- Rejected formulas ------------------------------------------------------------------


def test_rejects_import():
    caught = error('__import__("os")')
    assert "Fonction inconnue « __import__ »" in str(caught)


def test_rejects_attribute_access():
    caught = error("a.b")
    assert "attribut" in str(caught)
    caught = error('count(kind="contact").real')
    assert "attribut" in str(caught)
    caught = error("().__class__.__bases__[0].__subclasses__()")
    assert "non autorisé" in str(caught)


def test_rejects_lambda():
    caught = error("(lambda: 1)()")
    assert "Appel non autorisé" in str(caught)
    caught = error("lambda: 1")
    assert "lambda" in str(caught)


def test_rejects_comprehensions():
    for text in ("[x for x in ()]", "{x for x in ()}", "{x: 1 for x in ()}"):
        assert "compréhensions" in str(error(text))
    assert "Fonction inconnue « sum »" in str(error("sum(x for x in ())"))
    assert "compréhensions" in str(error("max(x for x in ())"))


def test_rejects_unknown_function_with_message_and_position():
    caught = error('2 * cout(kind="contact")')
    assert caught.message == (
        "Fonction inconnue « cout » : utilisez count, cases, percent, min, max ou median_days."
    )
    assert caught.position == 5
    assert str(caught).endswith("(caractère 5)")


def test_position_counts_characters_not_bytes():
    caught = error('count(commune="Échirolles") + cout()')
    assert caught.position == len('count(commune="Échirolles") + ') + 1
    caught = error("(1 +\n  cout())")
    assert caught.position == 8


def test_rejects_unknown_field_listing_fields():
    caught = error('count(type="contact")')
    assert caught.message == (
        "Champ inconnu « type » : champs possibles : case, commune, kind, outcome, public."
    )
    assert caught.position == 7


def test_rejects_unknown_value_listing_valid_values():
    caught = error('count(kind="recour_gracieux")')
    assert "Valeur inconnue « recour_gracieux » pour le champ « kind »" in caught.message
    assert (
        "accompagnement, contact, information, orientation, recours_contentieux, "
        "recours_gracieux." in caught.message
    )
    caught = error('count(kind=["recours_gracieux", "recour_contentieux"])')
    assert "« recour_contentieux »" in caught.message
    assert caught.position == len('count(kind=["recours_gracieux", ') + 1
    assert '""' in error('count(outcome="ok")').message


def test_rejects_too_long_formula():
    text = "+".join(["count()"] * 70)
    assert len(text) > MAX_LENGTH
    assert "trop longue" in str(error(text))
    compile_formula("+".join(["count()"] * 60), fields=FIELDS)


def test_rejects_deep_nesting():
    deep = "(" * (MAX_DEPTH + 5) + "1" + ")" * (MAX_DEPTH + 5)
    assert compile_formula(deep, fields=FIELDS).evaluate([]) == 1  # brackets add no level
    assert compile_formula("-" * MAX_DEPTH + "1", fields=FIELDS).evaluate([]) == 1
    assert "trop imbriquée" in str(error("-" * (MAX_DEPTH + 1) + "1"))
    assert "trop imbriquée" in str(error("(" * 240 + "1" + ")" * 240))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('count(kind="contact"', "jamais fermé"),
        ('count(kind="contact"))', "en trop"),
        ('count(kind="contact)', "guillemet"),
        ("1 +", "Erreur de syntaxe"),
        ('count(kind "contact")', "Erreur de syntaxe"),
    ],
)
def test_syntax_errors_are_explained_in_french(text, expected):
    caught = error(text)
    assert caught.message.startswith("Erreur de syntaxe : ")
    assert expected in caught.message
    assert caught.position is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "vide"),
        ("   ", "vide"),
        ("2 ** 10", "Opérateur non autorisé « ** »"),
        ("7 // 2", "Opérateur non autorisé « // »"),
        ("+3", "Opérateur non autorisé"),
        ("not 1", "Opérateur non autorisé"),
        ('count(kind=="contact")', "comparaisons"),
        ("1 if 1 else 2", "conditions"),
        ("1 and 2", "logiques"),
        ("kind", "Nom inattendu « kind »"),
        ('"contact"', "Texte « contact » inattendu"),
        ("True", "Valeur non autorisée"),
        ("None", "Valeur non autorisée"),
        ("1j", "Valeur non autorisée"),
        ("[1, 2]", "liste"),
        ('count("contact")', "filtres nommés"),
        ('count(kind="contact", kind="information")', "deux fois"),
        ("count(kind=1)", "texte entre guillemets"),
        ("count(kind=[])", "vide"),
        ("count(kind=x)", "texte entre guillemets"),
        ("count(**{'kind': 'contact'})", "**filtres"),
        ('percent(count(kind="contact"))', "deux valeurs"),
        ("percent(1, 2, 3)", "deux valeurs"),
        ('max(kind="contact")', "filtre nommé"),
        ("max()", "au moins une valeur"),
        ("max(*[1, 2])", "étoile"),
        ('f"{1}"', "formatés"),
        ("{1: 2}", "dictionnaires"),
        ("(x := 1)", "affectation"),
        ("1" * 400, "trop grand"),
        ("1e999", "trop grand"),
    ],
)
def test_rejected_formulas(text, expected):
    assert expected in str(error(text))


def test_error_is_a_value_error():
    assert issubclass(FormulaError, ValueError)


def test_huge_results_give_none():
    assert value("1e300 * 1e300") is None
    assert value("-1e300 * 1e300") is None
