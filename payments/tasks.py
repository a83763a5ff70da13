from celery import shared_task

from . import services
from .gateways.base import GatewayUnavailable


@shared_task(name="payments.tasks.refund_execute", autoretry_for=(GatewayUnavailable,), retry_backoff=30,
             max_retries=8)
def refund_execute(refund_id: int) -> str:
    return services.refund_execute(refund_id=refund_id)


@shared_task(name="payments.tasks.payout_send", autoretry_for=(GatewayUnavailable,), retry_backoff=30, max_retries=8)
def payout_send(payout_id: int) -> str:
    return services.payout_send(payout_id=payout_id)


@shared_task(name="payments.tasks.payments_expire")
def payments_expire() -> int:
    return services.payments_expire()


@shared_task(name="payments.tasks.payments_poll_pending")
def payments_poll_pending() -> int:
    return services.payments_poll_pending()


@shared_task(name="payments.tasks.orders_settle")
def orders_settle() -> dict[str, int]:
    return services.orders_settle()


@shared_task(name="payments.tasks.ledger_reconcile")
def ledger_reconcile() -> list[str]:
    """Nightly: check the ledger invariants; violations are logged as errors for finance to follow up."""
    return services.ledger_reconcile()


@shared_task(name="payments.tasks.sandbox_notify")
def sandbox_notify(url: str, bodies: list[dict]) -> list[int]:
    """Deliver sandbox notifications to our webhook endpoint over real HTTP, one after another."""
    import json
    import urllib.error
    import urllib.request

    answers = []
    for body in bodies:
        request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",  # noqa: S310 - ours
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310
                answers.append(answer.status)
        except urllib.error.HTTPError as error:
            answers.append(error.code)
    return answers
