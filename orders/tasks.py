from celery import shared_task

from . import services


@shared_task(name="orders.tasks.orders_expire_unpaid")
def orders_expire_unpaid() -> int:
    return services.orders_expire_unpaid()


@shared_task(name="orders.tasks.orders_cancel_unaccepted")
def orders_cancel_unaccepted() -> int:
    return services.orders_cancel_unaccepted()


@shared_task(name="orders.tasks.orders_complete_delivered")
def orders_complete_delivered() -> int:
    return services.orders_complete_delivered()


@shared_task(name="orders.tasks.orders_complaints_timeout")
def orders_complaints_timeout() -> int:
    return services.orders_complaints_timeout()


@shared_task(name="orders.tasks.orders_track_shipments")
def orders_track_shipments() -> int:
    return services.orders_track_shipments()
