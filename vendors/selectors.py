"""Reads of shops. Every seller-side lookup goes through shop_scope (or shop_for, built on it), so another shop's
id is a 404 and a role without the capability is a 403."""

from datetime import timedelta
from statistics import median

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import (
    ROLE_CAPABILITIES,
    Capability,
    Shop,
    ShopBankChange,
    ShopDocument,
    ShopEvent,
    ShopInvitation,
    ShopMember,
    roles_with,
)

Status = Shop.Status


def shop_scope(*, user, capability: str) -> QuerySet[Shop]:
    """The shops where this person may do `capability`: the one way seller code finds shops (and, through
    `shop__in=shop_scope(...)`, their products, orders and money). Anyone else's shop is simply not there."""
    if not user.is_authenticated:
        return Shop.objects.none()
    return Shop.objects.filter(pk__in=ShopMember.objects.filter(user=user, role__in=roles_with(capability))
                               .values("shop_id"))


def shop_for(*, user, shop_id: int, capability: str) -> Shop:
    """The shop a seller URL names, if this person may do `capability` there. Not a member: 404 (the shop is not
    theirs to know about); a member whose role lacks the capability: 403. The shop carries `member_role` and
    `capabilities` for the navigation."""
    role = (ShopMember.objects.filter(user=user, shop_id=shop_id).values_list("role", flat=True).first()
            if user.is_authenticated else None)
    if role is None:
        raise Http404("toko tidak ditemukan")
    if capability not in ROLE_CAPABILITIES.get(role, ()):
        raise PermissionDenied
    shop = get_object_or_404(shop_scope(user=user, capability=capability)
                             .select_related("region", "kabkota", "owner"), pk=shop_id)
    shop.member_role, shop.capabilities = role, ROLE_CAPABILITIES[role]
    return shop


def memberships_of(*, user) -> list[ShopMember]:
    """The shops a person works in, with the role in each: the seller switches between them from this list."""
    return list(ShopMember.objects.filter(user=user).select_related("shop", "shop__kabkota").order_by("shop__name"))


def user_email_verified(*, user) -> bool:
    """Has the user confirmed their own address? Only then may they accept an invitation sent to it."""
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def user_has_shop(*, user) -> bool:
    """Whether the person works in any shop (owner or staff, whatever its state): the home page does not invite
    them to open one."""
    return user.is_authenticated and ShopMember.objects.filter(user=user).exists()


def invitations_for(*, user) -> list[ShopInvitation]:
    return list(ShopInvitation.objects.filter(email__iexact=user.email, accepted_at__isnull=True)
                .select_related("shop"))


def shop_document_for(*, user, shop_id: int, document_id: int) -> ShopDocument:
    """A document for the shop's own members or a verifikator; for anyone else it does not exist."""
    documents = ShopDocument.objects.filter(shop_id=shop_id)
    if not user.is_verifikator:
        documents = documents.filter(shop=shop_for(user=user, shop_id=shop_id, capability=Capability.IDENTITY))
    return get_object_or_404(documents, pk=document_id)


def shop_revision_reasons(*, shop: Shop) -> dict[str, str]:
    """The verifikator's open reasons, per field, while the shop waits for the seller's fixes."""
    if shop.status != Status.REVISION_REQUESTED:
        return {}
    event = shop.events.filter(to_status=Status.REVISION_REQUESTED).first()
    return event.reasons if event else {}


def shop_review_detail(*, shop_id: int) -> Shop:
    return get_object_or_404(
        Shop.objects.select_related("owner", "region", "region__parent", "kabkota", "identity", "bank_account")
        .prefetch_related("documents", "categories", "events__actor"), pk=shop_id)


def verification_queue(*, status: str = Status.SUBMITTED, kabkota: str = "", min_days: int | None = None):
    """Shops for the console, longest waiting first, each with days_waiting since its last submit."""
    shops = Shop.objects.select_related("kabkota", "owner").annotate(revisions=Count(
        "events", filter=Q(events__to_status=Status.REVISION_REQUESTED)))
    if status:
        shops = shops.filter(status=status)
    if kabkota:
        shops = shops.filter(kabkota_id=kabkota)
    now = timezone.now()
    if min_days:
        shops = shops.filter(submitted_at__lte=now - timedelta(days=min_days))
    shops = list(shops.order_by(F("submitted_at").asc(nulls_last=True), "pk")[:200])
    for shop in shops:
        shop.days_waiting = (now - shop.submitted_at).days if shop.submitted_at else None
    return shops


def verification_numbers() -> dict:
    """Shops by status and kab/kota, median days from submit to decision, revisions per shop."""
    by_status = dict(Shop.objects.values_list("status").annotate(n=Count("pk")).order_by())
    rows = (Shop.objects.exclude(status=Status.DRAFT).values("kabkota__code", "kabkota__name", "status")
            .annotate(n=Count("pk")).order_by("kabkota__code"))
    by_kabkota: dict[str, dict] = {}
    for row in rows:
        entry = by_kabkota.setdefault(row["kabkota__code"] or "", {"name": row["kabkota__name"] or "—", "total": 0})
        entry[row["status"]] = row["n"]
        entry["total"] += row["n"]

    decisions = {Status.VERIFIED, Status.REJECTED, Status.REVISION_REQUESTED}
    waits, submitted_at = [], {}
    revisions_per_shop: dict[int, int] = {}
    events = ShopEvent.objects.filter(to_status__in=decisions | {Status.SUBMITTED}).order_by("created_at", "pk")
    for shop_id, from_status, to_status, created_at in events.values_list("shop_id", "from_status", "to_status",
                                                                          "created_at"):
        if to_status == Status.SUBMITTED:
            submitted_at[shop_id] = created_at
            revisions_per_shop.setdefault(shop_id, 0)
        elif from_status == Status.SUBMITTED and shop_id in submitted_at:
            waits.append((created_at - submitted_at.pop(shop_id)).total_seconds() / 86400)
            if to_status == Status.REVISION_REQUESTED:
                revisions_per_shop[shop_id] += 1
    revision_counts = list(revisions_per_shop.values())
    waiting = Shop.objects.filter(status=Status.SUBMITTED, submitted_at__isnull=False)
    return {
        "waiting_now": waiting.count(),
        "waiting_over_3_days": waiting.filter(submitted_at__lte=timezone.now() - timedelta(days=3)).count(),
        "by_status": {status: by_status.get(status, 0) for status in Status.values},
        "by_kabkota": list(by_kabkota.values()),
        "median_days_to_decision": round(median(waits), 1) if waits else None,
        "decisions": len(waits),
        "revisions_per_shop": round(sum(revision_counts) / len(revision_counts), 2) if revision_counts else None,
    }


def shop_business_numbers(*, shop_id: int) -> tuple[str, str]:
    """The shop's NIB and NPWP as declared and verified (empty when it has no identity yet): what invoices print
    about the seller, never the owner's NIK."""
    from .models import ShopIdentity

    return ShopIdentity.objects.filter(shop_id=shop_id).values_list("nib", "npwp").first() or ("", "")


def bank_change_latest(*, shop: Shop) -> ShopBankChange | None:
    """The shop's last bank-account request (pending, or how it was decided), for the seller's bank page."""
    return shop.bank_changes.exclude(status=ShopBankChange.Status.REPLACED).order_by("-created_at", "-pk").first()


def bank_changes_pending() -> list[ShopBankChange]:
    """The verifikator's queue of new payout accounts, oldest first, beside the account in use and the owner."""
    return list(ShopBankChange.objects.filter(status=ShopBankChange.Status.PENDING)
                .select_related("shop", "shop__bank_account", "shop__identity", "requested_by")
                .prefetch_related("shop__documents").order_by("created_at", "pk"))


def tax_declarations_pending() -> list:
    """The verifikator's queue of tax documents (SPPKP, non-PKP statement, turnover statement), oldest first."""
    from .models import ShopTaxDeclaration

    return list(ShopTaxDeclaration.objects.filter(status=ShopTaxDeclaration.Status.PENDING)
                .select_related("shop", "shop__identity", "requested_by").order_by("created_at", "pk"))


def tax_declaration_for(*, user, declaration_id: int):
    """A tax document for its shop's members (identity) or a verifikator; for anyone else it does not exist."""
    from .models import ShopTaxDeclaration

    declarations = ShopTaxDeclaration.objects.all()
    if not user.is_verifikator:
        declarations = declarations.filter(shop__in=shop_scope(user=user, capability=Capability.IDENTITY))
    return get_object_or_404(declarations, pk=declaration_id)


def shop_sppkp(*, shop):
    """The shop's SPPKP waiting for the verifikator or accepted (the latest), or None."""
    from .models import ShopTaxDeclaration

    return (ShopTaxDeclaration.objects.filter(shop=shop, kind=ShopTaxDeclaration.Kind.PKP, status__in=[
        ShopTaxDeclaration.Status.PENDING, ShopTaxDeclaration.Status.APPROVED]).order_by("-created_at", "-pk").first())
