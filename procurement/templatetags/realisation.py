"""The 40% pictures, drawn here as inline SVG (no script, nothing from another origin: the CSP allows it as is):
a progress bar with the target marked, and the twelve-month bar chart of spending with its UMK part."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

MONTH_LABELS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
CHART_W, CHART_H, TOP, BOTTOM = 360, 170, 18, 20


def _n(value: float) -> str:
    """An SVG coordinate as text: a template would print a float with the locale's decimal comma."""
    return f"{value:.2f}"


@register.filter
def rupiah_short(amount) -> str:
    """Rp1,2 miliar · Rp350 jt · Rp12 rb: axis and bar labels, never amounts to pay."""
    if amount is None:
        return "–"
    amount = int(amount)
    sign = "−" if amount < 0 else ""
    amount = abs(amount)
    for scale, unit in ((10**12, "triliun"), (10**9, "miliar"), (10**6, "jt"), (10**3, "rb")):
        if amount >= scale:
            value = f"{amount / scale:.1f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{sign}Rp{value} {unit}"
    return f"{sign}Rp{amount}"


@register.filter
def month_label(number) -> str:
    return MONTH_LABELS[int(number) - 1]


@register.filter
def percent(value) -> str:
    return "–" if value is None else f"{value:.1f}%".replace(".", ",")


@register.simple_tag
def progress_bar(value, target=None, label=""):
    """value and target in percent; the bar stops at 100 (the figure beside it says how far past). Built here, not
    in an included template: the Pemprov ranking draws one per OPD."""
    fill = 0.0 if value is None else max(0.0, min(float(value), 100.0))
    reached = value is not None and target is not None and value >= target
    marker = "" if target is None else format_html(
        '<rect x="{}" y="0" width="0.8" height="10" class="bar-marker"/>', _n(max(0.0, min(float(target), 100.0))))
    of_target = "" if target is None else format_html(' <span class="small">/ {}</span>', percent(target))
    return format_html(
        '<div class="bar-row"><span class="bar-label">{label}</span><svg class="bar" viewBox="0 0 100 10" '
        'preserveAspectRatio="none" role="img" aria-label="{label}: {value}{aria_target}">'
        '<rect x="0" y="0" width="100" height="10" class="bar-bg"/>'
        '<rect x="0" y="0" width="{fill}" height="10" class="{css}"/>{marker}</svg>'
        '<span class="bar-value">{value}{of_target}</span></div>',
        label=label, value=percent(value), aria_target="" if target is None else f" / {percent(target)}",
        fill=_n(fill), css="bar-ok" if reached else "bar-fill", marker=marker, of_target=of_target)


@register.inclusion_tag("procurement/_month_chart.html")
def month_chart(months, label=""):
    """Twelve bars (the spending, net of refunds) with the UMK part drawn inside each."""
    top = max([m.spent for m in months] + [1])
    plot = CHART_H - TOP - BOTTOM
    slot = CHART_W / 12
    bars = []
    for index, figures in enumerate(months):
        spent, umk = max(figures.spent, 0), max(min(figures.umk, figures.spent), 0)
        height, umk_height = plot * spent / top, plot * umk / top
        bars.append({"x": _n(index * slot + slot * 0.15), "w": _n(slot * 0.7), "y": _n(TOP + plot - height),
                     "h": _n(height), "uy": _n(TOP + plot - umk_height), "uh": _n(umk_height),
                     "tx": _n(index * slot + slot / 2), "label": MONTH_LABELS[index], "figures": figures})
    return {"bars": bars, "w": CHART_W, "h": CHART_H, "base": TOP + plot, "top_label": rupiah_short(top),
            "label": label or _("Belanja per bulan"), "label_y": CHART_H - 5, "any": top > 1}
