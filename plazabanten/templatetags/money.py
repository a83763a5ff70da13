from django import template

from plazabanten.money import format_rupiah

register = template.Library()


@register.filter(name="rupiah")
def rupiah(amount):
    """{{ product.price|rupiah }} → Rp15.000"""
    return format_rupiah(amount)
