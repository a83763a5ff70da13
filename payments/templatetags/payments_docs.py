"""Payment documents on the order pages (the orders app never imports payments; its templates may include
payment fragments, as they do for the pay button)."""

from django import template

from payments import selectors

register = template.Library()


@register.simple_tag
def credit_notes_of(order):
    return list(selectors.credit_notes_of_order(order_id=order.pk))
