from django import template

from orders.selectors import product_reviews as select_product_reviews

register = template.Library()


@register.inclusion_tag("orders/_product_reviews.html")
def product_reviews(product):
    """Reviews on the product page (a catalog template), read through the orders selectors; not read at all for a
    product without any (its rating_count is kept with every review written: most of a catalogue has none)."""
    reviews = select_product_reviews(product_id=product.pk) if product.rating_count else []
    return {"product": product, "reviews": reviews}
