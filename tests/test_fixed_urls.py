"""{% load fixed_urls %}: url and static worked out once per process, the same answers as Django's own tags, and
still right under another script prefix (a deployment below a path)."""

from django.template import Context, Template
from django.templatetags.static import static
from django.urls import reverse, set_script_prefix

from plazabanten.templatetags.fixed_urls import reverse_fixed


def render(text: str) -> str:
    return Template("{% load static fixed_urls %}" + text).render(Context())


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
