"""The queue's search box posts its terms: a name or an identity number never appears in a URL."""

from __future__ import annotations

from typing import Any, cast

from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.dossiers.tests.factories import APPLICANT, World, dossier_at

URL = reverse("backoffice:queue")


def _results(response: Any) -> str:
    return cast(str, response.content.decode().split('id="queue-results"')[1])


def test_the_form_posts_and_the_page_comes_back_with_a_token_not_the_name(world: World) -> None:
    d = dossier_at(world, "returned")
    client = client_for(world.lan)
    page = client.get(URL).content.decode()
    assert 'method="post"' in page
    assert 'hx-post="/can-bo/"' in page
    response = client.post(URL, {"tab": "toi", "q": APPLICANT.id_number})
    assert response.status_code == 303
    location = response["Location"]
    assert APPLICANT.id_number not in location
    assert "tim=" in location
    assert "tab=toi" in location
    followed = client.get(location)
    results = _results(followed)
    assert d.code in results
    # The box shows the term again; the paging and tab links carry the token only.
    html = followed.content.decode()
    assert f'value="{APPLICANT.id_number}"' in html
    assert f"q={APPLICANT.id_number}" not in html


def test_htmx_search_pushes_the_tokenised_url(world: World) -> None:
    d = dossier_at(world, "returned")
    client = client_for(world.lan)
    response = client.post(URL, {"tab": "toi", "q": "nguyen van an"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert d.code in response.content.decode()
    pushed = response["HX-Push-Url"]
    assert "nguyen" not in pushed
    assert "tim=" in pushed
    # Another official's session does not know the token: the queue without a search.
    other = client_for(world.minh).get(pushed)
    assert other.status_code == 200
    assert 'id="id_q" name="q" type="search" value=""' in other.content.decode()
