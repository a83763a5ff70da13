from django import forms
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from plazabanten.money import PriceJumpConfirmMixin, RupiahField, RupiahInput

from .images import photo_validate
from .models import Category, Product
from .selectors import MAX_PAGE, PRICE_BANDS, RATING_LEVELS, ProductFilters

# URL value → internal sort key; the URL speaks Indonesian so shared links read well.
SORT_PARAMS = {
    "relevan": "relevance",
    "terbaru": "newest",
    "termurah": "price_asc",
    "termahal": "price_desc",
    "terlaris": "bestselling",
    "pengadaan": "procurement",
}
SORT_LABELS = {
    "relevan": _("Paling relevan"),
    "terbaru": _("Terbaru"),
    "termurah": _("Harga terendah"),
    "termahal": _("Harga tertinggi"),
    "terlaris": _("Terlaris"),
    # Offered to government buyers only (their default): PDN first, then UMK in Banten.
    "pengadaan": _("Prioritas pengadaan (PDN & UMK)"),
}


class ProductSearchForm(forms.Form):
    """The storefront query string. A value that does not fit is dropped, never an error: links get shared."""

    q = forms.CharField(required=False, max_length=100, strip=True)
    kategori = forms.SlugField(required=False, max_length=100)
    kabkota = forms.RegexField(required=False, regex=r"^\d{2}\.\d{2}$")
    harga = forms.ChoiceField(required=False, choices=list(PRICE_BANDS))
    halal = forms.BooleanField(required=False)
    tkdn = forms.BooleanField(required=False)
    banten = forms.BooleanField(required=False)
    pdn = forms.BooleanField(required=False)
    umk = forms.BooleanField(required=False)
    rating = forms.ChoiceField(required=False, choices=[(key, key) for key, _ in RATING_LEVELS])
    urut = forms.ChoiceField(required=False, choices=list(SORT_LABELS.items()))
    hal = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def filters(self, *, category: str = "", government: bool = False) -> ProductFilters:
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return ProductFilters(
            text=(data.get("q") or "")[:100],
            category=category or data.get("kategori") or "",
            kabkota=data.get("kabkota") or "",
            price=data.get("harga") or "",
            halal=bool(data.get("halal")),
            tkdn=bool(data.get("tkdn")),
            banten=bool(data.get("banten")),
            pdn=bool(data.get("pdn")),
            umk=bool(data.get("umk")),
            government=government,
            rating=data.get("rating") or "",
            sort=SORT_PARAMS.get(data.get("urut") or "", ""),
            page=data.get("hal") or 1,
        )


def filters_query(filters: ProductFilters, *, with_category: bool) -> dict[str, str]:
    """The query string for `filters` (defaults left out), the inverse of ProductSearchForm.filters."""
    sort_param = {key: param for param, key in SORT_PARAMS.items()}
    params = {
        "q": filters.text,
        "kategori": filters.category if with_category else "",
        "kabkota": filters.kabkota,
        "harga": filters.price,
        "halal": "1" if filters.halal else "",
        "tkdn": "1" if filters.tkdn else "",
        "banten": "1" if filters.banten else "",
        "pdn": "1" if filters.pdn else "",
        "umk": "1" if filters.umk else "",
        "rating": filters.rating,
        "urut": sort_param.get(filters.sort, ""),
        "hal": str(filters.page) if filters.page > 1 else "",
    }
    return {name: value for name, value in params.items() if value}


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several files under one name (``<input type=file multiple>``); cleaned to a list."""

    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files]


class ProductPhotoForm(forms.Form):
    """One or several photos at once; each checked by its content (catalog.images.photo_validate)."""

    photo = MultiplePhotoField(label=_("Foto produk (boleh beberapa sekaligus)"), allow_empty_file=False,
                               error_messages={"required": _("Pilih foto produk."),
                                               "empty": _("Berkas kosong. Pilih foto produk.")})

    def clean_photo(self):
        photos, problems = self.cleaned_data["photo"], []
        for photo in photos:
            try:
                photo_validate(photo)
            except forms.ValidationError as error:
                name = (photo.name or "")[-80:]
                problems += [f"{name}: {message}" if len(photos) > 1 else message for message in error.messages]
        if problems:
            raise forms.ValidationError(problems)
        return photos


class ModerationForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), min_length=10, max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Tulis alasannya."),
                                             "min_length": _("Tulis alasan yang jelas (minimal 10 karakter).")})


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["name", "category", "description", "condition", "status", "weight_grams", "length_cm", "width_cm",
                  "height_cm", "min_order", "tkdn_percent", "tkdn_certificate", "is_halal", "halal_number",
                  "pirt_number", "bpom_number", "has_sni", "bmp_percent"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        labels = {"category": _("Kategori")}
        error_messages = {"name": {"required": _("Nama produk wajib diisi.")},
                          "category": {"required": _("Pilih kategori.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (Category.objects.filter(level=3).select_related("parent__parent")
                                            .order_by("slug"))
        self.fields["category"].label_from_instance = lambda leaf: " › ".join(
            node.label for node in (leaf.parent.parent if leaf.parent else None, leaf.parent, leaf) if node)
        self.fields["category"].empty_label = _("Pilih kategori")
        if self.instance.pk is None:
            # A new product is saved as a draft and goes on to its photos: it can be activated once one is ready.
            del self.fields["status"]
        else:
            self.fields["status"].choices = [(value, label) for value, label in Product.Status.choices
                                             if value != Product.Status.TAKEN_DOWN]
        self.fields["tkdn_percent"].widget.attrs.update(min=0, max=100)
        self.fields["bmp_percent"].widget.attrs.update(min=0, max=15)
        self.fields["bmp_percent"].required = False  # most UMK products have no TKDN certificate at all

    def clean_description(self):
        # Stored as plain text; the product page escapes it and keeps line breaks.
        return strip_tags(self.cleaned_data["description"]).strip()

    def clean_bmp_percent(self):
        return self.cleaned_data["bmp_percent"] or 0

    def clean_status(self):
        status = self.cleaned_data.get("status")
        if self.instance.pk and self.instance.status == Product.Status.TAKEN_DOWN:
            raise forms.ValidationError(_("Produk ini diturunkan verifikator; statusnya tidak bisa diubah penjual."))
        return status


PRICE_MIN, PRICE_MAX = 100, 1_000_000_000


def price_field(**kwargs) -> RupiahField:
    """A product price: Rp100 to Rp1.000.000.000, typed as the seller writes it (350.000, 350rb)."""
    return RupiahField(min_value=PRICE_MIN, max_value=PRICE_MAX, what=_("harga"),
                       error_messages={"required": _("Harga wajib diisi.")}, **kwargs)


class VariantForm(PriceJumpConfirmMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Varian"), max_length=80, required=False)
    sku = forms.CharField(label=_("SKU"), max_length=60, error_messages={"required": _("SKU wajib diisi.")})
    price = price_field(label=_("Harga (Rp)"))
    stock = forms.IntegerField(label=_("Stok"), min_value=0, max_value=1_000_000, error_messages={
        "required": _("Stok wajib diisi."), "min_value": _("Stok tidak boleh negatif.")})
    # The stock the form showed: if it changed meanwhile (a payment took units), the seller's change is applied to
    # today's count instead of overwriting it.
    stock_seen = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        # A saved variant's price that moves more than 10× waits for the seller's confirmation.
        if self.initial.get("id") and cleaned.get("id") == self.initial["id"]:
            self.price_jump_check("price", saved=self.initial.get("price"))
        return cleaned

    @property
    def price_confirm(self):
        return self.price_confirms.get("price")


class BaseVariantFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        skus = [form.cleaned_data["sku"].upper() for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if len(skus) != len(set(skus)):
            raise forms.ValidationError(_("SKU tiap varian harus berbeda."))
        if not skus:
            raise forms.ValidationError(_("Produk perlu minimal satu varian (harga dan stok)."))


class VariantBulkForm(PriceJumpConfirmMixin, forms.Form):
    """The product list's price and stock inputs (``harga-<variant id>``, ``stok-<variant id>``), saved together.

    ``variants`` are the shop's variants on the page. A variant whose inputs were not posted is shown as it is and
    left alone. ``changes()`` is {variant id: (price, stock)} once valid.
    """

    def __init__(self, data=None, *, variants):
        super().__init__(data)
        self.variants = {variant.pk: variant for variant in variants}
        for pk, variant in self.variants.items():
            posted = data is None or f"harga-{pk}" in data or f"stok-{pk}" in data
            self.fields[f"harga-{pk}"] = price_field(
                label=_("Harga"), initial=variant.price, disabled=not posted,
                widget=RupiahInput(attrs={"aria-label": _("Harga %(v)s") % {"v": variant.sku}}))
            self.fields[f"stok-{pk}"] = forms.IntegerField(
                label=_("Stok"), initial=variant.stock, disabled=not posted, min_value=0, max_value=1_000_000,
                widget=forms.NumberInput(attrs={"aria-label": _("Stok %(v)s") % {"v": variant.sku}}),
                error_messages={"required": _("Stok wajib diisi."), "min_value": _("Stok tidak boleh negatif.")})

    def clean(self):
        cleaned = super().clean()
        for pk, variant in self.variants.items():
            if not self.fields[f"harga-{pk}"].disabled:
                self.price_jump_check(f"harga-{pk}", saved=variant.price)
        return cleaned

    def changes(self) -> dict[int, tuple[int, int]]:
        return {pk: (self.cleaned_data[f"harga-{pk}"], self.cleaned_data[f"stok-{pk}"]) for pk in self.variants
                if not self.fields[f"harga-{pk}"].disabled}

    def annotate(self, products) -> None:
        """Hang each variant's inputs on it for the template: variant.bulk_price, .bulk_stock, .bulk_confirm."""
        for product in products:
            for variant in product.variants.all():
                if variant.pk in self.variants:
                    variant.bulk_price, variant.bulk_stock = self[f"harga-{variant.pk}"], self[f"stok-{variant.pk}"]
                    variant.bulk_confirm = self.price_confirms.get(f"harga-{variant.pk}")


# Four empty rows: one shown, the others revealed one by one by "Tambah varian" (static/js/product-form.js) without
# a reload; empty rows are ignored.
VARIANT_EXTRA_ROWS = 4
VariantFormSet = forms.formset_factory(VariantForm, formset=BaseVariantFormSet, extra=VARIANT_EXTRA_ROWS,
                                       can_delete=True, max_num=30, absolute_max=30)


class ProductImportForm(forms.Form):
    file = forms.FileField(label=_("Berkas CSV"), error_messages={
        "required": _("Pilih berkas CSV."), "empty": _("Berkas kosong.")})
    valid_rows_only = forms.BooleanField(label=_("Jika ada baris yang salah, tetap impor baris yang benar"),
                                         required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("Berkas terlalu besar (maksimal 2 MB)."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("Berkas harus CSV dengan encoding UTF-8.")) from error
        if "\0" in text or "," not in text.partition("\n")[0]:
            raise forms.ValidationError(_("Ini bukan berkas CSV. Gunakan format hasil ekspor."))
        return text
