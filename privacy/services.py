"""Writes for personal data (UU 27/2022 PDP): deleting an account, and the retention of closed shops' documents.

Deleting an account erases or anonymises the person's data in one transaction, while the records the law keeps
(orders and their invoices, credit notes, the ledger and payouts, government packages and their signed PDFs, the
audit log) stay, pointing at the same user row whose name is now "Pengguna dihapus #id".
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from plazabanten.cache import storefront_changed
from plazabanten.services import audit_record

OPEN_ORDER_END = ("completed", "expired", "cancelled", "refunded", "closed")  # orders.Order.Status: finished
PACKAGE_END = ("ditolak_penyedia", "batal_otomatis", "dibatalkan", "selesai")  # procurement.Paket.Status


class AccountDeletionRefused(Exception):
    """Deleting now would lose money or an obligation; `reasons` says what to settle first."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def deleted_name(user_id: int) -> str:
    return f"Pengguna dihapus #{user_id}"  # data, not UI: the same in every language, on kept invoices too


def account_deletion_blockers(*, user) -> list[str]:
    """What stands in the way of deleting this account, in words the person can act on; empty when nothing does."""
    from orders.models import Order
    from payments.ledger import shop_balances
    from payments.models import Payout, Refund
    from procurement.models import OpdMember, Paket
    from vendors.models import Shop

    reasons = []
    if user.is_staff or user.is_superuser or user.is_verifikator:
        reasons.append(_("Akun petugas Plaza Banten dihapus oleh admin sistem, bukan dari halaman ini."))
    open_orders = list(Order.objects.filter(buyer=user).exclude(status__in=OPEN_ORDER_END)
                       .values_list("number", flat=True)[:5])
    if open_orders:
        reasons.append(_("Masih ada pesanan yang belum selesai: %(numbers)s. Selesaikan atau batalkan dulu.")
                       % {"numbers": ", ".join(open_orders)})
    if Refund.objects.filter(order__buyer=user, status=Refund.Status.REQUESTED).exists():
        reasons.append(_("Pengembalian dana untuk Anda masih diproses; tunggu sampai dana diterima."))
    member = OpdMember.objects.filter(user=user).select_related("opd").first()
    if member:
        reasons.append(_("Anda masih pejabat satuan kerja %(opd)s; minta admin satuan kerja mencabut peran Anda dulu.")
                       % {"opd": member.opd.name})
    for shop in Shop.objects.filter(owner=user).order_by("pk"):
        if Order.objects.filter(shop=shop).exclude(status__in=OPEN_ORDER_END).exists():
            reasons.append(_("Toko %(shop)s masih punya pesanan yang belum selesai.") % {"shop": shop.name})
        if Paket.objects.filter(shop=shop).exclude(status__in=PACKAGE_END).exists():
            reasons.append(_("Toko %(shop)s masih punya paket pengadaan yang berjalan.") % {"shop": shop.name})
        balances = shop_balances(shop_id=shop.pk)
        if any(balances.values()):
            reasons.append(_("Toko %(shop)s masih punya saldo atau pencairan yang belum selesai; cairkan dulu.")
                           % {"shop": shop.name})
        elif Payout.objects.filter(shop=shop, status__in=[Payout.Status.REQUESTED, Payout.Status.PROCESSING]).exists():
            reasons.append(_("Pencairan dana toko %(shop)s masih diproses.") % {"shop": shop.name})
    return reasons


def account_delete(*, user) -> dict:
    """Erase or anonymise everything personal about `user` (the view confirmed the password). Refused with the
    reasons when an order, a refund, a balance, a payout or a government package is still open."""
    from accounts.models import Address, User
    from orders.models import CartLine, CheckoutGroup, Order, Review
    from payments.models import Payout
    from plazabanten.models import Notification, OutboxMessage
    from vendors.models import (
        Shop,
        ShopBankAccount,
        ShopBankChange,
        ShopEvent,
        ShopIdentity,
        ShopInvitation,
        ShopMember,
    )

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        shops = list(Shop.objects.select_for_update().filter(owner=user).order_by("pk"))
        reasons = account_deletion_blockers(user=user)
        if reasons:
            raise AccountDeletionRefused(reasons)
        name, old_email = deleted_name(user.pk), user.email
        kept = {"orders": Order.objects.filter(buyer=user).count(), "shops": len(shops)}
        # The address book, the cart, the notifications and the sign-in addresses go.
        Address.objects.filter(user=user).delete()
        CartLine.objects.filter(user=user).delete()
        Notification.objects.filter(user=user).delete()
        OutboxMessage.objects.filter(Q(recipient=user) | Q(email__iexact=old_email)).delete()
        EmailAddress.objects.filter(user=user).delete()
        ShopInvitation.objects.filter(email__iexact=old_email).delete()
        ShopMember.objects.filter(user=user).exclude(shop__in=shops).delete()
        # Orders stay (invoices, tax): the delivery snapshot keeps the region, the person is replaced.
        for group in CheckoutGroup.objects.filter(buyer=user):
            group.address = {**group.address, "recipient": name, "phone": "", "street": ""}
            group.save(update_fields=["address"])
        Order.objects.filter(buyer=user).update(note="")
        Review.objects.filter(buyer=user).update(text="")  # the rating still counts; the words were theirs
        # The shops they own close: off the storefront; identity anonymised; the KTP goes now, the business
        # documents when the retention period ends (shop_documents_retention_purge).
        for shop in shops:
            before = shop.status
            shop.status, shop.whatsapp, shop.street = Shop.Status.CLOSED, "", ""
            shop.save(update_fields=["status", "whatsapp", "street"])
            ShopEvent.objects.create(shop=shop, actor=user, from_status=before, to_status=Shop.Status.CLOSED,
                                     note="account deleted")
            ShopIdentity.objects.filter(shop=shop).update(owner_name=name, owner_nik="")
            ktp = list(shop.documents.filter(kind="ktp"))
            for document in ktp:
                _document_files_delete(document)
            ShopBankAccount.objects.filter(shop=shop).delete()
            ShopBankChange.objects.filter(shop=shop).delete()
            Payout.objects.filter(shop=shop).update(account_name=name)
            ShopMember.objects.filter(shop=shop).exclude(user=user).delete()
            audit_record(actor=user, action="shop.closed_account_deleted", target=shop,
                         before={"status": before}, after={"status": Shop.Status.CLOSED, "ktp_deleted": len(ktp)})
            if before == Shop.Status.VERIFIED:
                transaction.on_commit(storefront_changed)
        user.name, user.phone = name, ""
        user.email = f"dihapus-{user.pk}@pengguna-dihapus.invalid"
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["name", "phone", "email", "is_active", "password"])
        user.groups.clear()
        # A new (unusable) password changes the session hash: every signed-in browser is signed out.
        audit_record(actor=user, action="account.deleted", target=user, after=kept)
    return kept


def _document_files_delete(document) -> None:
    """The row now, the stored files once the transaction commits (a rollback keeps both)."""
    names = [field.name for field in (document.file, document.preview) if field]
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def shop_documents_retention_purge(*, now=None) -> int:
    """Delete the documents (and the NIK) of shops rejected or closed more than PB_DOCUMENT_RETENTION_DAYS ago,
    one audited transaction per shop. The beat job privacy.tasks.shop_documents_retention runs it daily."""
    from vendors.models import Shop, ShopDocument, ShopEvent, ShopIdentity

    cutoff = (now or timezone.now()) - timedelta(days=settings.PB_DOCUMENT_RETENTION_DAYS)
    ended = (Shop.Status.REJECTED, Shop.Status.CLOSED)
    shop_ids = (ShopDocument.objects.filter(shop__status__in=ended).values_list("shop_id", flat=True)
                .distinct().order_by("shop_id"))
    purged = 0
    for shop_id in list(shop_ids):
        with transaction.atomic():
            shop = Shop.objects.select_for_update().get(pk=shop_id)
            last = ShopEvent.objects.filter(shop=shop, to_status=shop.status).order_by("-created_at").first()
            if shop.status not in ended or (last.created_at if last else shop.created_at) > cutoff:
                continue
            documents = list(ShopDocument.objects.filter(shop=shop).order_by("pk"))
            for document in documents:
                _document_files_delete(document)
            ShopIdentity.objects.filter(shop=shop).update(owner_nik="")
            audit_record(actor=None, action="shop.documents_retention_deleted", target=shop,
                         before={"documents": [d.kind for d in documents], "status": shop.status},
                         after={"retention_days": settings.PB_DOCUMENT_RETENTION_DAYS})
            purged += len(documents)
    return purged
