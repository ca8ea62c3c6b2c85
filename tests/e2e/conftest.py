"""Browser tests: Debian's headless Chromium (never a downloaded browser) against a live server."""
import os
import shutil
from pathlib import Path

import pytest

from tests.web.services import WorkerProcess, database_url, require_postgres_and_redis, unavailable

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).parent / "screenshots"

# Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
# still plain synchronous code, so Django's async-safety guard does not apply to them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        unavailable("Debian's chromium is not installed (scripts/install installs it)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ko-KR", viewport={"width": 1360, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(exist_ok=True)

    def save(page, name: str):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    return save


@pytest.fixture
def grading_worker(settings, tmp_path):
    """A real Celery worker process with the real engine, consuming the cpu queue through Redis."""
    from seqlab.config.celery import app as celery_app
    broker = require_postgres_and_redis(settings)
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("cpu")
    proc = WorkerProcess({"DJANGO_SETTINGS_MODULE": "seqlab.config.settings.test", "DATABASE_URL": database_url(),
                          "SEQLAB_TEST_BROKER_URL": broker, "SEQLAB_ENGINE": "graders.engine.Engine",
                          "SEQLAB_CACHE_DIR": str(tmp_path / "cache")})
    proc.wait_ready(timeout=120)
    yield proc
    proc.stop()
