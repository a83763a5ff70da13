import pytest

pytestmark = pytest.mark.django_db


def test_every_page_has_a_content_security_policy_without_inline_script(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_no_template_carries_inline_script_or_event_handlers():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent.parent
    offenders = []
    for template in root.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        html = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) or re.search(r"\son[a-z]+=\"", html):
            offenders.append(str(template.relative_to(root)))
    assert not offenders, offenders


def test_robots_keep_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert "Disallow: /checkout/" in response.content.decode() and "Disallow: /cari/" not in response.content.decode()
