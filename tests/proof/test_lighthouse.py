import pytest

from .lighthouse import lighthouse_run, score_table


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_lighthouse_scores_at_least_95_on_the_main_pages(storefront):
    url, cookie = storefront["url"], storefront["cookie"]
    pages = [
        ("home", "/", ""),
        ("search", "/cari/?q=batik", ""),
        ("product", storefront["product_path"], ""),
        ("cart", "/keranjang/", cookie),
        ("payment", f"/bayar/{storefront['group'].pk}/", cookie),
    ]
    reports = [lighthouse_run(name, url + path, cookie=cookie) for name, path, cookie in pages]
    print("\n" + score_table(reports))
    below = {r.page: r.below_budget() for r in reports if r.below_budget()}
    assert not below, f"below {95}: {below}\n{score_table(reports)}"
