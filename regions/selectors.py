from .models import BANTEN, Region


def region_children(*, parent_code: str | None) -> list[Region]:
    """Provinces when parent_code is None, else the direct children, by name."""
    return list(Region.objects.filter(parent_id=parent_code).order_by("name").only("code", "name", "level"))


def region_path(*, code: str) -> list[Region]:
    """The chain from provinsi down to the region with this code (empty for an unknown code)."""
    parts = code.split(".")
    codes = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    found = {region.code: region for region in Region.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found] if len(found) == len(codes) else []


def region_labels(*, codes: list[str]) -> dict[str, str]:
    """Each code's full name as written on an address, nearest first ("Serua, Ciputat, Kota Tangerang Selatan,
    Banten"), for any number of codes in one query; an unknown code maps to ""."""
    prefixes = {".".join(code.split(".")[:i]) for code in codes for i in range(1, code.count(".") + 2)}
    names = dict(Region.objects.filter(code__in=prefixes).values_list("code", "name"))
    labels = {}
    for code in codes:
        parts = code.split(".")
        chain = [names.get(".".join(parts[:i])) for i in range(len(parts), 0, -1)]
        labels[code] = ", ".join(chain) if all(chain) else ""
    return labels


def region_label(region: Region) -> str:
    """What region_labels gives for one region, from the region and its parents already read (a desa/kelurahan
    with ``select_related("region__parent__parent__parent")``: no query)."""
    names = []
    while region is not None:
        names.append(region.name)
        region = region.parent
    return ", ".join(names)


def banten_kabkota() -> list[Region]:
    """The 8 kabupaten/kota of Banten."""
    return region_children(parent_code=BANTEN)


def region_exists(*, code: str, level: int | None = None) -> bool:
    queryset = Region.objects.filter(code=code)
    if level is not None:
        queryset = queryset.filter(level=level)
    return queryset.exists()
