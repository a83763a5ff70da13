from django import template
from django.core.files.storage import default_storage
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def picture(renditions, alt, sizes="(max-width: 600px) 50vw, 240px", width=320, height=320, eager=False):
    """<picture> with a WebP srcset and a JPEG fallback; a neutral placeholder while renditions are made."""
    loading = "eager" if eager else "lazy"
    if not renditions:
        return format_html('<div class="img-placeholder" role="img" aria-label="{}"></div>', alt)
    widths = sorted(renditions, key=int)
    webp = ", ".join(f"{default_storage.url(renditions[w]['webp'])} {w}w" for w in widths)
    fallback = next((renditions[w]["jpeg"] for w in widths if "jpeg" in renditions[w]), renditions[widths[0]]["webp"])
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">'
        '<img src="{}" alt="{}" width="{}" height="{}" loading="{}" decoding="async"></picture>',
        webp, sizes, default_storage.url(fallback), alt, width, height, loading,
    )
