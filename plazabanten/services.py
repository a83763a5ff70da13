"""Writes of the shared kernels: audit rows and outbox messages, always inside the caller's transaction."""

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import AuditLog, Notification, OutboxMessage

logger = logging.getLogger(__name__)


def audit_record(*, actor, action: str, target, before: dict | None = None, after: dict | None = None,
                 reason: str = "") -> AuditLog:
    return AuditLog.objects.create(
        actor=actor, action=action, target_type=target._meta.label_lower, target_id=str(target.pk),
        before=before or {}, after=after or {}, reason=reason,
    )


def outbox_enqueue(*, recipient=None, email: str = "", subject: str, body: str, url: str = "") -> OutboxMessage:
    """Write the message now; deliver it after the surrounding transaction commits.

    To a user (email and in-app), or with ``email`` alone to someone without an account (email only).
    """
    from .tasks import outbox_deliver

    if (recipient is None) == (not email):
        raise ValueError("outbox_enqueue needs exactly one of recipient and email")
    message = OutboxMessage.objects.create(recipient=recipient, email=email, subject=subject, body=body, url=url)
    transaction.on_commit(lambda: task_enqueue(outbox_deliver, message.pk))
    return message


def task_enqueue(task, *args, **options) -> bool:
    """Queue a Celery task from an on_commit hook; a broker outage must not turn the committed request into a 500.

    The work is already recorded in the database (a pending row), so a beat job or a retry button picks it up.
    """
    try:
        task.apply_async(args, **options)
    except Exception:
        logger.warning("broker unavailable: %s%r left for its beat job or retry", task.name, args, exc_info=True)
        return False
    return True


def outbox_deliver(*, message_id: int) -> bool:
    """Deliver one message (email + in-app) exactly once; safe to call again after a crash."""
    with transaction.atomic():
        message = (OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
                   .select_related("recipient").filter(pk=message_id, delivered_at__isnull=True).first())
        if message is None:
            return False
        message.attempts += 1
        try:
            address = message.recipient.email if message.recipient else message.email
            if address:
                send_mail(message.subject, message.body, None, [address])
        except Exception as error:  # noqa: BLE001 - any mail failure is retried by the beat job
            message.last_error = str(error)[:2000]
            message.save(update_fields=["attempts", "last_error"])
            return False
        if message.recipient:
            Notification.objects.create(user=message.recipient, outbox=message, subject=message.subject,
                                        body=message.body, url=message.url)
        message.delivered_at = timezone.now()
        message.save(update_fields=["attempts", "delivered_at", "last_error"])
    return True


def outbox_pending_ids(*, older_than: timedelta = timedelta(seconds=30), limit: int = 500) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(OutboxMessage.objects.filter(delivered_at__isnull=True, created_at__lte=cutoff, attempts__lt=10)
                .order_by("created_at").values_list("pk", flat=True)[:limit])
