"""Files and ready-made shops for the vendors tests."""

import io

from PIL import Image

from accounts import roles
from accounts.services import user_grant_role
from tests.factories import make_user
from vendors import services
from vendors.models import Shop

PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
             b"trailer<</Root 1 0 R>>\n%%EOF\n")


def image_bytes(fmt: str = "JPEG", size=(320, 200), color=(200, 120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def make_verifikator(**fields):
    user = make_user(**fields)
    user_grant_role(user=user, role=roles.VERIFIKATOR)
    return user


def upload(kind_bytes: bytes, content_type: str, extension: str, name: str = "scan") -> services.DocumentUpload:
    return services.DocumentUpload(content=kind_bytes, content_type=content_type, extension=extension,
                                   original_name=f"{name}.{extension}")


def make_complete_draft(*, owner=None, name="Batik Rangkasbitung") -> Shop:
    """A draft shop with every wizard step filled in, ready to submit."""
    from regions.models import Region

    owner = owner or make_user()
    shop = services.shop_create_draft(owner=owner, name=name, slug=f"toko-{owner.pk}")
    desa = Region.objects.filter(code__startswith="36.02.", level=4).order_by("code").first()
    services.shop_update_profile(shop=shop, actor=owner, name=name, slug=shop.slug, description="Batik tulis",
                                 region=desa, street="Jl. Multatuli 5", postal_code="42314",
                                 whatsapp="+6281234567890", categories=[])
    services.shop_update_identity(shop=shop, actor=owner, owner_name="Siti Aminah", owner_nik="3602015708950001",
                                  entity_type="individual", business_name="", nib="9120001234567",
                                  npwp="013000666091000", capital=50_000_000, turnover=300_000_000)
    for kind in ("ktp", "nib", "npwp"):
        services.shop_save_document(shop=shop, actor=owner, kind=kind,
                                    upload=upload(image_bytes(), "image/jpeg", "jpg"))
    services.shop_update_bank(shop=shop, actor=owner, bank="bri", number="012301000123567",
                              holder_name="Siti Aminah")
    shop.refresh_from_db()
    return shop
