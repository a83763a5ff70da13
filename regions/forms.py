"""The one region cascade (provinsi → kab/kota → kecamatan → desa/kelurahan) that every address form uses."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import BANTEN, Region
from .selectors import region_children, region_path

LEVEL_LABELS = {
    1: _("Provinsi"),
    2: _("Kabupaten/Kota"),
    3: _("Kecamatan"),
    4: _("Desa/Kelurahan"),
}


def cascade_context(*, name: str, code: str, depth: int, widget_id: str, required: bool = True) -> dict:
    """The selects to draw for a chosen code: each level's options and selection, down to `depth`."""
    chosen = [region.code for region in region_path(code=code)] if code else []
    levels = []
    parent = None
    for level in range(1, depth + 1):
        options = region_children(parent_code=parent) if level == 1 or parent else []
        selected = chosen[level - 1] if level <= len(chosen) else ""
        levels.append({
            "level": level,
            "label": LEVEL_LABELS[level],
            "name": f"{name}_{level}",
            "id": f"{widget_id}_{level}",
            "options": options,
            "selected": selected,
        })
        parent = selected or None
    return {
        "name": name,
        "widget_id": widget_id,
        "levels": levels,
        "depth": depth,
        "required": required,
        "url": reverse("regions:cascade"),
    }


class RegionCascadeWidget(forms.Widget):
    """Renders one select per level; choosing a level reloads the ones below it through htmx."""

    template_name = "regions/widgets/cascade.html"

    def __init__(self, depth: int = 4, attrs=None):
        super().__init__(attrs)
        self.depth = depth

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_id = (attrs or {}).get("id") or f"id_{name}"
        # An empty address starts in Banten, where most Plaza Banten addresses are.
        context["cascade"] = cascade_context(name=name, code=str(value or BANTEN), depth=self.depth,
                                             widget_id=widget_id, required=self.is_required)
        return context

    def value_from_datadict(self, data, files, name):
        # The deepest level the user chose; a partial choice is caught by the field's level check.
        for level in range(self.depth, 0, -1):
            value = data.get(f"{name}_{level}")
            if value:
                return value
        return data.get(name, "")

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}_{level}" in data for level in range(1, self.depth + 1)) and name not in data

    def id_for_label(self, id_):
        return f"{id_}_1" if id_ else id_


class RegionField(forms.ModelChoiceField):
    """A region chosen down to `depth` (4 = desa/kelurahan, 2 = kab/kota)."""

    def __init__(self, *, depth: int = 4, **kwargs):
        self.depth = depth
        kwargs.setdefault("label", _("Wilayah"))
        super().__init__(queryset=Region.objects.all(), widget=RegionCascadeWidget(depth=depth), **kwargs)
        self.error_messages["invalid_choice"] = _("Wilayah tidak dikenal. Pilih dari daftar.")

    def clean(self, value):
        region = super().clean(value)
        if region is not None and region.level != self.depth:
            raise ValidationError(_("Lengkapi pilihan sampai %(level)s.") % {"level": LEVEL_LABELS[self.depth]},
                                  code="incomplete")
        return region
