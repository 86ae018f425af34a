import pytest

from cocon.lib.colors import contrast_ratio, relative_luminance, theme_problems


def test_black_on_white_is_21():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)


def test_known_wcag_value():
    # #767676 on white is the classic "just passes AA" grey: 4.54:1
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#ffffff") < 4.5


def test_luminance_bounds():
    assert relative_luminance("#000000") == 0
    assert relative_luminance("#ffffff") == pytest.approx(1.0)


def test_good_pair_has_no_problem():
    assert theme_problems("#1f4e79", "#e8f0f7") == []


def test_light_primary_is_refused():
    problems = theme_problems("#ffff00", "#ffffff")
    assert [(field, code) for field, code, _ in problems] == [("primary_color", "primary_on_white")]
    assert problems[0][2] < 4.5


def test_dark_accent_is_refused():
    problems = theme_problems("#1f4e79", "#333333")
    assert ("accent_color", "text_on_accent") in [(f, c) for f, c, _ in problems]


def test_accent_too_close_to_primary_is_refused():
    # both pass alone (dark primary on white; body text on a mid-light accent) but not together
    problems = theme_problems("#595959", "#c8c8c8")
    assert [(f, c) for f, c, _ in problems] == [("accent_color", "primary_on_accent")]


def test_malformed_colours_are_left_to_field_validation():
    assert theme_problems("blue", "#fff") == []
