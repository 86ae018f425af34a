"""Take the README screenshots from a demo server in real Chromium.

.venv/bin/python scripts/screenshots.py      (or: make screenshots)
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
COCON = str(ROOT / ".venv" / "bin" / "cocon")
CHROMIUM = os.environ.get("COCON_CHROMIUM", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data_dir = tempfile.mkdtemp(prefix="cocon-shots-")
    env = {**os.environ, "COCON_DATA_DIR": data_dir, "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    for args in (
        ["migrate", "--no-input", "-v0"],
        ["demo", "load"],
        ["collectstatic", "--no-input", "-v0"],
    ):
        subprocess.run([COCON, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen(
        [COCON, "serve", "--port", str(port), "--no-collectstatic", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(base + "/")
            page.screenshot(path=OUT / "home.png")
            page.goto(base + "/compte/connexion/")
            page.fill("#id_email", "manager@demo.cocon.test")
            page.fill("#id_password", "cocon-demo-2026")
            page.click("main button[type=submit]")
            page.wait_for_url("**/espace/")
            page.screenshot(path=OUT / "espace-manager.png")
            page.goto(base + "/espace/paroles/")
            page.screenshot(path=OUT / "paroles-feed.png")
            first = page.locator(".voice-item a").first
            first.click()
            page.wait_for_load_state()
            page.screenshot(path=OUT / "paroles-detail.png", full_page=True)
            page.goto(base + "/espace/signalements/")
            page.screenshot(path=OUT / "signalements-staff.png")
            page.goto(base + "/signalements/?status=all")
            page.wait_for_timeout(1500)  # markers drawn (no tiles without internet: grey map)
            page.evaluate("document.querySelector('#map-title').scrollIntoView()")
            page.screenshot(path=OUT / "signalements-public.png")
            page.goto(base + "/espace/barometres/")
            page.locator("main table a").first.click()  # the water barometer's dashboard
            page.wait_for_load_state()
            page.screenshot(path=OUT / "barometre-dashboard.png")
            page.evaluate("document.querySelector('#matrix-title').scrollIntoView()")
            page.screenshot(path=OUT / "barometre-matrix.png")
            page.goto(base + "/idees/")
            page.locator("main a[href^='/idees/appels/']").first.click()  # the mégots call
            page.wait_for_load_state()
            page.screenshot(path=OUT / "idees-campaign.png")
            page.goto(base + "/idees/toutes/?state=rejected")
            page.locator("[data-idea-list] a").first.click()
            page.wait_for_load_state()
            page.screenshot(path=OUT / "idees-detail.png", full_page=True)
            phone = browser.new_page(viewport={"width": 360, "height": 740})
            phone.goto(base + "/barometres/")
            phone.locator("main a[href^='/barometres/']").first.click()
            phone.wait_for_load_state()
            phone.screenshot(path=OUT / "phone-barometre.png")
            phone.goto(base + "/organisations/agglo-val-de-lise/")
            phone.screenshot(path=OUT / "phone-organisation.png")
            phone.goto(base + "/compte/connexion/")
            phone.fill("#id_email", "agent@demo.cocon.test")
            phone.fill("#id_password", "cocon-demo-2026")
            phone.click("main button[type=submit]")
            phone.wait_for_url("**/espace/")
            phone.goto(base + "/espace/paroles/saisir/")
            phone.screenshot(path=OUT / "phone-capture.png", full_page=True)
            phone.goto(base + "/espace/terrain/")
            phone.wait_for_timeout(1000)
            phone.screenshot(path=OUT / "phone-terrain.png", full_page=True)
            phone.goto(base + "/idees/")
            phone.locator("main a[href^='/idees/appels/']").first.click()  # the mégots call
            phone.wait_for_load_state()
            phone.locator("main a[href$='/proposer/']").first.click()
            phone.wait_for_load_state()
            phone.locator("#id_title").press_sequentially("Des cendriers de poche", delay=30)
            phone.wait_for_timeout(1200)  # the similar ideas appear under the title
            phone.screenshot(path=OUT / "phone-idee.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"screenshots written to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
