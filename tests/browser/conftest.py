"""Browser tests: real headless Chromium (Playwright, sync API) against pytest-django's
``live_server``, with the demo territory loaded.

Chromium is the Debian package (``apt-get install chromium``), found through the
``COCON_CHROMIUM`` environment variable, ``/usr/bin/chromium`` or ``$PATH``. Without it the
browser tests are skipped with a loud warning, except under CI (``CI=true``) where every
one of them fails: a CI run must never pass silently without its browser tests.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pytest

from .snapshot import Snapshot

REPO_ROOT = Path(__file__).resolve().parents[2]
BROWSER_DIR = Path(__file__).resolve().parent
AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

ROLES = ("usager", "agent", "manager", "direction", "elu", "expert", "animateur", "admin")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Tags of the audit: WCAG 2.0/2.1 A and AA, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING_IMPACTS = ("serious", "critical")

INSTALL_HINT = (
    "Install it with `apt-get install chromium` (Debian/Ubuntu), or point COCON_CHROMIUM "
    "at a Chromium executable; axe-core comes from `npm ci` (node_modules/axe-core)."
)


# --- Is everything needed here? -------------------------------------------------------------


def chromium_executable() -> str | None:
    configured = os.environ.get("COCON_CHROMIUM")
    if configured:
        return configured if os.path.isfile(configured) and os.access(configured, os.X_OK) else None
    if os.path.isfile("/usr/bin/chromium") and os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _missing_requirements() -> list[str]:
    missing = []
    if chromium_executable() is None:
        where = os.environ.get("COCON_CHROMIUM") or "/usr/bin/chromium or `chromium` on $PATH"
        missing.append(f"Chromium not found ({where})")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright is not installed (pip install playwright)")
    if not AXE_PATH.is_file():
        missing.append(f"axe-core not found at {AXE_PATH} (run `npm ci`)")
    return missing


MISSING = _missing_requirements()
IN_CI = os.environ.get("CI", "").lower() == "true"
_skipped_for_missing: list[str] = []


def _in_browser_dir(item: pytest.Item) -> bool:
    return BROWSER_DIR in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session: only touch the tests of this directory.
    for item in items:
        if _in_browser_dir(item):
            item.add_marker(pytest.mark.browser)


def pytest_runtest_setup(item):
    if not MISSING or not _in_browser_dir(item):
        return
    reason = "BROWSER TESTS NOT RUN: " + "; ".join(MISSING) + ". " + INSTALL_HINT
    if IN_CI:
        pytest.fail(reason + " (CI=true: browser tests are required)", pytrace=False)
    _skipped_for_missing.append(item.nodeid)
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _skipped_for_missing:
        return
    banner = f"{len(_skipped_for_missing)} browser tests were SKIPPED: " + "; ".join(MISSING) + ". "
    terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
    terminalreporter.write_line(banner + INSTALL_HINT, red=True, bold=True)
    terminalreporter.write_sep("!", red=True, bold=True)
    warnings.warn(banner + INSTALL_HINT, stacklevel=1)


# --- Browser --------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all the browser tests.

    Package-scoped rather than session-scoped: Playwright's sync API keeps an asyncio loop
    running in the main thread while it is started, which makes Django refuse ORM calls
    from that thread (SynchronousOnlyOperation). The loop is idle whenever our code runs,
    so DJANGO_ALLOW_ASYNC_UNSAFE is set exactly while Playwright is up, and Playwright
    stops after the last browser test so the rest of the suite keeps Django's check.
    """
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(
                executable_path=chromium_executable(), headless=True, args=LAUNCH_ARGS
            )
            yield chromium
            chromium.close()


def new_context(browser, viewport=DESKTOP):
    # bypass_csp: the site's CSP (script-src 'self') blocks the inline <script> through
    # which axe-core is injected. Our pages use no inline script or style, so bypassing
    # the CSP changes nothing to what they render (test_journeys checks them under it).
    return browser.new_context(
        viewport=viewport, locale="fr-FR", bypass_csp=True, accept_downloads=True
    )


@pytest.fixture
def context(browser):
    ctx = new_context(browser)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    return pg


# --- Data -----------------------------------------------------------------------------------


_SNAPSHOTS: dict[tuple[str, str], Snapshot] = {}


@pytest.fixture(autouse=True)
def demo(transactional_db, live_server):
    """The demo territory, fresh for each test (live_server needs a real commit, so
    transactional_db flushes everything after each test). Loaded once, by the first test,
    then restored from a snapshot (tests/browser/snapshot.py): each test still starts from
    exactly what `load_demo` wrote. 300 voices instead of 3 000 and 150 barometer
    respondents per wave instead of 1 000: enough for every page."""
    from django.db import connection

    from cocon.demo.loader import load_demo

    key = (connection.vendor, str(connection.settings_dict["NAME"]))
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is not None:
        snapshot.restore()
        return snapshot.summary
    summary = load_demo(voices=300, reports=150, barometer_respondents=150)
    _SNAPSHOTS[key] = Snapshot(summary)
    return summary


# --- Helpers --------------------------------------------------------------------------------


def url(live_server, path: str) -> str:
    return live_server.url + path


def email_of(role: str) -> str:
    """The demo account of a role, or `role` itself when it is already an address."""
    return role if "@" in role else f"{role}@demo.cocon.test"


def login(page, live_server, role: str, *, expect_url: str = "/espace/"):
    """Log in through the real form as the demo account of `role`."""
    from cocon.demo.loader import DEMO_PASSWORD

    page.goto(url(live_server, "/compte/connexion/"))
    form = page.locator("main form").first
    form.locator("input[name=email]").fill(email_of(role))
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(url(live_server, expect_url))
    return page


_AXE_SOURCE: str | None = None


def _axe_source() -> str:
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = AXE_PATH.read_text(encoding="utf-8")
    return _AXE_SOURCE


def _describe(violation: dict) -> str:
    targets = []
    for node in violation["nodes"][:3]:
        targets.append(" ".join(str(t) for t in node["target"]))
    more = len(violation["nodes"]) - len(targets)
    return (
        f"  - {violation['id']} [{violation['impact']}] {violation['help']}\n"
        f"    {violation['helpUrl']}\n"
        f"    targets: {' | '.join(targets)}" + (f" (+{more} more)" if more > 0 else "")
    )


def audit(page, *, disabled_rules: tuple[str, ...] = ()) -> dict:
    """Run axe-core on the current page; fail on any serious or critical violation.

    `disabled_rules` is for documented, page-specific exclusions only.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    options = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        "rules": {rule: {"enabled": False} for rule in disabled_rules},
        "resultTypes": ["violations"],
    }
    results = page.evaluate("(options) => axe.run(document, options)", options)
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    viewport = page.viewport_size or {}
    assert not blocking, (
        f"{len(blocking)} serious/critical accessibility violation(s) on {page.url} "
        f"at {viewport.get('width')}x{viewport.get('height')}:\n"
        + "\n".join(_describe(v) for v in blocking)
    )
    return results


def french(msgid: str) -> str:
    """The French text of a message, asserting it is translated (not the English msgid)."""
    from django.utils import translation

    with translation.override("fr"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no French translation for {msgid!r} (compile cocon/locale)"
    return text
