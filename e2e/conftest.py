"""Real-browser journeys: Playwright drives Debian's Chromium against pytest-django's live server.

Playwright cannot download its own browser here, so it launches /usr/bin/chromium (installed by
.ci/run when missing). Screenshots of each journey's last page go to test-artifacts/.
"""

import os
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("PARC_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test's thread; Django refuses ORM calls
    # from a thread with a running loop unless told that this is intended (it is: tests set up
    # data). Set here, not at import, so it never leaks into other tests' subprocesses.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page_for(browser, live_server):
    """page_for(user, phone=False) → a logged-in page."""
    contexts = []

    def make(user, phone=False):
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        context = browser.new_context(viewport=viewport, accept_downloads=True, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        # Generous: CI machines are shared, and a cold dashboard under load takes seconds.
        page.set_default_timeout(30_000)
        page.set_default_navigation_timeout(45_000)
        page.goto(f"{live_server.url}/dang-nhap/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", f"{user.username}-password-1")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield make
    for context in contexts:
        context.close()


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
