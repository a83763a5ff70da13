import pytest

from payments.qris import (
    QrisError,
    crc16_ccitt_false,
    qris_dynamic,
    qris_merchant_static,
    qris_parse,
    qris_svg,
    with_crc,
)

STATIC = ("00020101021126680017ID.CO.EXAMPLE.WWW01189360999900000000190214EXAMPLE00000010303UMI51440014ID.CO.QRIS.WWW"
          "0215ID00000000000010303UMI5204541153033605802ID5911TOKO CONTOH6007JAKARTA610510110630450A1")
DYNAMIC = ("00020101021226680017ID.CO.EXAMPLE.WWW01189360999900000000190214EXAMPLE00000010303UMI51440014ID.CO.QRIS.WWW"
           "0215ID00000000000010303UMI5204541153033605405250005802ID5911TOKO CONTOH6007JAKARTA61051011062120508ORD-0001"
           "6304E526")


def test_crc16_ccitt_false_check_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1


def test_research_vectors_parse_and_static_becomes_the_dynamic_vector():
    assert qris_parse(STATIC)["01"] == "11"
    assert qris_dynamic(STATIC, amount=25000, reference="ORD-0001") == DYNAMIC
    tags = qris_parse(DYNAMIC)
    assert (tags["01"], tags["54"], tags["62"], tags["63"]) == ("12", "25000", {"05": "ORD-0001"}, "E526")
    assert tags["51"]["00"] == "ID.CO.QRIS.WWW"


def test_builder_and_parser_round_trip_with_amounts_of_any_length():
    static = qris_merchant_static(merchant_name="TOKO CONTOH", city="JAKARTA", nmid="ID0000000000001",
                                  postal_code="10110")
    assert static == STATIC
    for amount in (1, 999, 25000, 1234567890):
        tags = qris_parse(qris_dynamic(static, amount=amount, reference="PB000012-1"))
        assert tags["54"] == str(amount) and tags["62"]["05"] == "PB000012-1"
    again = qris_dynamic(DYNAMIC, amount=5000, reference="X")  # a dynamic one re-targeted keeps one 54 and 62
    assert qris_parse(again)["54"] == "5000" and qris_parse(again)["62"] == {"05": "X"}


def test_lowercase_crc_is_accepted():
    assert qris_parse(DYNAMIC[:-4] + DYNAMIC[-4:].lower())["54"] == "25000"


@pytest.mark.parametrize(("payload", "message"), [
    (DYNAMIC[:-4] + "0000", "CRC salah"),
    (DYNAMIC.replace("540525000", "540535000"), "CRC salah"),
    (DYNAMIC[:-8], "Tag CRC"),
    (with_crc(DYNAMIC[:-8] + "6420AB"), "melebihi sisa data"),
    (with_crc(DYNAMIC[:-8].replace("5802ID", "5809ID")), "terpotong"),
    (with_crc(DYNAMIC[:-8] + "62"), "melebihi sisa data"),
    (DYNAMIC[:-8] + "6304", "Tag CRC"),
    (with_crc("000202" + DYNAMIC[6:-8]), "Payload Format Indicator"),
    (with_crc(STATIC[:-8].replace("010211", "010212")), "nominal"),
    ("", "Tag CRC"),
])
def test_broken_payloads_are_rejected_with_a_clear_error(payload, message):
    with pytest.raises(QrisError, match=message):
        qris_parse(payload)


def test_zero_amount_is_refused_and_the_qr_image_is_svg():
    with pytest.raises(QrisError):
        qris_dynamic(STATIC, amount=0, reference="x")
    svg = qris_svg(DYNAMIC)
    assert svg.startswith(b"<svg") and b"QRIS" in svg
