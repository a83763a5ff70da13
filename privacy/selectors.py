"""Reads for personal data: the access log as its owner and as the Pemprov see it, and a person's own data."""

import io
import json
import zipfile
from datetime import date, datetime, time, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.utils import timezone

from .masking import mask_account, mask_nik
from .models import DocumentAccess

PAGE = 50


def document_accesses_of_owner(*, user) -> QuerySet[DocumentAccess]:
    """Who looked at this person's documents: as the data subject, as the admin of a shop, or of an OPD."""
    from procurement.models import OpdMember, Role
    from vendors.models import Capability
    from vendors.selectors import shop_scope

    opd_ids = OpdMember.objects.filter(user=user, roles__contains=[Role.ADMIN]).values("opd_id")
    return (DocumentAccess.objects.filter(Q(owner=user) | Q(shop__in=shop_scope(user=user,
                                                                               capability=Capability.IDENTITY))
                                          | Q(opd__in=opd_ids))
            .select_related("accessor").order_by("-accessed_at", "-pk"))


def document_accesses_search(*, accessor: str = "", owner: str = "", date_from: date | None = None,
                             date_to: date | None = None) -> QuerySet[DocumentAccess]:
    """The Pemprov's search: by who looked (name or email), whose document (name, email, shop or OPD), dates."""
    rows = DocumentAccess.objects.select_related("accessor", "owner", "shop", "opd")
    if accessor:
        rows = rows.filter(Q(accessor__email__icontains=accessor) | Q(accessor__name__icontains=accessor))
    if owner:
        rows = rows.filter(Q(owner__email__icontains=owner) | Q(owner__name__icontains=owner)
                           | Q(subject__icontains=owner))
    tz = timezone.get_current_timezone()
    if date_from:
        rows = rows.filter(accessed_at__gte=datetime.combine(date_from, time.min, tz))
    if date_to:
        rows = rows.filter(accessed_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tz))
    return rows.order_by("-accessed_at", "-pk")


def _rows(queryset, *fields) -> list[dict]:
    return list(queryset.values(*fields))


def user_data_export(*, user) -> bytes:
    """A ZIP of JSON files with everything Plaza Banten keeps about this person (UU PDP Ps 7: the right to a copy).
    NIKs and account numbers come masked, like on every page: the file may be opened on a shared computer."""
    from allauth.account.models import EmailAddress

    from orders.models import Order, Review
    from procurement.models import OpdMember
    from vendors.models import Shop, ShopBankAccount, ShopIdentity

    account = {"id": user.pk, "email": user.email, "name": user.name, "phone": user.phone,
               "date_joined": user.date_joined, "last_login": user.last_login, "roles": sorted(user.role_names),
               "email_addresses": _rows(EmailAddress.objects.filter(user=user), "email", "verified", "primary")}
    addresses = [{**row, "region": row.pop("region__name")} for row in _rows(
        user.addresses.all(), "label", "recipient", "phone", "street", "region__name", "region_id", "postal_code",
        "is_default", "created_at")]
    orders = []
    for order in (Order.objects.filter(buyer=user).select_related("shop", "group").prefetch_related("lines")
                  .order_by("created_at", "pk")):
        orders.append({
            "number": order.number, "shop": order.shop.name, "status": order.status, "created_at": order.created_at,
            "subtotal": order.subtotal, "shipping_fee": order.shipping_fee, "total": order.total,
            "shipping": order.shipping_label, "tracking_number": order.tracking_number, "note": order.note,
            "invoice_number": order.invoice_number, "delivery_address": order.group.address,
            "lines": [{"product": line.product_name, "variant": line.variant_name, "quantity": line.quantity,
                       "unit_price": line.unit_price} for line in order.lines.all()]})
    reviews = [{**row, "product": row.pop("product__name")} for row in _rows(
        Review.objects.filter(buyer=user), "product__name", "rating", "text", "reply", "created_at")]
    shops = []
    for shop in Shop.objects.filter(owner=user).order_by("pk"):
        identity = ShopIdentity.objects.filter(shop=shop).first()
        bank = ShopBankAccount.objects.filter(shop=shop).first()
        shops.append({
            "name": shop.name, "slug": shop.slug, "status": shop.status, "description": shop.description,
            "street": shop.street, "region": shop.region_id, "postal_code": shop.postal_code,
            "whatsapp": shop.whatsapp, "umkm_class": shop.umkm_class, "is_pkp": shop.is_pkp,
            "created_at": shop.created_at,
            "identity": {"owner_name": identity.owner_name, "owner_nik": mask_nik(identity.owner_nik),
                         "entity_type": identity.entity_type, "business_name": identity.business_name,
                         "nib": identity.nib, "npwp": identity.npwp, "capital": identity.capital,
                         "turnover": identity.turnover} if identity else None,
            "bank_account": {"bank": bank.bank, "number": mask_account(bank.number),
                             "holder_name": bank.holder_name} if bank else None,
            "documents": _rows(shop.documents.all(), "kind", "original_name", "content_type", "size", "uploaded_at"),
        })
    member = OpdMember.objects.filter(user=user).select_related("opd").first()
    accesses = [{"accessed_at": row.accessed_at, "by": row.accessor.name if row.accessor else None,
                 "document": row.kind_label, "subject": row.subject, "purpose": row.get_purpose_display()}
                for row in document_accesses_of_owner(user=user)[:5000]]
    files = {
        "akun.json": account, "alamat.json": addresses, "pesanan.json": orders, "ulasan.json": reviews,
        "toko.json": shops, "akses-dokumen.json": accesses,
        "satuan-kerja.json": {"opd": member.opd.name, "roles": member.roles, "nip": member.nip,
                              "jabatan": member.jabatan} if member else None,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
    return buffer.getvalue()
