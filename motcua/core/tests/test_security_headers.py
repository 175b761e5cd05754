"""Browser security headers (docs/architecture.md §27): CSP without inline script, Permissions-Policy,
Referrer-Policy; the deploy check of the CSP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.test import Client

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_a_csp_without_inline_script(client: Client):
    response = client.get("/")
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=(self)" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    html = response.content.decode()
    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html


def test_api_answers_carry_the_headers_too(client: Client):
    response = client.get("/api/v1/procedures")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Permissions-Policy"]


def test_no_template_has_inline_script_or_event_handlers():
    """Inline handlers (onclick=…) and executable inline <script> need 'unsafe-inline': none allowed.
    A data block (<script type="application/json">) is not executed and stays."""
    handler = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
    inline_script = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE
    )
    style_attribute = re.compile(r"\sstyle\s*=\s*[\"']", re.IGNORECASE)
    offenders = []
    for path in TEMPLATES.glob("**/templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (handler, inline_script, style_attribute):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern.search(text).group(0)}")
    assert not offenders, offenders


@pytest.mark.parametrize("page", ["500.html", "503.html"])  # 503: database or file store down
def test_the_500_page_style_matches_its_hash_in_the_policy(page):
    import base64
    import hashlib

    html = (TEMPLATES / "templates" / page).read_text(encoding="utf-8")
    style = re.search(r"<style>(.*?)</style>", html, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


def test_deploy_check_refuses_inline_script(settings):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"script-src": ["'self'", "'unsafe-inline'"], "frame-ancestors": ["'none'"]}
    }
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert "motcua.E030" in ids
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"script-src": ["'self'"], "frame-ancestors": ["'none'"]}
    }
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert "motcua.E030" not in ids
