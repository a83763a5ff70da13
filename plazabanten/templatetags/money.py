from django import template

from plazabanten.money import format_rupiah

register = template.Library()


@register.filter(name="rupiah")
def rupiah(amount):
    """{{ product.price|rupiah }} → Rp15.000"""
    return "" if amount in (None, "") else format_rupiah(amount)
