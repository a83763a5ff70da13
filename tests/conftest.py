import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# Browser assertions wait up to 15 s (not 5): CI shares two cores with Postgres, Redis, Celery and Chromium.
expect.set_options(timeout=15_000)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(autouse=True, scope="session")
def celery_eager():
    """Tasks run inline unless a test asks for the real worker."""
    from plazabanten.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app


@pytest.fixture(autouse=True)
def search_index_forgotten():
    """Each test searches its own products: the search index of the process (catalog/search_index.py) is read
    again, not kept from a test whose rows were rolled back."""
    from catalog import search_index

    search_index.reset()


@pytest.fixture
def celery_worker(celery_eager, transactional_db):
    """A real Celery worker (in a thread) consuming from the real Redis broker."""
    from celery.contrib.testing.worker import start_worker

    app = celery_eager
    app.conf.task_always_eager = False
    # Messages another run left in the broker (a bench's gunicorn enqueues thousands with no worker consuming them)
    # would be drained first, past the test's wait.
    app.control.purge()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "is_mobile": True,
            "device_scale_factor": 2, "locale": "id-ID"}


@pytest.fixture
def screenshot(page, request):
    """screenshot("step-name") saves test-artifacts/<test>/<n>-step-name.png (a folder git ignores);
    screenshot("step-name", other_page) shows another browser context (another party) in the same numbering."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(name: str, target=None) -> Path:
        path = folder / f"{next(counter):02d}-{name}.png"
        (target or page).screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def wait_until():
    """Poll a condition (for work done by another process) up to a bound; never asserts on elapsed time."""

    def poll(condition, timeout: float = 20.0, interval: float = 0.1):
        event = threading.Event()
        waited = 0.0
        while waited < timeout:
            result = condition()
            if result:
                return result
            event.wait(interval)
            waited += interval
        return condition()

    return poll


@pytest.fixture(autouse=True)
def reference_data_loaded(request):
    """Region codes and courier rates come from data migrations; a transactional test's flush empties them."""
    if "django_db" not in request.keywords:
        return
    request.getfixturevalue("_django_db_helper")
    from orders.models import CourierRate
    from orders.shipping import courier_rates_load
    from regions.loader import region_load
    from regions.models import Region

    if not Region.objects.exists():
        region_load(Region)
    if not CourierRate.objects.exists():
        courier_rates_load(CourierRate)


@pytest.fixture(autouse=True)
def base_url_is_the_live_server(request):
    """The sandbox simulator calls our webhook at PB_BASE_URL: in a browser test, the live server."""
    if "live_server" in request.fixturenames:
        settings = request.getfixturevalue("settings")
        settings.PB_BASE_URL = request.getfixturevalue("live_server").url


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    from catalog.cache import local_clear

    cache.clear()
    local_clear()  # the storefront's in-process page cache


@pytest.fixture(autouse=True)
def default_language():
    """A request in English leaves English active in the thread (LocaleMiddleware does not switch back): each test
    starts in Bahasa Indonesia, whatever the test before it asked for."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
