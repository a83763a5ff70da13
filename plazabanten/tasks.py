from celery import shared_task

from . import services


@shared_task(name="plazabanten.tasks.outbox_deliver", autoretry_for=(Exception,), retry_backoff=True,
             max_retries=5)
def outbox_deliver(message_id: int) -> bool:
    return services.outbox_deliver(message_id=message_id)


@shared_task(name="plazabanten.tasks.outbox_deliver_pending")
def outbox_deliver_pending() -> int:
    ids = services.outbox_pending_ids()
    for message_id in ids:
        services.outbox_deliver(message_id=message_id)
    return len(ids)
