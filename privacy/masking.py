"""The one masking rule for NIKs and bank account numbers, and the filters that apply it to logs and error reports.

A NIK keeps its region (4 digits) and its serial (4 digits): ``3603********0001``; an account number keeps its
last 4: ``*******1234``. Pages show them masked except the verifikator's verification pages; logs and error
reports mask every run of 10–20 digits (NIKs, 16-digit NPWPs, account and phone numbers) whatever the message.
"""

import logging
import re

from django.views.debug import ExceptionReporter

MASK = "*"
_DIGIT_RUN = re.compile(r"(?<![\w])\d{10,20}(?![\w])")


def mask_nik(value) -> str:
    digits = re.sub(r"\D", "", str(value or ""))
    if len(digits) < 9:
        return MASK * len(digits)
    return digits[:4] + MASK * (len(digits) - 8) + digits[-4:]


def mask_account(value) -> str:
    digits = re.sub(r"\D", "", str(value or ""))
    if len(digits) < 5:
        return MASK * len(digits)
    return MASK * (len(digits) - 4) + digits[-4:]


def mask_text(text: str) -> str:
    """Every long digit run in free text masked: a 16-digit one as a NIK, any other as an account number."""
    return _DIGIT_RUN.sub(lambda m: mask_nik(m[0]) if len(m[0]) == 16 else mask_account(m[0]), text)


class PersonalDataFilter(logging.Filter):
    """A logging filter (settings.LOGGING): the message, its arguments and its traceback come out masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is logged as it is
            message = str(record.msg)
        record.msg, record.args = mask_text(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True


class PersonalDataExceptionReporter(ExceptionReporter):
    """DEFAULT_EXCEPTION_REPORTER: the technical 500 page (DEBUG) and the admins' error email, both masked.
    Django's SafeExceptionReporterFilter already hides settings named like keys and passwords; this masks the
    NIKs and account numbers in local variables, POST data and the exception's own message."""

    def get_traceback_html(self):
        return mask_text(super().get_traceback_html())

    def get_traceback_text(self):
        return mask_text(super().get_traceback_text())
