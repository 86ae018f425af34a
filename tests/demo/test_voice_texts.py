"""The demo voices (cocon.demo.voice_texts): pure data, checked against the demo territory.

No database: the module is plain Python. One seeded draw of 5 000 voices over two years
is shared by the tests of its shares and consistency.
"""

from __future__ import annotations

import os
import random
import re
import string
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta

import pytest

from cocon.demo import data
from cocon.demo import voice_texts as vt
from cocon.lib import keywords
from cocon.voices.models import AgeBand, CaptureMode, Channel, Kind, Occupation, Status

START = datetime(2023, 11, 1, tzinfo=vt.PARIS)
END = datetime(2025, 11, 3, 11, 30, tzinfo=vt.PARIS)
COUNT = 5000

ORGANIZATIONS = {org.slug: org for org in data.ORGANIZATIONS}
PUBLIC_SERVICES = {
    org.slug: {s.slug for s in org.all_services if s.is_public} for org in data.ORGANIZATIONS
}
THEME_SLUGS = {theme.slug for theme in vt.THEMES}
AGENT_FIRST_NAMES = {p.first_name for p in data.all_people() if p.agent is not None}


@pytest.fixture(scope="module")
def voices() -> list[vt.VoiceSpec]:
    return vt.generate_voices(random.Random(20251103), COUNT, start=START, end=END)


def share(items, predicate) -> float:
    items = list(items)
    return sum(1 for item in items if predicate(item)) / len(items)


def slots(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


# --- Vocabulary, themes, routing ---------------------------------------------------------
def test_vocabulary_is_the_one_of_the_voice_models():
    # reports (their kind, the Open311 channel, the repair states) come from
    # cocon.demo.reports_loader, not from the voice text generator
    assert set(vt.KINDS) == set(Kind.values) - {Kind.REPORT}
    assert set(vt.CHANNELS) == set(Channel.values) - {Channel.APP}
    assert set(vt.CAPTURE_MODES) == set(CaptureMode.values)
    assert set(vt.STATUSES) == set(Status.values) - {Status.SCHEDULED, Status.FIXED}
    assert set(vt.PROFILE_AGE_BANDS) == set(AgeBand.values)
    assert set(vt.OCCUPATIONS) == set(Occupation.values) == set(vt.OCCUPATION_LABELS)
    assert set(vt.RELAY_CHANNELS) | set(vt.OBSERVATION_CHANNELS) | set(vt.SELF_CHANNELS) == set(
        vt.CHANNELS
    )


def test_the_module_needs_no_django():
    code = (
        "import sys, cocon.demo.voice_texts; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_themes_are_distinct_with_usable_keywords():
    assert 14 <= len(vt.THEMES) <= 18
    assert len(THEME_SLUGS) == len(vt.THEMES)
    assert len({t.name for t in vt.THEMES}) == len(vt.THEMES)
    assert {t.slug: t for t in vt.THEMES} == vt.THEMES_BY_SLUG
    for theme in vt.THEMES:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", theme.slug)
        assert len(theme.keywords) >= 10, theme.slug
        assert len(set(theme.keywords)) == len(theme.keywords), theme.slug
        for keyword in theme.keywords:
            # Theme.keywords is stored comma-separated; each one must survive tokenising.
            assert keyword and keyword == keyword.strip() and "," not in keyword
            assert keywords.tokens(keyword), (theme.slug, keyword)


def test_every_organization_with_public_services_has_routes():
    assert set(vt.ROUTING) == {slug for slug, services in PUBLIC_SERVICES.items() if services}


@pytest.mark.parametrize("organization", sorted(vt.ROUTING))
def test_routes_point_to_public_services_of_their_organization(organization):
    rules = vt.ROUTING[organization]
    for rule in rules:
        assert rule.service in PUBLIC_SERVICES[organization], rule
        assert rule.kind is None or rule.kind in vt.KINDS, rule
        assert rule.theme is None or rule.theme in THEME_SLUGS, rule
    keys = [(rule.kind, rule.theme) for rule in rules]
    assert len(keys) == len(set(keys)), "one rule per (kind, theme), as in RoutingRule"
    assert keys.count((None, None)) == 1, "exactly one catch-all"


def test_the_most_specific_route_wins():
    assert vt.route_service(data.CCAS, "alert", "action-sociale") == (
        "equipe-mobile-acces-aux-droits"
    )
    assert vt.route_service(data.CCAS, "question", "action-sociale") == "action-sociale"
    # A theme rule beats a kind rule; a kind rule beats the catch-all.
    assert vt.route_service(data.VILLE, "suggestion", "enfance-ecoles") == "accueil-etat-civil"
    assert vt.route_service(data.VILLE, "suggestion", "sante") == "vie-des-quartiers"
    assert vt.route_service(data.VILLE, "question", "sante") == "accueil-etat-civil"
    assert vt.route_service(data.AGGLO, "question", "eau-assainissement") == "eau-assainissement"
    assert vt.route_service(data.AGGLO, "question", "enfance-ecoles") == "accueil"
    assert vt.route_service(data.CPAM, None, None) == "accueil-assures"


def test_theme_organizations_are_known_and_routed():
    assert set(vt.THEME_ORGANIZATIONS) == THEME_SLUGS
    for theme, pairs in vt.THEME_ORGANIZATIONS.items():
        assert pairs and all(weight > 0 for _, weight in pairs), theme
        for organization, _ in pairs:
            assert organization in vt.ROUTING, (theme, organization)
    reached = {org for pairs in vt.THEME_ORGANIZATIONS.values() for org, _ in pairs}
    assert reached == set(vt.ROUTING), "every organization receives some voices"


# --- Templates -----------------------------------------------------------------------------
def test_every_theme_has_varied_templates():
    assert set(vt.TEMPLATES) == THEME_SLUGS == set(vt.ANSWERS)
    for theme, sections in vt.TEMPLATES.items():
        assert set(sections) == set(vt.KINDS), theme
        assert sum(len(entries) for entries in sections.values()) >= 20, theme
        texts = [text for entries in sections.values() for text, _ in entries]
        assert len(texts) == len(set(texts)), theme


@pytest.mark.parametrize("theme", sorted(THEME_SLUGS))
def test_every_organization_of_a_theme_has_texts_of_every_kind(theme):
    organizations = {org for org, _ in vt.THEME_ORGANIZATIONS[theme]}
    for kind in vt.KINDS:
        for organization in organizations:
            assert vt.templates_for(theme, organization, kind), (theme, organization, kind)
    for entries in vt.TEMPLATES[theme].values():
        for text, restricted_to in entries:
            # A text restricted to organizations that never receive the theme is dead.
            assert restricted_to is None or restricted_to & organizations, (theme, text)


def all_texts_and_answers() -> list[str]:
    texts = [text for sections in vt.TEMPLATES.values() for e in sections.values() for text, _ in e]
    texts += list(vt.GENERIC_THANKS)
    texts += [text for sections in vt.ANSWERS.values() for e in sections.values() for text, _ in e]
    texts += [text for entries in vt.GENERIC_ANSWERS.values() for text, _ in entries]
    return texts


def test_templates_use_only_known_slots_and_are_clean():
    for text in all_texts_and_answers():
        assert slots(text) <= vt.SLOTS, text
        assert "  " not in text and text == text.strip(), text
        assert text[0].isupper() or text[0] in "À{É", text
        assert text[-1] in ".!?", text
        assert "[" not in text and "]" not in text, text


def test_answers_cover_every_kind():
    assert set(vt.GENERIC_ANSWERS) == {
        "alert",
        "complaint",
        "info",
        "idea",
        "testimony",
        "thanks",
        "observation",
        "not_for_us",
    }
    for theme, sections in vt.ANSWERS.items():
        assert set(sections) == {"fix", "info", "idea"}, theme


# --- Generation ----------------------------------------------------------------------------
def test_generation_is_deterministic():
    first = vt.generate_voices(random.Random(5), 300, start=START, end=END)
    again = vt.generate_voices(random.Random(5), 300, start=START, end=END)
    other = vt.generate_voices(random.Random(6), 300, start=START, end=END)
    assert first == again
    assert [v.text for v in first] != [v.text for v in other]


def test_generation_does_not_depend_on_string_hashing():
    code = (
        "import random, datetime as d, cocon.demo.voice_texts as vt; "
        "z = vt.PARIS; "
        "v = vt.generate_voices(random.Random(9), 400, start=d.datetime(2024, 1, 1, tzinfo=z), "
        "end=d.datetime(2025, 1, 1, tzinfo=z)); "
        "print(repr(v))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_generation_is_fast():
    began = time.perf_counter()
    vt.generate_voices(random.Random(1), 5000, start=START, end=END)
    assert time.perf_counter() - began < 1.0


def test_arguments_are_checked():
    assert vt.generate_voices(random.Random(1), 0, start=START, end=END) == []
    with pytest.raises(ValueError):
        vt.generate_voices(random.Random(1), 10, start=END, end=START)
    with pytest.raises(ValueError):
        vt.generate_voices(random.Random(1), -1, start=START, end=END)
    naive = vt.generate_voices(
        random.Random(1), 50, start=datetime(2024, 1, 1), end=datetime(2024, 3, 1)
    )
    assert all(v.created_at.tzinfo is vt.PARIS for v in naive)
    assert all(datetime(2024, 1, 1, tzinfo=vt.PARIS) <= v.created_at for v in naive)


def test_voices_are_in_chronological_order(voices):
    assert [v.created_at for v in voices] == sorted(v.created_at for v in voices)


def test_capture_mode_shares(voices):
    modes = Counter(v.capture_mode for v in voices)
    assert abs(modes["observation"] / COUNT - 0.10) < 0.025
    assert abs(modes["relayed"] / COUNT - 1 / 3) < 0.035
    assert abs(modes["self"] / COUNT - 0.57) < 0.04


def test_kinds_and_channels_fit_the_capture_mode(voices):
    for v in voices:
        assert v.kind in vt.KINDS and v.channel in vt.CHANNELS
        assert (v.kind == "observation") == (v.capture_mode == "observation"), v
        if v.capture_mode == "self":
            assert v.channel in vt.SELF_CHANNELS, v
            assert v.relay_agent_index is None, v
        else:
            assert v.relay_agent_index in range(1000), v
        if v.capture_mode == "relayed":
            assert v.channel in vt.RELAY_CHANNELS, v
        if v.capture_mode == "observation":
            assert v.channel in vt.OBSERVATION_CHANNELS, v
            assert v.profile is None and not v.contact_email, v
    self_channels = Counter(v.channel for v in voices if v.capture_mode == "self")
    assert self_channels.most_common(1)[0][0] == "web"
    assert (
        share((v for v in voices if v.capture_mode == "self"), lambda v: v.channel == "web") > 0.6
    )
    relayed = Counter(v.channel for v in voices if v.capture_mode == "relayed")
    assert set(relayed) == set(vt.RELAY_CHANNELS), "every relay channel is used"


def test_kind_shares(voices):
    kinds = Counter(v.kind for v in voices)
    assert set(kinds) == set(vt.KINDS)
    assert 250 <= kinds["thanks"] <= 650, "a few hundred thanks"
    assert kinds["complaint"] > kinds["thanks"] and kinds["question"] > kinds["thanks"]


def test_every_slug_is_valid(voices):
    for v in voices:
        assert v.organization in ORGANIZATIONS, v
        assert v.service in PUBLIC_SERVICES[v.organization], v
        assert v.theme in THEME_SLUGS, v
        assert v.commune is None or v.commune in data.COMMUNES_BY_NAME, v
        if v.rerouted_from is not None:
            assert v.rerouted_from in PUBLIC_SERVICES[v.organization], v
            assert v.rerouted_from != v.service, v
    assert {v.organization for v in voices} == set(vt.ROUTING)
    assert {v.theme for v in voices} == THEME_SLUGS


def test_voices_follow_the_routing(voices):
    for v in voices:
        assert v.service == vt.route_service(v.organization, v.kind, v.theme), v


def test_communes_fit_the_organization(voices):
    assert 0.06 <= share(voices, lambda v: v.commune is None) <= 0.15
    others = [name for name in data.COMMUNES_BY_NAME if name != data.CENTRAL_CITY]
    for v in voices:
        communes = ORGANIZATIONS[v.organization].communes
        if v.commune and communes:
            assert v.commune in communes, v
        if v.commune is None:  # then the text names no commune (Montlise is a landmark)
            assert not any(name in v.text for name in others), v
    named = [v for v in voices if v.commune and v.commune in v.text]
    assert len(named) > COUNT / 5


def test_rerouted_and_referred_shares(voices):
    assert 0.03 <= share(voices, lambda v: v.rerouted_from is not None) <= 0.08
    statuses = Counter(v.status for v in voices)
    assert 0.01 <= statuses["not_for_us"] / COUNT <= 0.05
    assert 0.005 <= statuses["merged"] / COUNT <= 0.05


def test_referred_voices_went_to_an_organization_not_in_charge(voices):
    referred = [v for v in voices if v.status == "not_for_us"]
    assert referred
    phones = {org.phone for org in data.ORGANIZATIONS}
    for v in referred:
        in_charge = {org for org, _ in vt.THEME_ORGANIZATIONS[v.theme]}
        assert v.organization not in in_charge, v
        assert "relève" in v.answer, v
        quoted = {phone for phone in phones if phone in v.answer}
        assert quoted and ORGANIZATIONS[v.organization].phone not in quoted, v


def test_texts_are_clean_french(voices):
    for v in voices:
        assert v.text and v.text == v.text.strip(), v
        assert "{" not in v.text and "}" not in v.text, v
        assert "  " not in v.text, v
        assert len(v.text) <= 5000
        assert v.text[0].isupper() or v.text[0] == "À", v
        assert v.text[-1] in ".!?»", v
        sentences = re.findall(r"[.!?](?:\s|$|\u00a0»)", v.text)
        assert 1 <= len(sentences) <= 5, v.text
    contractions = re.compile(r"\b(?:à|de) Les? [A-ZÉ]")  # "aux Essarts", "du Pré-Sablon"
    assert not any(contractions.search(v.text) for v in voices)
    distinct = len({v.text for v in voices})
    assert distinct > 0.55 * COUNT, "slots and closings make the texts varied"


def test_thanks_thank_an_agent_or_a_team(voices):
    thanks = [v for v in voices if v.kind == "thanks"]
    for v in thanks:
        assert re.search(r"merci|remercier|bravo", v.text, re.IGNORECASE), v.text
    by_name = [v for v in thanks if any(name in v.text for name in AGENT_FIRST_NAMES)]
    assert len(by_name) > len(thanks) / 5


def test_relayed_texts_often_say_where_they_were_heard(voices):
    relayed = [v for v in voices if v.capture_mode == "relayed"]
    quoted = [v for v in relayed if "«" in v.text]
    assert 0.4 <= len(quoted) / len(relayed) <= 0.7
    technical = {"eau-assainissement", "dechets", "voirie", "eclairage", "proprete"}
    maraude = [v for v in voices if v.channel == "maraude"]
    assert maraude and not any(v.theme in technical for v in maraude)


def test_the_itinerant_bus_stops_in_its_villages(voices):
    tour = {"Chiranne", "Les Essarts-de-Lise", "Vaulnières", "Saint-Géraud-des-Noyers"}
    tour.add("La Morinière")
    at_the_bus = [v for v in voices if re.search(r"bus (?:à|aux) ", v.text)]
    assert at_the_bus
    for v in at_the_bus:
        assert v.commune in tour, v
    on_board = [v for v in voices if v.channel == "bus" and v.commune in tour]
    # The bus runs on Tuesdays, Thursdays and Friday afternoons.
    assert all(v.created_at.weekday() in (1, 3, 4) for v in on_board)


def test_created_at_is_aware_paris_time_within_the_period(voices):
    for v in voices:
        assert v.created_at.tzinfo is vt.PARIS
        assert START <= v.created_at <= END, v
        assert v.event_date <= v.created_at.date(), v
        assert v.created_at.date() - v.event_date <= timedelta(days=31), v
    # More voices lately: the platform catches on.
    middle = START + (END - START) / 2
    assert share(voices, lambda v: v.created_at >= middle) > 0.55


def test_capture_hours_fit_the_channel(voices):
    counter = [v for v in voices if v.channel == "counter"]
    in_hours = [
        v
        for v in counter
        if v.created_at.weekday() < 5
        and (8, 30) <= (v.created_at.hour, v.created_at.minute) < (17, 0)
    ]
    assert len(in_hours) >= 0.98 * len(counter)
    maraude = [v for v in voices if v.channel == "maraude"]
    assert share(maraude, lambda v: v.created_at.weekday() == 1 and v.created_at.hour >= 19) > 0.95


def test_timings_are_consistent_with_the_status(voices):
    for v in voices:
        ack, answered, closed = (
            v.acknowledged_after_hours,
            v.answered_after_hours,
            v.closed_after_hours,
        )
        expected = {
            "received": (False, False, False),
            "acknowledged": (True, False, False),
            "in_progress": (True, False, False),
            "answered": (True, True, False),
            "closed": (True, True, True),
            "merged": (True, False, True),
            "not_for_us": (True, True, True),
        }[v.status]
        assert (ack is not None, answered is not None, closed is not None) == expected, v
        known = [h for h in (ack, answered, closed) if h is not None]
        assert known == sorted(known), v
        for hours in known:
            assert hours >= 0
            assert v.created_at + timedelta(hours=hours) <= END, v
        if ack is not None:
            assert 2 <= ack <= 24 * 7 * 8, v
        if v.status in ("answered", "closed", "not_for_us"):
            assert v.answer and "{" not in v.answer, v
        else:
            assert v.answer == "", v


def test_answer_delays_are_realistic(voices):
    delays = sorted(
        v.answered_after_hours / 24
        for v in voices
        if v.status in ("answered", "closed") and v.answered_after_hours is not None
    )
    median = delays[len(delays) // 2]
    assert 2 <= median <= 15
    assert 0.02 <= share(delays, lambda d: d > 30) <= 0.2, "a tail of overdue answers"
    acks = sorted(v.acknowledged_after_hours for v in voices if v.acknowledged_after_hours)
    assert acks[len(acks) // 2] <= 72, "most are acknowledged within three days"


def test_recent_voices_are_more_often_open(voices):
    recent = [v for v in voices if END - v.created_at <= timedelta(days=21)]
    old = [v for v in voices if END - v.created_at > timedelta(days=90)]
    assert recent and old
    assert share(recent, lambda v: v.status in vt.OPEN_STATUSES) > 0.3
    assert share(old, lambda v: v.status in vt.OPEN_STATUSES) < 0.1
    assert share(old, lambda v: v.status in ("answered", "closed")) > 0.85


def test_profiles(voices):
    with_profile = [v for v in voices if v.profile is not None]
    for v in with_profile:
        assert set(v.profile) == {"age_band", "sex", "occupation"}
        assert v.profile["age_band"] in vt.PROFILE_AGE_BANDS
        assert v.profile["sex"] in vt.PROFILE_SEXES
        assert v.profile["occupation"] in vt.OCCUPATIONS
        if v.profile["age_band"] == "75+":
            assert v.profile["occupation"] in ("retired", "other")
    assert 0.3 <= len(with_profile) / COUNT <= 0.55
    assert {v.profile["age_band"] for v in with_profile} == set(vt.PROFILE_AGE_BANDS)
    self_voices = [v for v in voices if v.capture_mode == "self"]
    assert 0.5 <= share(self_voices, lambda v: v.contact_email) <= 0.85


def test_keywords_suggest_the_theme_of_most_voices(voices):
    candidates = {theme.slug: theme.keywords for theme in vt.THEMES}
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for v in voices:
        totals[v.theme] += 1
        best = keywords.best_matches(v.text, candidates, limit=1)
        hits[v.theme] += bool(best) and best[0][0] == v.theme
    assert sum(hits.values()) / COUNT >= 0.75
    for theme, total in totals.items():
        assert hits[theme] / total >= 0.55, theme
