from django import template

from orders.selectors import product_reviews as select_product_reviews

register = template.Library()


@register.inclusion_tag("orders/_product_reviews.html")
def product_reviews(product):
    """Reviews on the product page (a catalog template), read through the orders selectors."""
    return {"product": product, "reviews": select_product_reviews(product_id=product.pk)}
