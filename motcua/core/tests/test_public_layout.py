"""The public pages' shared layout (templates/base.html) and the API documentation page.

The system runs on networks without internet: no page may depend on an outside script or style.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

DOCS_URL = "/api/v1/docs"


class _Assets(HTMLParser):
    """Every URL a page makes the browser fetch by itself: scripts, styles, icons, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "img", "iframe") and values.get("src"):
            self.urls.append(str(values["src"]))
        elif tag == "link" and values.get("href"):
            self.urls.append(str(values["href"]))


def assets_of(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


@pytest.mark.django_db  # an API request counts in the shared (database) cache
def test_api_docs_reference_only_the_projects_own_static_files(client: Client, settings) -> None:
    response = client.get(DOCS_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assets = assets_of(html)
    assert any(url.endswith(".js") for url in assets)
    assert any(url.endswith(".css") for url in assets)
    for url in assets:
        parsed = urlparse(url)
        assert not parsed.scheme, f"tài nguyên bên ngoài: {url}"
        assert not parsed.netloc, f"tài nguyên bên ngoài: {url}"
        assert url.startswith("/" + settings.STATIC_URL.lstrip("/")), url
        # …and the file is really among the project's static files (collectstatic will serve it).
        assert finders.find(url.removeprefix("/" + settings.STATIC_URL.lstrip("/"))), url
    assert "cdn" not in html.lower()


@pytest.mark.django_db  # an API request counts in the shared (database) cache
def test_api_docs_have_a_mobile_viewport(client: Client) -> None:
    """Without it a phone lays the Swagger UI out 980 px wide and shrinks it unreadable."""
    html = client.get(DOCS_URL).content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<html lang="vi">' in html
    assert '<div id="swagger-ui"></div>' in html  # still ninja's page, only its head completed


@pytest.mark.django_db
def test_api_link_is_in_the_footer_not_in_the_main_navigation(client: Client) -> None:
    html = client.get("/").content.decode()
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    footer = html[html.index('<footer class="site-footer"') : html.index("</footer>")]
    assert DOCS_URL not in nav
    assert f'href="{DOCS_URL}"' in footer


@pytest.mark.django_db
def test_main_navigation_has_a_menu_button_controlling_the_link_list(client: Client) -> None:
    html = client.get("/").content.decode()
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    toggle = nav[nav.index("<button") : nav.index(">", nav.index("<button"))]
    assert 'type="button"' in toggle
    assert 'aria-expanded="false"' in toggle
    assert 'aria-controls="site-nav-list"' in toggle
    assert 'id="site-nav-list"' in nav
    for label in ("Tra cứu hồ sơ", "Cán bộ"):
        assert f">{label}</a>" in nav
