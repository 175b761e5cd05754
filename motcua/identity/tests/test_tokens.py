"""API tokens — mã truy cập API: creation, Bearer auth, revocation, last use, session auth with CSRF."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.admin.sites import AdminSite
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from motcua.accounts.models import AccountKind
from motcua.accounts.services import service_account_create
from motcua.identity.admin import ApiTokenAdmin
from motcua.identity.auth import CSRF_FAILED
from motcua.identity.models import ApiToken
from motcua.identity.services import api_token_authenticate, api_token_create, api_token_revoke
from motcua.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Any authenticated endpoint will do; the dossier list answers every authenticated user.
URL = "/api/v1/dossiers"


@pytest.fixture
def account():
    return service_account_create(username="dvcqg-sync", name="Đồng bộ Cổng DVC quốc gia")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_create_stores_only_prefix_and_hash(account):
    row, token = api_token_create(user=account, name="Cổng DVCQG")
    assert token.startswith(f"mct_{row.prefix}_")
    assert len(token) > 50
    stored = ApiToken.objects.values_list("prefix", "secret_hash", "name").get(pk=row.pk)
    assert token not in " ".join(stored)
    assert token.split("_", 2)[2] not in " ".join(stored)
    assert stored[2] == "Cổng DVCQG"


def test_valid_token_authenticates(client: Client, account):
    _row, token = api_token_create(user=account)
    response = client.get(URL, headers=_bearer(token))
    assert response.status_code == 200
    assert response.json()["total"] == 0


def test_missing_or_wrong_token_is_401_in_vietnamese(client: Client, account):
    _row, token = api_token_create(user=account)
    for headers in (
        {},
        _bearer(token[:-1] + ("A" if token[-1] != "A" else "B")),
        _bearer("mct_x_y"),
        _bearer(""),
    ):
        response = client.get(URL, headers=headers)
        assert response.status_code == 401
        assert response.json()["detail"].startswith("Chưa xác thực")
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert client.get(URL, headers={"Authorization": f"Token {token}"}).status_code == 401


def test_revoked_token_is_refused(client: Client, account):
    row, token = api_token_create(user=account)
    assert client.get(URL, headers=_bearer(token)).status_code == 200
    api_token_revoke(token=row)
    assert client.get(URL, headers=_bearer(token)).status_code == 401


def test_inactive_user_token_is_refused(client: Client, account):
    _row, token = api_token_create(user=account)
    account.is_active = False
    account.save()
    assert client.get(URL, headers=_bearer(token)).status_code == 401


def test_last_used_updated_at_most_once_a_minute(account, django_assert_num_queries):
    row, token = api_token_create(user=account)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with django_assert_num_queries(2):  # lookup + update
            api_token_authenticate(raw=token)
        first = ApiToken.objects.get(pk=row.pk).last_used_at
        assert first == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        with django_assert_num_queries(1):  # lookup only
            api_token_authenticate(raw=token)
        assert ApiToken.objects.get(pk=row.pk).last_used_at == first
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        api_token_authenticate(raw=token)
        assert ApiToken.objects.get(pk=row.pk).last_used_at == start + timedelta(seconds=61)


def test_session_auth_get_without_csrf(account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(account)
    assert client.get(URL).status_code == 200


def test_session_auth_unsafe_method_needs_csrf(account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(account)
    response = client.post(URL, {}, content_type="application/json", headers={"Idempotency-Key": "k"})
    assert response.status_code == 403
    assert response.json()["detail"] == CSRF_FAILED  # our message, which also names the Bearer way
    # With the token from the cookie the request passes authentication (and fails validation instead).
    client.get("/tra-cuu")  # any page rendering {% csrf_token %} sets the cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        URL, {}, content_type="application/json", headers={"Idempotency-Key": "k", "X-CSRFToken": csrf}
    )
    assert response.status_code == 400


def test_bearer_needs_no_csrf(account):
    client = Client(enforce_csrf_checks=True)
    _row, token = api_token_create(user=account)
    response = client.post(
        URL, {}, content_type="application/json", headers={**_bearer(token), "Idempotency-Key": "k"}
    )
    assert response.status_code == 400  # authenticated; the empty body is the problem


def test_create_token_command_prints_token_once(account):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_token", "dvcqg-sync", "--name", "Đồng bộ DVCQG", stdout=out, stderr=err)
    token = out.getvalue().strip()
    row = ApiToken.objects.get(user=account)
    assert row.name == "Đồng bộ DVCQG"
    assert token.startswith(f"mct_{row.prefix}_")
    assert "không hiển thị lại" in err.getvalue()
    assert api_token_authenticate(raw=token) == row


def test_create_token_command_creates_the_service_account_first(db):
    out = io.StringIO()
    call_command(
        "create_token", "kiosk-halong", "--new-service", "Ki-ốt Hạ Long", stdout=out, stderr=io.StringIO()
    )
    row = api_token_authenticate(raw=out.getvalue().strip())
    assert row is not None
    assert (row.user.username, row.user.kind, row.user.full_name) == (
        "kiosk-halong",
        AccountKind.SERVICE,
        "Ki-ốt Hạ Long",
    )
    with pytest.raises(CommandError, match="«kiosk-halong» đã tồn tại"):
        call_command("create_token", "kiosk-halong", "--new-service", "Trùng", stdout=io.StringIO())
    assert ApiToken.objects.count() == 1


def test_create_token_command_unknown_user(db):
    with pytest.raises(CommandError, match="Không có tài khoản"):
        call_command("create_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


def test_admin_revoke_action(account):
    admin_user = UserFactory.create(is_staff=True, is_superuser=True)
    row, token = api_token_create(user=account)
    model_admin = ApiTokenAdmin(ApiToken, AdminSite())
    request = RequestFactory().post("/")
    request.user = admin_user
    model_admin.message_user = lambda *args, **kwargs: None
    model_admin.revoke(request, ApiToken.objects.filter(pk=row.pk))
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert api_token_authenticate(raw=token) is None
    assert model_admin.has_add_permission(request) is False


def test_admin_changelist_renders(client: Client, account):
    admin_user = UserFactory.create(is_staff=True, is_superuser=True)
    api_token_create(user=account, name="Kiosk")
    client.force_login(admin_user)
    response = client.get("/admin/identity/apitoken/")
    assert response.status_code == 200
    assert "Kiosk" in response.content.decode()


def test_create_token_command_serves_an_official_account_too():
    official = UserFactory.create(username="tiepnhan.halong")
    out = io.StringIO()
    call_command("create_token", "tiepnhan.halong", stdout=out, stderr=io.StringIO())
    assert api_token_authenticate(raw=out.getvalue().strip()) == ApiToken.objects.get(user=official)
