"""The sandbox simulator: moves the sandbox gateway's state and sends the signed notifications to our own
webhook endpoint over HTTP, exactly as Midtrans would (research/payments.md §a.6)."""

import copy

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from plazabanten.services import task_enqueue

from .models import Payout, SandboxCharge, SandboxPayout
from .services import payout_settle

ACTIONS = {
    "pay": _("Bayar"),
    "pay_wrong": _("Bayar dengan nominal salah"),
    "expire": _("Kedaluwarsa"),
    "deny": _("Tolak (deny)"),
    "duplicate": _("Bayar + notifikasi ganda ×5"),
    "out_of_order": _("Bayar + notifikasi 'pending' terlambat"),
    "delayed": _("Bayar, notifikasi tertunda 20 detik"),
}
NEW_STATUS = {"pay": "settlement", "pay_wrong": "settlement", "expire": "expire", "deny": "deny",
              "duplicate": "settlement", "out_of_order": "settlement", "delayed": "settlement"}


def simulator_act(*, attempt_ref: str, action: str, webhook_url: str) -> None:
    from .gateways.sandbox import sandbox_status_body
    from .tasks import sandbox_notify

    with transaction.atomic():
        charge = SandboxCharge.objects.select_for_update().get(attempt_ref=attempt_ref)
        before = copy.copy(charge)
        charge.status = NEW_STATUS[action]
        if action == "pay_wrong":
            charge.gross_amount = max(1, charge.gross_amount - 1000)
        charge.save()
    bodies = [sandbox_status_body(charge)]
    if action == "duplicate":
        bodies *= 5
    elif action == "out_of_order":
        bodies.append(sandbox_status_body(before))
    transaction.on_commit(lambda: task_enqueue(sandbox_notify, webhook_url, bodies,
                                               countdown=20 if action == "delayed" else 0))


def sandbox_payout_finish(*, payout_id: int, ok: bool) -> str:
    payout = Payout.objects.get(pk=payout_id)
    SandboxPayout.objects.filter(reference=f"payout-{payout.pk}").update(status="completed" if ok else "failed")
    return payout_settle(payout_id=payout.pk, ok=ok, reason="" if ok else "Rekening tujuan menolak (simulasi)")
