"""Small steps the browser tests share (the page fixture is pytest-playwright's, 390×844)."""

from tests.factories import DEFAULT_PASSWORD


def log_in(page, url: str, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(f"{url}/akun/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Masuk").click()


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{page.url} scrolls sideways"
