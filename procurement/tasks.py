from celery import shared_task


@shared_task(name="procurement.tasks.paket_cancel_unanswered")
def paket_cancel_unanswered() -> int:
    from .services import paket_cancel_unanswered as job

    return job()


@shared_task(name="procurement.tasks.paket_close_paid")
def paket_close_paid() -> int:
    """Close the paid packages whose money was released, then pay their sellers out (within minutes)."""
    from .payment import paket_close_paid as job
    from .reminders import paket_payouts_send

    closed = job()
    paket_payouts_send()
    return closed


@shared_task(name="procurement.tasks.paket_reminders_send")
def paket_reminders_send() -> int:
    from .reminders import paket_reminders_send as job

    return job()
