"""The door every private document goes out through: the serving view is marked, writes the access-log row in
the same request, and answers a clear page instead of garbage when the encryption key is wrong."""

import logging
from functools import wraps
from urllib.parse import urlsplit

from django.shortcuts import render

from .crypto import DocumentKeyError
from .models import DocumentAccess

logger = logging.getLogger(__name__)
Purpose = DocumentAccess.Purpose


def private_document_view(view):
    """Mark a view that serves a private document (tests/privacy/test_access_log.py finds every URL serving a
    stored file and requires this mark), and turn an undecryptable document into a 503 page with a reason."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DocumentKeyError as error:
            logger.error("privacy: %s", error)
            return render(request, "privacy/document_unreadable.html", status=503)

    wrapped.private_document = True
    return wrapped


def purpose_pick(request, *, allowed: tuple[str, ...]) -> str:
    """The purpose the link states (`?tujuan=`), if it is one this viewer may state here; else the first allowed.
    The Referer never decides: a link or a header can be forged, the viewer's relation to the document cannot."""
    stated = request.GET.get("tujuan", "")
    return stated if stated in allowed else allowed[0]


def _source(request) -> str:
    """The referring page's path, only when it is one of ours."""
    referer = request.headers.get("Referer", "")
    parts = urlsplit(referer)
    if not referer or parts.netloc != request.get_host():
        return ""
    return parts.path[:200]


def document_access_record(*, request, document, kind: str, subject: str, purpose: str, owner=None, shop=None,
                           opd=None) -> DocumentAccess:
    """Write the access-log row for a document this request is about to send."""
    request.private_document_logged = True
    return DocumentAccess.objects.create(
        accessor=request.user, owner=owner, shop=shop, opd=opd, document_type=document._meta.label_lower,
        document_id=str(document.pk), kind=kind, subject=subject[:200], purpose=purpose, source=_source(request))
