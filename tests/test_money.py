import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from plazabanten.money import RupiahField, format_rupiah, price_jumps, rupiah_parse


@pytest.mark.parametrize(("amount", "shown"), [
    (15000, "Rp15.000"), (0, "Rp0"), (999, "Rp999"), (1000, "Rp1.000"), (1250000, "Rp1.250.000"),
    (-2500, "-Rp2.500"), (10_000_000_000, "Rp10.000.000.000"),
])
def test_rupiah_is_formatted_puebi_style(amount, shown):
    assert format_rupiah(amount) == shown


def test_rupiah_filter_prints_the_same_as_the_helper():
    html = Template("{{ price|rupiah }}|{{ missing|rupiah }}").render(Context({"price": 15000}))
    assert html == "Rp15.000|"


# What sellers type, and what it means (plazabanten.money module docstring has the rules).
ACCEPTED = [
    ("350000", 350_000), ("350.000", 350_000), ("Rp 350.000", 350_000), ("Rp350.000", 350_000),
    ("Rp350.000,00", 350_000), ("rp. 350.000", 350_000), ("RP.350.000", 350_000), ("IDR 350.000", 350_000),
    ("Rp 350.000,-", 350_000), ("350.000,0", 350_000), ("  350.000  ", 350_000), ("Rp15.000", 15_000),
    ("350rb", 350_000), ("350 ribu", 350_000), ("350RB", 350_000), ("350k", 350_000), ("1.500rb", 1_500_000),
    ("1,5jt", 1_500_000), ("1,5 juta", 1_500_000), ("2 jt", 2_000_000), ("1,25jt", 1_250_000),
    ("1,5rb", 1_500), ("2 miliar", 2_000_000_000), ("1.250.000", 1_250_000), ("0", 0), ("100", 100),
    ("50.000.000", 50_000_000), ("50jt", 50_000_000), ("10.000.000.000", 10_000_000_000),
]
REFUSED = [
    ("350,5", "decimal"), ("12,345", "decimal"), ("350,000", "decimal"), ("350.000,5", "decimal"),
    ("350.000,000", "decimal"), ("1,5", "decimal"), ("1,234jt", "decimal"), ("1,2345rb", "decimal"),
    ("3.50.000", "grouping"), ("350.00", "grouping"), ("35.0000", "grouping"), ("1.2.3", "grouping"),
    ("1.5jt", "grouping"), ("Rp 1.5000", "grouping"),
    ("-350.000", "negative"), ("Rp -5.000", "negative"), ("−5000", "negative"),
    ("", "invalid"), ("Rp", "invalid"), ("abc", "invalid"), ("tiga ratus ribu", "invalid"), ("350rb5", "invalid"),
    ("1e5", "invalid"), ("+5", "invalid"), (",5", "invalid"), ("1 250 000", "invalid"), ("٣٥٠", "invalid"),
    ("350 M", "invalid"), ("9" * 41, "invalid"),
]


@pytest.mark.parametrize(("text", "amount"), ACCEPTED)
def test_rupiah_typed_the_indonesian_way_is_read(text, amount):
    assert rupiah_parse(text) == amount


@pytest.mark.parametrize(("text", "code"), REFUSED)
def test_ambiguous_or_invalid_rupiah_is_refused_with_how_to_write_it(text, code):
    with pytest.raises(ValidationError) as refused:
        rupiah_parse(text, what="harga")
    assert refused.value.code == code
    message = refused.value.messages[0]
    if code == "negative":
        assert message == "Harga tidak boleh negatif."
    else:
        assert message.endswith("Tulis harga seperti 350.000 atau 350rb.")


@given(st.integers(min_value=0, max_value=10**15))
def test_a_shown_amount_parses_back_to_the_same_number(amount):
    assert rupiah_parse(format_rupiah(amount)) == amount
    assert rupiah_parse(str(amount)) == amount


def test_rupiah_field_limits_speak_rupiah_and_it_shows_the_amount_back():
    field = RupiahField(min_value=100, max_value=1_000_000, what="harga")
    assert field.clean("350.000") == 350_000
    assert field.clean("1jt") == 1_000_000
    for text, message in (("50", "Harga minimal Rp100."), ("2jt", "Harga paling banyak Rp1.000.000.")):
        with pytest.raises(ValidationError) as refused:
            field.clean(text)
        assert refused.value.messages == [message]
    with pytest.raises(ValidationError) as refused:
        field.clean("")
    assert refused.value.code == "required"
    assert field.prepare_value(350_000) == "Rp350.000"
    assert field.prepare_value("350rb") == "Rp350.000"  # a bound form shown again
    assert field.prepare_value("350,5") == "350,5"  # what was typed, beside its error
    assert RupiahField(required=False).clean("") is None
    assert 'inputmode' not in field.widget.render("harga", 350_000)
    assert 'value="Rp350.000"' in field.widget.render("harga", field.prepare_value(350_000))


@pytest.mark.parametrize(("saved", "new", "jumps"), [
    (35_000, 350_000, False), (35_000, 350_001, True), (35_000, 3_500, False), (35_000, 3_499, True),
    (None, 3_500_000, False), (35_000, None, False),
])
def test_a_price_more_than_ten_times_away_from_the_saved_one_jumps(saved, new, jumps):
    assert price_jumps(saved=saved, new=new) is jumps


def _money_fields():
    """Every money input of the site: (name, the form field)."""
    from catalog.forms import VariantBulkForm, VariantForm
    from catalog.models import ProductVariant
    from orders.forms import ShopShippingForm
    from payments.forms import PayoutForm
    from regions.models import Region
    from vendors.forms import IdentityForm

    bulk = VariantBulkForm(variants=[ProductVariant(pk=7, sku="KBS-M", price=150_000, stock=3)])
    shipping = ShopShippingForm(kabkota=[Region(code="36.01", name="Kab. Pandeglang")], couriers={})
    return {
        "variant price": VariantForm().fields["price"],
        "bulk edit price": bulk.fields["harga-7"],
        "modal usaha": IdentityForm.base_fields["capital"],
        "omzet": IdentityForm.base_fields["turnover"],
        "payout amount": PayoutForm.base_fields["amount"],
        "own-courier fee": shipping.fields["fee_36.01"],
    }


MONEY_INPUTS = ["variant price", "bulk edit price", "modal usaha", "omzet", "payout amount", "own-courier fee",
                "csv import price"]


def _clean(form_input: str, text: str) -> int:
    if form_input == "csv import price":
        from catalog.services import _import_row

        data, error = _import_row({"sku": "A-1", "nama_produk": "Kopi", "kategori": "kopi", "harga": text,
                                   "stok": "1"}, {"kopi": 1})
        if data is None:
            raise ValidationError(error)
        return data["price"]
    return _money_fields()[form_input].clean(text)


@pytest.mark.parametrize("form_input", MONEY_INPUTS)
@pytest.mark.parametrize(("text", "amount"), [
    ("350000", 350_000), ("350.000", 350_000), ("Rp 350.000", 350_000), ("Rp350.000,00", 350_000),
    ("rp. 350.000", 350_000), ("350rb", 350_000), ("350 ribu", 350_000), ("Rp350.000", 350_000),
])
def test_every_money_input_reads_rupiah_the_same_way(form_input, text, amount):
    if form_input != "csv import price":
        assert isinstance(_money_fields()[form_input], RupiahField)
    assert _clean(form_input, text) == amount


@pytest.mark.parametrize("form_input", MONEY_INPUTS)
@pytest.mark.parametrize("text", ["350,5", "3.50.000", "12,345", "-350.000", "tiga ratus ribu"])
def test_every_money_input_refuses_ambiguous_rupiah_and_says_how_to_write_it(form_input, text):
    with pytest.raises(ValidationError) as refused:
        _clean(form_input, text)
    message = refused.value.messages[0]
    assert "seperti 350.000 atau 350rb." in message or "tidak boleh negatif" in message, message


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


def test_rupiah_in_words_says_seribu_after_a_larger_unit():
    """Where num2words (lang="id") says "satu juta satu ribu": 1.000 is "seribu" wherever it stands."""
    from plazabanten.money import rupiah_in_words

    assert rupiah_in_words(1_001_000) == "satu juta seribu rupiah"
    assert rupiah_in_words(2_000_001_500) == "dua miliar seribu lima ratus rupiah"
    assert rupiah_in_words(21_000) == "dua puluh satu ribu rupiah"  # only a lone 1 before "ribu" becomes "se"


@hypothesis_settings(max_examples=2000, deadline=None)
@given(st.integers(min_value=0, max_value=10**15 - 1))
@example(1_001_000)
@example(7_001_001_001_001)
@example(999_999_999_999_999)
def test_rupiah_in_words_agrees_with_num2words_but_for_seribu(amount):
    """num2words is the maintained spelling; ours is kept because it writes "satu juta seribu" (see above)."""
    import re

    from num2words import num2words

    from plazabanten.money import rupiah_in_words

    theirs = re.sub(r"(juta|miliar|triliun) satu ribu\b", r"\1 seribu", num2words(amount, lang="id"))
    assert rupiah_in_words(amount) == f"{theirs} rupiah"
