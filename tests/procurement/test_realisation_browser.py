"""The 40% pictures in a real browser: the OPD dashboard, the Pemprov ranking and the public page, at 390×844 and
1366×768, no sideways scrolling on the phone, nothing refused by the CSP, and the print layout."""

import pytest

from accounts import roles
from accounts.services import user_grant_role
from tests.browser import fits_the_phone, log_in
from tests.factories import make_user
from tests.procurement.test_realisation import year  # noqa: F401 (the year of packages, as a fixture)

PAGES = [("opd", "/pengadaan/realisasi/?tahun=2026"), ("pemprov", "/verifikasi/realisasi/?tahun=2026"),
         ("public", "/data/umk/?tahun=2026")]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_40_percent_dashboards_read_on_a_phone_and_a_desktop(live_server, page, browser, browser_context_args,
                                                                   screenshot, year, settings):  # noqa: F811
    settings.REALISATION_OPEN_MIN_PACKAGES = 1
    verifikator = make_user(name="Verifikator Pemprov")
    user_grant_role(user=verifikator, role=roles.VERIFIKATOR)
    desktop = browser.new_context(**{**browser_context_args, "viewport": {"width": 1366, "height": 768}})
    wide = desktop.new_page()
    refused = []
    for tab in (page, wide):
        tab.on("console", lambda message: refused.append(message.text)
               if "Content Security Policy" in message.text else None)
    for name, path in PAGES:
        user = {"opd": year.o1.admin, "pemprov": verifikator}.get(name)
        for tab, size in ((page, "390"), (wide, "1366")):
            if user is not None:
                tab.context.clear_cookies()
                log_in(tab, live_server.url, user.email)
            tab.goto(f"{live_server.url}{path}")
            assert tab.locator("svg").count() >= 1, (name, size)
            screenshot(f"{name}-{size}", tab)
        fits_the_phone(page)
    page.context.clear_cookies()
    log_in(page, live_server.url, year.o1.admin.email)
    page.goto(f"{live_server.url}/pengadaan/realisasi/?tahun=2026")
    assert page.get_by_text("Rp2.700.000").count() >= 1
    page.emulate_media(media="print")
    assert not page.locator("form.card").is_visible()  # the target form is not printed
    screenshot("opd-print", page)
    assert refused == []
    desktop.close()
