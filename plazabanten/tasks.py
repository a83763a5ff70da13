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


@shared_task(name="plazabanten.tasks.backup_create")
def backup_create() -> str:
    """The nightly backup, then the pruning of old ones (only after a good one: a failing run prunes nothing)."""
    from django.conf import settings

    from . import backup

    run = backup.backup_create()
    backup.backup_prune(keep=settings.PB_BACKUP_KEEP)
    return run.name
