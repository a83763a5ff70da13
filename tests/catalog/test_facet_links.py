"""{% facet_links %}: a facet's values as links that change one filter, counted unless the counts are sampled."""

from django.utils import translation

from catalog.selectors import FacetValue, ProductFilters
from catalog.templatetags.catalog_filters import facet_links


def test_each_value_links_to_the_listing_with_that_filter_and_its_count():
    values = [FacetValue("36.73", "Kota Serang", 12), FacetValue("36.03", "Kab. <Tangerang>", 3)]
    html = facet_links(ProductFilters(text="kopi", halal=True), "kabkota", values, False)
    assert html == ('<li><a href="/cari/?q=kopi&amp;kabkota=36.73&amp;halal=1">Kota Serang</a>'
                    ' <span class="count">12</span></li>'
                    '<li><a href="/cari/?q=kopi&amp;kabkota=36.03&amp;halal=1">Kab. &lt;Tangerang&gt;</a>'
                    ' <span class="count">3</span></li>')


def test_sampled_counts_are_not_shown():
    html = facet_links(ProductFilters(), "price", [FacetValue("0-50rb", "< Rp50.000", 2_001)], True)
    assert html == '<li><a href="/cari/?harga=0-50rb">&lt; Rp50.000</a></li>'


def test_counts_are_grouped_as_the_language_writes_numbers():
    """The search index counts a common word's every match: "3.222" in Indonesian, "3,222" in English."""
    values = [FacetValue("36.73", "Kota Serang", 3222)]
    with translation.override("id"):
        assert '<span class="count">3.222</span>' in facet_links(ProductFilters(), "kabkota", values, False)
    with translation.override("en"):
        assert '<span class="count">3,222</span>' in facet_links(ProductFilters(), "kabkota", values, False)
