"""Tags whose answer is fixed per process, worked out once instead of on every render: ``{% url %}``,
``{% static %}`` and ``{% translate "a literal" %}``.

A URL's path depends only on the URL configuration (and the script prefix), a static file's URL only on the
manifest of this deployment, and a literal's translation only on the language; Django works each out again on every
use. The layout and the home page use the first two ~30 times a request (~13% of an uncached home page). A
``{% translate %}`` costs ~15 µs a use (a lazy string made and cast, gettext through the thread-local language,
escaping); an uncached product page has ~30 (~10% of it).

``{% load fixed %}`` after ``static`` and ``i18n`` replaces these tags in that template. ``url`` takes positional
arguments only; ``translate`` of a variable, with ``context``, ``noop`` or ``as`` is Django's own.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.templatetags.i18n import TranslateNode, do_translate
from django.templatetags.static import static as static_url
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=4096)
def _reversed(name: str, args: tuple, urlconf: str, prefix: str) -> str:
    return reverse(name, urlconf=urlconf, args=args)


def reverse_fixed(name: str, *args) -> str:
    """reverse(name, args=args), kept per URL configuration and script prefix (both fixed in production)."""
    return _reversed(name, args, get_urlconf(settings.ROOT_URLCONF), get_script_prefix())


@register.simple_tag(name="url")
def url(name: str, *args) -> str:
    return reverse_fixed(name, *args)


@register.simple_tag(name="static")
@lru_cache(maxsize=256)
def static(path: str) -> str:
    return static_url(path)


class FixedTranslateNode(TranslateNode):
    """A literal's translation, rendered by Django's own node once per language (and autoescape setting)."""

    def __init__(self, node: TranslateNode):
        super().__init__(node.filter_expression, node.noop)
        self.rendered: dict[tuple[str, bool], str] = {}

    def render(self, context):
        key = (get_language(), context.autoescape)
        value = self.rendered.get(key)
        if value is None:
            value = self.rendered[key] = super().render(context)
        return value


@register.tag("translate")
@register.tag("trans")
def translate(parser, token):
    node = do_translate(parser, token)
    expression = node.filter_expression
    if node.asvar or node.message_context or node.noop or expression.filters or expression.var.lookups is not None:
        return node
    return FixedTranslateNode(node)
