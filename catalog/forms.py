from django import forms
from django.utils.translation import gettext_lazy as _

from .images import photo_validate
from .selectors import MAX_PAGE, PRICE_BANDS, RATING_LEVELS, ProductFilters

# URL value → internal sort key; the URL speaks Indonesian so shared links read well.
SORT_PARAMS = {
    "relevan": "relevance",
    "terbaru": "newest",
    "termurah": "price_asc",
    "termahal": "price_desc",
    "terlaris": "bestselling",
}
SORT_LABELS = {
    "relevan": _("Paling relevan"),
    "terbaru": _("Terbaru"),
    "termurah": _("Harga terendah"),
    "termahal": _("Harga tertinggi"),
    "terlaris": _("Terlaris"),
}


class ProductSearchForm(forms.Form):
    """The storefront query string. A value that does not fit is dropped, never an error: links get shared."""

    q = forms.CharField(required=False, max_length=100, strip=True)
    kategori = forms.SlugField(required=False, max_length=100)
    kabkota = forms.RegexField(required=False, regex=r"^\d{2}\.\d{2}$")
    harga = forms.ChoiceField(required=False, choices=[(key, label) for key, label, _, _ in PRICE_BANDS])
    halal = forms.BooleanField(required=False)
    tkdn = forms.BooleanField(required=False)
    banten = forms.BooleanField(required=False)
    rating = forms.ChoiceField(required=False, choices=[(key, key) for key, _ in RATING_LEVELS])
    urut = forms.ChoiceField(required=False, choices=list(SORT_LABELS.items()))
    hal = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def filters(self, *, category: str = "") -> ProductFilters:
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
        "rating": filters.rating,
        "urut": sort_param.get(filters.sort, ""),
        "hal": str(filters.page) if filters.page > 1 else "",
    }
    return {name: value for name, value in params.items() if value}


class ProductPhotoForm(forms.Form):
    photo = forms.FileField(label=_("Foto produk"), allow_empty_file=False, error_messages={
        "required": _("Pilih foto produk."), "empty": _("Berkas kosong. Pilih foto produk.")})

    def clean_photo(self):
        photo = self.cleaned_data["photo"]
        photo_validate(photo)
        return photo


class ModerationForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), min_length=10, max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Tulis alasannya."),
                                             "min_length": _("Tulis alasan yang jelas (minimal 10 karakter).")})
