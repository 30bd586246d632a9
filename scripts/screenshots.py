"""Screenshots for README: the start page, an event and the registry, at 1280 and 390 px wide.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Serves the demo data from a throwaway SQLite database with gunicorn on a free loopback port,
drives Debian's chromium with Playwright (as the browser tests do: tests/e2e), and writes
<page>-<width>.png. Each picture is the top of the page (the window, not the whole page), so the
files stay small. Needs the test tools (`pip install -e '.[dev]'`) and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
WIDTHS = {1280: 800, 390: 844}  # width: window height
ACCOUNTS = {"coordinator": "koordinator@demo.example", "resource_person": "ressurs@demo.example"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_demo(directory: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "FLASK_APP"}
    env.update({"NETAPP_ENV": "development", "DATABASE_URL": f"sqlite:///{directory / 'demo.sqlite3'}",
                "SECRET_KEY": os.urandom(24).hex(), "BASE_URL": f"http://127.0.0.1:{port}",
                "DEV_MAIL_CATCHER": "false", "MAIL_PORT": str(free_port())})
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for args in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(flask + args, cwd=ROOT, env=env, check=True, capture_output=True)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen([str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return process, url
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise SystemExit("the demo server did not start") from None
            time.sleep(0.3)


def log_in(context, email: str) -> None:
    page = context.new_page()
    page.goto("/auth/login")
    form = page.locator("main form")
    form.get_by_label("E-post").fill(email)
    form.get_by_label("Passord").fill("demo")
    form.get_by_role("button", name="Logg inn").click()
    page.wait_for_url("**/dashboard")
    page.close()


def event_url(context) -> str:
    """The demo's coming network gathering (open for registration), found as a user would."""
    page = context.new_page()
    page.goto("/events/")
    href = page.get_by_role("link", name="Nettverkssamling: Tverrfaglig samarbeid").get_attribute("href")
    page.close()
    return href


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as directory:
        process, url = serve_demo(Path(directory))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                contexts = {}
                for role in (None, *ACCOUNTS):
                    context = browser.new_context(base_url=url, locale="nb-NO", timezone_id="Europe/Oslo",
                                                  viewport={"width": 1280, "height": 800})
                    if role:
                        log_in(context, ACCOUNTS[role])
                    contexts[role] = context
                shots = {
                    "start": (None, "/"),
                    "event": ("resource_person", event_url(contexts["resource_person"])),
                    "registry": ("coordinator", "/registry/"),
                }
                for name, (role, path) in shots.items():
                    page = contexts[role].new_page()
                    for width, height in WIDTHS.items():
                        page.set_viewport_size({"width": width, "height": height})
                        page.goto(path)
                        target = out / f"{name}-{width}.png"
                        page.screenshot(path=str(target))
                        print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
                    page.close()
                browser.close()
        finally:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=15)


if __name__ == "__main__":
    main()
