import pytest
from django.core.exceptions import ValidationError

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
