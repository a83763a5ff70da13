"""Property-based fuzzing of everything that parses outside input: only clean refusals, never a crash or a 500."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.images import photo_validate
from payments.qris import QrisError, qris_dynamic, qris_parse
from tests.payments.test_qris import STATIC
from vendors.forms import document_check
from vendors.validators import nib_check, nik_check, npwp_check

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
JPEG_HEAD, PNG_HEAD, PDF_HEAD = b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"%PDF-1.4\n"


@FUZZ
@given(st.text(max_size=300) | st.from_regex(r"000201010211[0-9A-Za-z.]{0,200}6304[0-9A-F]{4}", fullmatch=True))
def test_qris_parser_refuses_garbage_cleanly(payload):
    try:
        parsed = qris_parse(payload)
    except QrisError:
        return
    assert parsed["00"] == "01"


@FUZZ
@given(amount=st.integers(min_value=1, max_value=10_000_000),
       reference=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=25))
def test_qris_dynamic_round_trips(amount, reference):
    parsed = qris_parse(qris_dynamic(STATIC, amount=amount, reference=reference))
    assert (parsed["01"], parsed["54"]) == ("12", str(amount))


@pytest.mark.django_db
@FUZZ
@given(st.text(max_size=40))
def test_identifier_validators_answer_or_refuse(value):
    for check in (nik_check, npwp_check, nib_check):
        try:
            checked = check(value)
        except ValidationError:
            continue
        assert checked.value.isdigit()


@FUZZ
@given(head=st.sampled_from([b"", JPEG_HEAD, PNG_HEAD, b"GIF89a", b"<svg", b"MZ"]), body=st.binary(max_size=4000))
def test_photo_validator_refuses_anything_but_a_real_photo(head, body):
    with pytest.raises(ValidationError):
        photo_validate(SimpleUploadedFile("x.jpg", head + body))


@FUZZ
@given(head=st.sampled_from([b"", JPEG_HEAD, PNG_HEAD, PDF_HEAD, b"<html>", b"MZ"]), body=st.binary(max_size=4000),
       name=st.sampled_from(["ktp.jpg", "../../etc/passwd", "nib.pdf", "a.svg", "x.exe"]))
def test_document_check_answers_or_refuses(head, body, name):
    try:
        checked = document_check(SimpleUploadedFile(name, head + body))
    except ValidationError:
        return
    assert checked.content_type in {"image/jpeg", "image/png", "application/pdf"}  # never what the name claims
    assert "/" not in checked.original_name


@pytest.mark.django_db
@FUZZ
@given(body=st.dictionaries(st.sampled_from(["order_id", "status_code", "gross_amount", "signature_key",
                                             "transaction_status", "transaction_id", "fraud_status", "id",
                                             "external_id", "status", "amount"]),
                            st.one_of(st.text(max_size=30), st.integers(), st.none(), st.floats(allow_nan=False))),
       provider=st.sampled_from(["sandbox", "midtrans", "xendit", "nope"]))
def test_webhook_endpoint_never_answers_500(client, body, provider):
    response = client.post(f"/payments/webhooks/{provider}/", data=json.dumps(body), content_type="application/json")
    assert response.status_code in {200, 400, 401, 403, 404}  # garbage is refused, never retried or crashed
    raw = client.post(f"/payments/webhooks/{provider}/", data=b"\xff{not json", content_type="application/json")
    assert raw.status_code in {400, 401, 403, 404}
