from django import template

from plazabanten.money import format_rupiah, rupiah_in_words

register = template.Library()


@register.filter(name="rupiah")
def rupiah(amount):
    """{{ product.price|rupiah }} → Rp15.000"""
    return "" if amount in (None, "") else format_rupiah(amount)


@register.filter(name="rupiah_words")
def rupiah_words(amount):
    """{{ order.total|rupiah_words }} → tujuh ratus lima puluh enam ribu rupiah"""
    return "" if amount in (None, "") else rupiah_in_words(amount)
