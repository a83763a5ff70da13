"""QRIS payloads: EMVCo merchant-presented mode TLV, CRC-16/CCITT-FALSE (research/payments.md §c).

A payload is a flat run of objects `ID(2 digits) LEN(2 digits) VALUE`; templates (26–51, 62, 64) nest objects in
their value. The CRC object `63` is always last and covers everything up to and including `6304`.
"""

import io
import re

TEMPLATE_TAGS = {str(n) for n in range(26, 52)} | {"62", "64"}
AMOUNT_RE = re.compile(r"^\d{1,10}(\.\d{2})?$")


class QrisError(ValueError):
    """A payload that is not a well-formed QRIS string (the message says what is wrong)."""


def crc16_ccitt_false(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def tlv_parse(text: str) -> list[tuple[str, str]]:
    """Split `text` into (tag, value) pairs; anything that does not add up exactly is an error."""
    items, position = [], 0
    while position < len(text):
        header = text[position:position + 4]
        if len(header) < 4 or not header.isdigit():
            raise QrisError(f"TLV terpotong atau rusak di posisi {position}")
        tag, length = header[:2], int(header[2:])
        value = text[position + 4:position + 4 + length]
        if len(value) != length:
            raise QrisError(f"Panjang tag {tag} ({length}) melebihi sisa data")
        items.append((tag, value))
        position += 4 + length
    return items


def tlv_build(items: list[tuple[str, str]]) -> str:
    parts = []
    for tag, value in items:
        if len(value) > 99:
            raise QrisError(f"Nilai tag {tag} terlalu panjang")
        parts.append(f"{tag}{len(value):02d}{value}")
    return "".join(parts)


def with_crc(body_without_crc: str) -> str:
    head = body_without_crc + "6304"
    return head + f"{crc16_ccitt_false(head.encode('ascii')):04X}"


def qris_parse(payload: str) -> dict[str, object]:
    """Check the CRC and structure; return the top-level tags (templates as dicts of sub-tags)."""
    if len(payload) < 12 or payload[-8:-4] != "6304":
        raise QrisError("Tag CRC (63) tidak ada di akhir payload")
    expected = f"{crc16_ccitt_false(payload[:-4].encode('ascii')):04X}"
    if payload[-4:].upper() != expected:
        raise QrisError(f"CRC salah: {payload[-4:]} (seharusnya {expected})")
    items = tlv_parse(payload)
    if not items or items[0] != ("00", "01"):
        raise QrisError("Payload Format Indicator (00) harus objek pertama dan bernilai 01")
    tags: dict[str, object] = {}
    for tag, value in items:
        if tag in tags:
            raise QrisError(f"Tag {tag} muncul dua kali")
        tags[tag] = dict(tlv_parse(value)) if tag in TEMPLATE_TAGS else value
    if tags.get("01") not in ("11", "12"):
        raise QrisError("Point of Initiation (01) harus 11 (statis) atau 12 (dinamis)")
    if tags["01"] == "12" and not AMOUNT_RE.match(str(tags.get("54", ""))):
        raise QrisError("QRIS dinamis harus memuat nominal (54)")
    return tags


def qris_dynamic(static_payload: str, *, amount: int, reference: str) -> str:
    """Turn a merchant's static QRIS into a one-time one: 01=12, the amount in 54, our reference in 62/05."""
    if amount <= 0:
        raise QrisError("Nominal harus lebih dari nol")
    qris_parse(static_payload)
    objects = dict(tlv_parse(static_payload[:-8]))  # without the CRC object
    extra = dict(tlv_parse(objects.get("62", "")))
    extra["05"] = reference
    objects.update({"01": "12", "54": str(amount), "62": tlv_build(sorted(extra.items()))})
    items = list(objects.items())
    return with_crc(tlv_build(sorted(items, key=lambda item: item[0])))


def qris_merchant_static(*, merchant_name: str, city: str, nmid: str, postal_code: str, mcc: str = "5411") -> str:
    """A static QRIS for the sandbox merchant (fake GUID and NMID, research §c.5)."""
    account = tlv_build([("00", "ID.CO.EXAMPLE.WWW"), ("01", "936099990000000019"), ("02", "EXAMPLE0000001"),
                         ("03", "UMI")])
    central = tlv_build([("00", "ID.CO.QRIS.WWW"), ("02", nmid), ("03", "UMI")])
    return with_crc(tlv_build([
        ("00", "01"), ("01", "11"), ("26", account), ("51", central), ("52", mcc), ("53", "360"), ("58", "ID"),
        ("59", merchant_name[:25]), ("60", city[:15]), ("61", postal_code)]))


def qris_svg(payload: str) -> bytes:
    """The payload as an SVG QR code (served from our own origin: the CSP allows no outside images)."""
    import segno

    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="svg", scale=6, border=2, xmldecl=False,
                                                     svgns=True, title="QRIS")
    return buffer.getvalue()


def qris_png(payload: str) -> bytes:
    """The payload as a PNG QR code to save on the phone and open from the gallery in the e-wallet app (a single
    phone cannot scan its own screen); a wider quiet zone than on screen, as scanners of pictures want."""
    import segno

    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()
