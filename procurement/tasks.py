from celery import shared_task


@shared_task(name="procurement.tasks.paket_cancel_unanswered")
def paket_cancel_unanswered() -> int:
    from .services import paket_cancel_unanswered as job

    return job()


@shared_task(name="procurement.tasks.paket_close_paid")
def paket_close_paid() -> int:
    from .payment import paket_close_paid as job

    return job()
