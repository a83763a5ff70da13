import pytest
from django.template import Context, Template

from plazabanten.money import format_rupiah, parse_rupiah


@pytest.mark.parametrize(("amount", "shown"), [
    (15000, "Rp15.000"), (0, "Rp0"), (999, "Rp999"), (1000, "Rp1.000"), (1250000, "Rp1.250.000"),
    (-2500, "-Rp2.500"), (10_000_000_000, "Rp10.000.000.000"),
])
def test_rupiah_is_formatted_puebi_style(amount, shown):
    assert format_rupiah(amount) == shown


def test_rupiah_filter_prints_the_same_as_the_helper():
    html = Template("{{ price|rupiah }}|{{ missing|rupiah }}").render(Context({"price": 15000}))
    assert html == "Rp15.000|"


@pytest.mark.parametrize(("text", "amount"), [
    ("Rp15.000", 15000), ("15.000", 15000), ("15000", 15000), ("rp 1.250.000", 1250000), ("Rp15.000,00", 15000),
])
def test_rupiah_text_is_parsed(text, amount):
    assert parse_rupiah(text) == amount


@pytest.mark.parametrize("text", ["", "Rp", "15,5", "1.2.3", "abc", "15.00", "Rp 1.5000"])
def test_bad_rupiah_text_is_refused(text):
    with pytest.raises(ValueError):
        parse_rupiah(text)


@pytest.mark.parametrize(("amount", "words"), [
    (0, "nol rupiah"), (1, "satu rupiah"), (11, "sebelas rupiah"), (15, "lima belas rupiah"),
    (100, "seratus rupiah"), (1000, "seribu rupiah"), (1500, "seribu lima ratus rupiah"),
    (21_000, "dua puluh satu ribu rupiah"), (100_000, "seratus ribu rupiah"),
    (1_250_000, "satu juta dua ratus lima puluh ribu rupiah"),
    (756_000, "tujuh ratus lima puluh enam ribu rupiah"),
    (2_000_000_011, "dua miliar sebelas rupiah"), (-5000, "minus lima ribu rupiah"),
])
def test_rupiah_in_words_is_indonesian_terbilang(amount, words):
    from plazabanten.money import rupiah_in_words

    assert rupiah_in_words(amount) == words
