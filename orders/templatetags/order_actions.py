from django import template

from orders.lifecycle import order_actions_for as lifecycle_actions

register = template.Library()


@register.simple_tag
def order_actions_for(order, user, side):
    """The buttons of the lifecycle table this person has on this order, on this side's page."""
    return lifecycle_actions(order, user, side=side)
