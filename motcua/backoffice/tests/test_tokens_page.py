"""Mã truy cập API của tôi: an official sees, makes, rotates and revokes their own tokens only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.dossiers.tests.factories import World
from motcua.identity.models import ApiToken
from motcua.identity.services import api_token_authenticate, api_token_create

pytestmark = pytest.mark.django_db


def test_official_makes_sees_rotates_and_revokes_own_tokens(world: World):
    client = client_for(world.lan)
    made = client.post(reverse("backoffice:token_create"), {"name": "Phần mềm của phòng"})
    assert made.status_code == 200
    assert made["Cache-Control"] == "no-store"
    text = made.context["new_token"]
    assert text.startswith("mct_")
    assert text in made.content.decode()  # shown once, on this answer
    page = client.get(reverse("backoffice:tokens")).content.decode()
    assert "Phần mềm của phòng" in page
    assert text not in page  # never again
    token = ApiToken.objects.get(user=world.lan)
    rotated = client.post(reverse("backoffice:token_rotate", kwargs={"pk": token.pk}))
    assert rotated.context["new_token"] != text
    assert ApiToken.objects.filter(user=world.lan).count() == 2
    client.post(reverse("backoffice:token_revoke", kwargs={"pk": token.pk}))
    assert api_token_authenticate(raw=text) is None
    assert api_token_authenticate(raw=rotated.context["new_token"]) is not None


def test_another_officials_token_is_not_found(world: World):
    theirs, _text = api_token_create(user=world.minh)
    client = client_for(world.lan)
    assert client.post(reverse("backoffice:token_revoke", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.post(reverse("backoffice:token_rotate", kwargs={"pk": theirs.pk})).status_code == 404
    assert theirs.prefix not in client.get(reverse("backoffice:tokens")).content.decode()
    theirs.refresh_from_db()
    assert theirs.is_active


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("backoffice:tokens"))
    assert response.status_code == 302
    assert reverse("backoffice:login") in response["Location"]
