"""Playwright driving Debian's chromium (never a downloaded browser) against live_server."""

import os
import shutil
from pathlib import Path

import pytest

from tests.services import require_program

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
READER_PASSWORD = "Transformer-2017"
# TEST_ARTIFACTS: another folder, for a run beside this one (.ci/run runs two at once).
ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts"
)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around
# it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        require_program(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts():
    """Screenshots go to test-artifacts/ (git ignores it) or TEST_ARTIFACTS, emptied once per
    run."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture
def reader(django_user_model):
    """A reader's account with a display name."""
    from accounts.models import Profile

    user = django_user_model.objects.create_user("reader", "reader@example.com", READER_PASSWORD)
    Profile.objects.create(user=user, display_name="小读者")
    return user


def log_in_to_admin(page, live_server, user):
    """Log `user` (password "password", as pytest-django's admin_user) in to the admin, and wait
    for its index: a page.goto right after the click could cancel the login's POST."""
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


@pytest.fixture
def admin_page(page, live_server, admin_user):
    """A browser page logged in to the admin as a superuser."""
    log_in_to_admin(page, live_server, admin_user)
    return page


def log_in(page, live_server, next_url):
    """Log in as `reader` through the login page and land on `next_url`."""
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", "reader")
    page.fill("#id_password", READER_PASSWORD)
    page.click(".form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


@pytest.fixture
def csp_violations(page):
    """A function listing what went wrong on `page` so far: the Content-Security-Policy's
    `securitypolicyviolation` events and every console error (a refusal is logged there too)."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.add_init_script(
        """window.__cspViolations = [];
        document.addEventListener("securitypolicyviolation", (event) => {
            window.__cspViolations.push(`${event.effectiveDirective} ${event.blockedURI}`);
        });"""
    )
    return lambda: [*page.evaluate("window.__cspViolations"), *errors]
