import pytest
from playwright.sync_api import expect

from tests.browser import fits_the_phone, log_in
from tests.factories import make_product, make_shop, make_user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_home_invites_visitors_and_buyers_to_open_a_shop_but_not_shop_owners(live_server, page, screenshot):
    shop = make_shop(name="Batik Krakatau")
    make_product(shop=shop, name="Kain Batik Tulis Krakatau")
    make_user(email="ani@example.test", name="Ani Lestari")
    shop.owner.email = "budi@example.test"
    shop.owner.save()

    page.goto(f"{live_server.url}/")
    invite = page.locator(".open-shop")
    expect(invite).to_contain_text("Punya usaha di Banten?")
    fits_the_phone(page)
    screenshot("visitor-home")
    invite.get_by_role("link", name="Buka toko gratis").click()
    expect(page).to_have_url(f"{live_server.url}/akun/login/?next=/penjual/")  # then the seller's start page

    log_in(page, live_server.url, "ani@example.test")
    page.goto(f"{live_server.url}/")
    expect(page.locator(".open-shop")).to_be_visible()

    page.context.clear_cookies()
    log_in(page, live_server.url, "budi@example.test")
    page.goto(f"{live_server.url}/")
    expect(page.locator(".pcard").first).to_be_visible()
    expect(page.locator(".open-shop")).to_have_count(0)
    screenshot("owner-home")
