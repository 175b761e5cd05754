"""API tokens expire and rotate (issue 15): refused after their end, rotation keeps the old one a while."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from motcua.accounts.services import service_account_create
from motcua.identity.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    api_token_rotate,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    return service_account_create(username="tich-hop", name="Phần mềm tích hợp")


def test_a_token_expires_after_the_configured_days(account, settings):
    settings.MOTCUA_API_TOKEN_DAYS = 30
    row, text = api_token_create(user=account)
    assert row.expires_at is not None
    assert timedelta(days=29) < row.expires_at - timezone.now() <= timedelta(days=30)
    assert api_token_authenticate(raw=text) is not None
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert api_token_authenticate(raw=text) is None
        response = Client().get("/api/v1/dossiers", headers={"Authorization": f"Bearer {text}"})
        assert response.status_code == 401


def test_rotation_gives_a_new_token_and_the_old_one_a_grace_period(account, settings):
    settings.MOTCUA_API_TOKEN_ROTATION_GRACE_HOURS = 24
    old, old_text = api_token_create(user=account, name="Cổng DVCQG")
    new, new_text = api_token_rotate(token=old)
    assert new.name == "Cổng DVCQG"
    assert new.prefix != old.prefix
    old.refresh_from_db()
    assert old.expires_at <= timezone.now() + timedelta(hours=24)
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        assert api_token_authenticate(raw=old_text) is not None
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert api_token_authenticate(raw=old_text) is None
        assert api_token_authenticate(raw=new_text) is not None


def test_a_revoked_token_is_not_rotated(account):
    row, _text = api_token_create(user=account)
    api_token_revoke(token=row)
    with pytest.raises(ValueError, match="thu hồi"):
        api_token_rotate(token=row)
