"""Files and ready-made shops for the vendors tests."""

import io
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect

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


def wizard_documents(folder: Path) -> tuple[Path, Path, Path]:
    """A KTP photo, an NIB PDF and an NPWP scan, as files a seller picks in the browser."""
    ktp, nib, npwp = folder / "ktp.jpg", folder / "nib.pdf", folder / "npwp.png"
    ktp.write_bytes(image_bytes(size=(856, 540), color=(120, 160, 210)))
    nib.write_bytes(PDF_BYTES)
    npwp.write_bytes(image_bytes("PNG", size=(856, 540), color=(240, 220, 150)))
    return ktp, nib, npwp


def shop_wizard_walk(page, *, documents: tuple[Path, Path, Path], nib: str, snap: Callable[[str], None],
                     kecamatan: str | None = None) -> None:
    """Open "Batik Rangkasbitung" (Kabupaten Lebak) from the seller home and walk the wizard in the browser:
    profile → identity → documents → bank → review → sent for verification.

    ``snap(step)`` runs as each step is about to be left (profile, identity, documents, bank, review) and once on
    the status page (submitted): the caller's screenshots and checks. ``kecamatan`` is a region code; by default
    the first one offered.
    """
    page.fill("#shop-name", "Batik Rangkasbitung")
    page.get_by_role("button", name="Buka toko").click()
    expect(page.locator("h2", has_text="Profil toko")).to_be_visible()
    page.fill("#id_description", "Batik tulis motif Baduy dari Lebak.")
    page.select_option("#id_region_2", "36.02")
    expect(page.locator("#id_region_3")).to_be_enabled()
    if kecamatan:
        page.select_option("#id_region_3", kecamatan)
    else:
        page.select_option("#id_region_3", index=1)
    expect(page.locator("#id_region_4")).to_be_enabled()
    page.select_option("#id_region_4", index=1)
    page.fill("#id_street", "Jl. Multatuli No. 5")
    page.fill("#id_postal_code", "42314")
    page.fill("#id_whatsapp", "0812 3456 7890")
    page.check("text=Fashion & Batik")
    snap("profile")
    page.get_by_role("button", name="Simpan & lanjut").click()

    expect(page.locator("h2", has_text="Identitas usaha")).to_be_visible()
    page.fill("#id_owner_name", "Siti Aminah")
    page.fill("#id_owner_nik", "3602015708950001")
    page.fill("#id_nib", nib)
    page.fill("#id_npwp", "01.300.066.6-091.000")
    page.locator("#id_capital").press_sequentially("50.000.000")  # as written on paper, with dots
    page.locator("#id_turnover").press_sequentially("300.000.000")
    snap("identity")
    page.get_by_role("button", name="Simpan & lanjut").click()

    expect(page.locator("h2", has_text="Dokumen")).to_be_visible()
    for field, path in zip(("#id_doc_ktp", "#id_doc_nib", "#id_doc_npwp"), documents, strict=True):
        page.set_input_files(field, str(path))
    snap("documents")
    page.get_by_role("button", name="Simpan & lanjut").click()

    expect(page.locator("h2", has_text="Rekening")).to_be_visible()
    page.select_option("#id_bank", "bank_banten")
    page.fill("#id_number", "0123456789012")
    page.fill("#id_holder_name", "Siti Aminah")
    snap("bank")
    page.get_by_role("button", name="Simpan & lanjut").click()

    expect(page.locator("text=Kelas UMKM")).to_be_visible()
    snap("review")
    page.get_by_role("button", name="Kirim untuk verifikasi").click()
    expect(page.locator(".status-card")).to_contain_text("Menunggu verifikasi")
    snap("submitted")


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
