"""{% load fixed %}: url, static and a literal's translation worked out once per process, the same answers as
Django's own tags, and still right under another script prefix (a deployment below a path) or another language."""

from django.template import Context, Template
from django.templatetags.static import static
from django.urls import reverse, set_script_prefix
from django.utils import translation

from plazabanten.templatetags.fixed import FixedTranslateNode, reverse_fixed


def render(text: str, context: dict | None = None, libraries: str = "static i18n fixed") -> str:
    return Template(f"{{% load {libraries} %}}" + text).render(Context(context or {}))


def test_fixed_urls_answer_as_django_does():
    assert render("{% url 'catalog:category' 'batik' %}") == reverse("catalog:category", args=["batik"])
    assert render("{% url 'catalog:search' %}") == reverse("catalog:search")
    assert render("{% static 'css/site.css' %}") == static("css/site.css")


def test_a_script_prefix_gives_its_own_paths():
    plain = reverse_fixed("catalog:search")
    set_script_prefix("/plaza/")
    try:
        assert reverse_fixed("catalog:search") == "/plaza" + plain == reverse("catalog:search")
    finally:
        set_script_prefix("/")
    assert reverse_fixed("catalog:search") == plain


def test_a_literal_is_translated_once_per_language_as_django_does():
    text = '{% translate "Keranjang Anda kosong." %}|{% translate "50% dari pagu" %}'
    template = Template("{% load i18n fixed %}" + text)
    fixed = [node for node in template.nodelist if isinstance(node, FixedTranslateNode)]
    assert len(fixed) == 2
    for language, expected in (("id", "Keranjang Anda kosong."), ("en", "Your cart is empty."),
                               ("id", "Keranjang Anda kosong.")):
        with translation.override(language):
            assert template.render(Context()) == render(text, libraries="i18n")
            assert template.render(Context()).startswith(expected + "|50% dari pagu")
    assert {language for language, _autoescape in fixed[0].rendered} == {"id", "en"}


def test_translate_of_a_variable_or_with_options_stays_djangos_own():
    text = ('{% translate word %}|{% translate "Masuk" as label %}{{ label }}|{% translate "Masuk" noop %}|'
            '{% translate "penjual" context "actor" %}|{% translate "x"|upper %}')
    template = Template("{% load i18n fixed %}" + text)
    assert not [node for node in template.nodelist if isinstance(node, FixedTranslateNode)]
    with translation.override("en"):
        assert render(text, {"word": "Keranjang Anda kosong."}) == "Your cart is empty.|Log in|Masuk|seller|X"
        assert render(text, {"word": "Keluar"}).startswith("Log out|")
