import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from plazabanten.phone import normalize_phone, whatsapp_link


@pytest.mark.parametrize(("raw", "normal"), [
    ("0812-3456-7890", "+6281234567890"), ("+62 812 3456 7890", "+6281234567890"), ("6281234567890", "+6281234567890"),
    ("(0254) 267001", "+62254267001"), ("81234567890", "+6281234567890"),
])
def test_phone_is_normalised_to_plus_62(raw, normal):
    assert normalize_phone(raw) == normal


@pytest.mark.parametrize("raw", ["", "abc", "+1 202 555 0100", "0812", "08123456789012345", "0812;drop"])
def test_bad_phone_is_refused_in_indonesian(raw):
    with pytest.raises(ValidationError) as error:
        normalize_phone(raw)
    assert any(word in str(error.value) for word in ("Nomor", "nomor", "Gunakan"))


def test_whatsapp_link_has_no_plus():
    assert whatsapp_link("+6281234567890", "Halo kak") == "https://wa.me/6281234567890?text=Halo%20kak"


@pytest.mark.parametrize(("raw", "normal"), [
    ("021 5551234", "+62215551234"),            # Jakarta landline
    ("+62 21 5551234", "+62215551234"),
    ("6221 5551234", "+62215551234"),           # 62… without the plus is the country code, not area code 0622
    ("62 0812 3456 7890", "+6281234567890"),    # the trunk 0 written after the country code
    ("０８１２３４５６７８９０", "+6281234567890"),  # full-width digits
])
def test_landlines_and_odd_spellings_are_normalised(raw, normal):
    assert normalize_phone(raw) == normal


@pytest.mark.parametrize(("raw", "code"), [
    ("+62 800 1234 5678", "unknown"),   # right length, but no such mobile prefix (libphonenumber's number plan)
    ("0800 1234 567", "unknown"),       # toll-free: not a number to reach a buyer or a shop on
    ("08123456789012345", "length"),
    ("0812 1", "length"),
    ("0812-CALL-ME", "invalid"),        # libphonenumber alone would read the letters as a keypad
    ("٠٨١٢٣٤٥٦٧٨٩٠", "invalid"),        # Arabic-Indic digits
])
def test_numbers_outside_the_indonesian_plan_are_refused_with_a_reason(raw, code):
    with pytest.raises(ValidationError) as error:
        normalize_phone(raw)
    assert error.value.code == code


@given(st.one_of(st.text(max_size=40), st.from_regex(r"\A[+0-9 ()\-.]{0,25}\Z")))
def test_any_text_is_either_an_indonesian_e164_number_or_a_sentence(text):
    try:
        normal = normalize_phone(text)
    except ValidationError as error:
        assert error.messages[0]
    else:
        assert re.fullmatch(r"\+62[1-9][0-9]{7,11}", normal)
