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


def banten_kabkota() -> list[Region]:
    """The 8 kabupaten/kota of Banten."""
    return region_children(parent_code=BANTEN)


def region_exists(*, code: str, level: int | None = None) -> bool:
    queryset = Region.objects.filter(code=code)
    if level is not None:
        queryset = queryset.filter(level=level)
    return queryset.exists()
