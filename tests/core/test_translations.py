"""French translations: complete, compiled, and actually used by the pages."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def plural(self) -> bool:
        return "msgid_plural" in self.fields

    @property
    def msgstrs(self) -> dict[str, str]:
        return {k: v for k, v in self.fields.items() if k.startswith("msgstr")}


def _unquote(literal: str) -> str:
    # PO string escapes (\n, \t, \", \\) are a subset of Python's.
    return ast.literal_eval(literal)


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: enough for files written by xgettext/msgmerge."""
    entries: list[Entry] = []
    current: Entry | None = None
    last_key: str | None = None

    def flush() -> None:
        nonlocal current, last_key
        if current is not None and "msgid" in current.fields:
            entries.append(current)
        current, last_key = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):  # obsolete entry: not used at run time
            continue
        if current is None or (line.startswith("#") and last_key is not None):
            flush()
            current = Entry(line=number)
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert last_key is not None, f"{path.name}:{number}: string outside an entry"
            current.fields[last_key] += _unquote(line)
        else:
            match = KEYWORD.match(line)
            assert match, f"{path.name}:{number}: cannot parse {raw!r}"
            last_key = match.group(1)
            current.fields[last_key] = _unquote(match.group(2))
    flush()
    return entries


def messages(entries: list[Entry]) -> list[Entry]:
    return [entry for entry in entries if entry.msgid]


def catalog(mo_path: Path) -> dict:
    with mo_path.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    # The header (msgid "") carries dates that change without any new translation.
    return {key: value for key, value in translations._catalog.items() if key != ""}


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    assert PO_PATH.exists(), "run: cocon makemessages --locale fr"
    return parse_po(PO_PATH)


def test_po_header_is_french_and_not_fuzzy(entries):
    header = next(entry for entry in entries if entry.msgid == "")
    assert "fuzzy" not in header.flags
    assert "Language: fr\n" in header.fields["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n > 1);\n" in header.fields["msgstr"]


def test_every_entry_is_translated_and_not_fuzzy(entries):
    translatable = messages(entries)
    assert len(translatable) > 100, "the parser found suspiciously few entries"
    fuzzy = [entry.msgid for entry in translatable if "fuzzy" in entry.flags]
    untranslated = [
        entry.msgid
        for entry in translatable
        if not entry.msgstrs or not all(entry.msgstrs.values())
    ]
    plural_forms = [
        entry.msgid
        for entry in translatable
        if entry.plural and set(entry.msgstrs) != {"msgstr[0]", "msgstr[1]"}
    ]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"
    assert not plural_forms, f"French needs exactly two plural forms: {plural_forms}"


def test_placeholders_are_kept(entries):
    problems = []
    for entry in messages(entries):
        if entry.plural:
            allowed = set(PLACEHOLDER.findall(entry.msgid + entry.fields["msgid_plural"]))
            for key, text in entry.msgstrs.items():
                if not set(PLACEHOLDER.findall(text)) <= allowed:
                    problems.append((entry.msgid, key))
            if set(PLACEHOLDER.findall(entry.fields["msgid_plural"])) - set(
                PLACEHOLDER.findall(entry.fields.get("msgstr[1]", ""))
            ):
                problems.append((entry.msgid, "msgstr[1]"))
        elif set(PLACEHOLDER.findall(entry.msgid)) != set(
            PLACEHOLDER.findall(entry.fields.get("msgstr", ""))
        ):
            problems.append((entry.msgid, "msgstr"))
    assert not problems, f"placeholders differ from the English: {problems}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (gettext) is not installed")
def test_committed_mo_matches_po(tmp_path):
    assert MO_PATH.exists(), "run: cocon compilemessages --locale fr"
    fresh = tmp_path / "django.mo"
    subprocess.run(
        [shutil.which("msgfmt"), "--check-format", "-o", str(fresh), str(PO_PATH)],
        check=True,
        capture_output=True,
    )
    expected, committed = catalog(fresh), catalog(MO_PATH)
    missing = sorted(str(key) for key in expected.keys() - committed.keys())
    stale = sorted(str(key) for key in committed.keys() - expected.keys())
    changed = sorted(
        str(key) for key in expected.keys() & committed.keys() if expected[key] != committed[key]
    )
    hint = "django.mo is out of date: run cocon compilemessages --locale fr"
    assert not missing, f"{hint}; missing: {missing}"
    assert not stale, f"{hint}; no longer in the .po: {stale}"
    assert not changed, f"{hint}; translation changed: {changed}"


def test_gettext_uses_the_french_catalog():
    with translation.override("fr"):
        assert translation.gettext("Log in") == "Se connecter"
        assert translation.gettext("Skip to content") == "Aller au contenu"
        assert translation.ngettext("%(n)s agent", "%(n)s agents", 2) % {"n": 2} == "2 agents"
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"


@pytest.mark.django_db
def test_home_page_is_french_by_default_and_switches_to_english(client):
    page = client.get("/").content.decode()
    assert 'lang="fr"' in page
    assert "Aller au contenu" in page

    response = client.post("/langue/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.url == "/"

    page = client.get("/").content.decode()
    assert 'lang="en"' in page
    assert "Skip to content" in page
    assert "Aller au contenu" not in page
