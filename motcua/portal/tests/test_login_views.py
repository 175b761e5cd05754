"""National-identity login, end to end over the network: Django's test client for our pages, an HTTP
client for the sandbox provider's pages (``node sandbox/idp/server.js``, a real OpenID Connect
provider), the whole authorization code flow with PKCE between them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import Account, AccountKind
from motcua.accounts.tests.factories import AccountFactory
from motcua.dossiers.services import ApplicantData
from motcua.dossiers.tests.factories import World, dossier_receive_at_counter
from motcua.portal.middleware import SESSION_KEY
from tests.sandbox_idp import IdpVisitor, SandboxIdp, form_action, path_of

pytestmark = pytest.mark.django_db

AN = "022090001234"  # Nguyễn Văn An, data/demo/citizens.json
BINH = "022192004567"
COMPANY = "5700100256"  # Công ty TNHH Du lịch Vịnh Hạ Long


def start(client: Client, next_url: str = "") -> str:
    """Our login start: the redirect to the provider's authorization endpoint."""
    response = client.get("/dang-nhap/vneid", {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"])


def sign_in(
    client: Client, idp: SandboxIdp, identifier: str, *, next_url: str = "", visitor: IdpVisitor | None = None
) -> Any:
    """The whole login: start here, log in and consent at the provider, come back; our last response."""
    visitor = visitor or IdpVisitor(idp)
    back = visitor.login(start(client, next_url), identifier=identifier)
    assert back.startswith("http://testserver/dang-nhap/vneid/callback?"), back
    return client.get(path_of(back))


def signed_in(client: Client) -> Account | None:
    response = client.get("/dang-nhap")
    user = response.wsgi_request.user
    return user if isinstance(user, Account) and user.is_authenticated else None


def test_authorization_request_uses_pkce_s256_state_and_nonce(client: Client, vneid: SandboxIdp) -> None:
    query = parse_qs(urlsplit(start(client)).query)
    assert urlsplit(start(client)).netloc == urlsplit(vneid.issuer).netloc
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0]
    assert query["nonce"][0]
    assert set(query["scope"][0].split()) == {"openid", "vneid"}


def test_first_login_creates_citizen_account_with_mapped_claims(client: Client, vneid: SandboxIdp) -> None:
    response = sign_in(client, vneid, AN)

    assert response.status_code == 302
    assert response["Location"] == "/"
    account = Account.objects.get(personal_id=AN)
    assert account.kind == AccountKind.CITIZEN
    assert account.username == AN
    assert account.full_name == "Nguyễn Văn An"
    assert account.birth_date == date(1990, 3, 15)
    assert account.phone == "0912345678"
    assert account.email == "nguyen.van.an@example.vn"
    assert account.address == "Số 12 đường Lê Thánh Tông, phường Hạ Long, tỉnh Quảng Ninh"
    assert not account.has_usable_password()
    assert signed_in(client) == account
    # The header names the applicant and offers "Đăng xuất" (a POST form), no "Đăng nhập" link.
    page = client.get("/tra-cuu").content.decode()
    assert "Nguyễn Văn An" in page
    assert 'action="/dang-xuat"' in page
    assert 'href="/dang-nhap"' not in page


def test_second_login_finds_the_same_account(client: Client, vneid: SandboxIdp) -> None:
    sign_in(client, vneid, AN)
    first = Account.objects.get(personal_id=AN)

    other_browser = Client()
    sign_in(other_browser, vneid, AN)

    assert signed_in(other_browser) == first
    assert Account.objects.filter(personal_id=AN).count() == 1


def test_account_created_at_the_counter_is_the_one_logged_into(client: Client, vneid: SandboxIdp) -> None:
    counter_made = AccountFactory.create(
        kind=AccountKind.CITIZEN, personal_id=AN, username=AN, full_name="Nguyen Van An", phone=""
    )

    sign_in(client, vneid, AN)

    assert signed_in(client) == counter_made
    counter_made.refresh_from_db()
    assert counter_made.full_name == "Nguyễn Văn An"  # the provider's data is fresher
    assert counter_made.phone == "0912345678"


def test_organisation_login(client: Client, vneid: SandboxIdp) -> None:
    sign_in(client, vneid, COMPANY)

    account = Account.objects.get(tax_code=COMPANY)
    assert account.kind == AccountKind.ORGANISATION
    assert account.personal_id is None
    assert account.full_name == "Công ty TNHH Du lịch Vịnh Hạ Long"
    assert account.address == "Số 8 đường Hạ Long, phường Bãi Cháy, tỉnh Quảng Ninh"
    assert signed_in(client) == account


def test_counter_dossier_is_linked_at_login(client: Client, vneid: SandboxIdp, world: World) -> None:
    applicant = ApplicantData(name="Nguyễn Văn An", id_number=AN)
    mine = dossier_receive_at_counter(world, applicant=applicant, applicant_user=None)
    someone_elses = dossier_receive_at_counter(
        world, applicant=ApplicantData(name="Trần Thị Bình", id_number=BINH), applicant_user=None
    )

    sign_in(client, vneid, AN)

    account = Account.objects.get(personal_id=AN)
    mine.refresh_from_db()
    someone_elses.refresh_from_db()
    assert mine.applicant_user == account
    assert someone_elses.applicant_user is None


def test_official_account_is_never_logged_into(client: Client, vneid: SandboxIdp) -> None:
    official = AccountFactory.create(kind=AccountKind.OFFICIAL, username="lan.official", personal_id=AN)

    response = sign_in(client, vneid, AN)

    assert response.status_code == 403
    assert "tài khoản cán bộ" in response.content.decode()
    assert signed_in(client) is None
    official.refresh_from_db()
    assert official.kind == AccountKind.OFFICIAL
    assert not Account.objects.filter(kind=AccountKind.CITIZEN).exists()


def test_tampered_state_is_refused(client: Client, vneid: SandboxIdp) -> None:
    back = IdpVisitor(vneid).login(start(client), identifier=AN)
    parts = urlsplit(back)
    query = parse_qs(parts.query)
    tampered = f"{parts.path}?code={query['code'][0]}&state=forged{query['state'][0]}"

    response = client.get(tampered)

    assert response.status_code == 400
    assert "Phiên đăng nhập không hợp lệ" in response.content.decode()
    assert signed_in(client) is None
    assert not Account.objects.filter(personal_id=AN).exists()


def test_callback_from_another_browser_is_refused(client: Client, vneid: SandboxIdp) -> None:
    """A code and state obtained in one browser (an attacker's) cannot log another browser in."""
    back = IdpVisitor(vneid).login(start(client), identifier=AN)

    victim = Client()
    response = victim.get(path_of(back))

    assert response.status_code == 400
    assert signed_in(victim) is None


def test_denied_consent(client: Client, vneid: SandboxIdp) -> None:
    back = IdpVisitor(vneid).login(start(client), identifier=AN, consent=False)
    assert "error=access_denied" in back

    response = client.get(path_of(back))

    assert response.status_code == 400
    assert "không đồng ý chia sẻ thông tin" in response.content.decode()
    assert not Account.objects.exists()


def test_provider_down(client: Client, settings: Any) -> None:
    settings.MOTCUA_OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.MOTCUA_OIDC_TIMEOUT = 2

    response = client.get("/dang-nhap/vneid")

    assert response.status_code == 503
    assert "Không kết nối được với Cổng định danh điện tử" in response.content.decode()


def test_missing_id_claim_is_refused(client: Client, vneid: SandboxIdp, settings: Any) -> None:
    settings.MOTCUA_OIDC_CLAIMS = {**settings.MOTCUA_OIDC_CLAIMS, "personal_id": "cccd_khong_co"}

    response = sign_in(client, vneid, AN)

    assert response.status_code == 400
    assert "không cung cấp số định danh" in response.content.decode()
    assert not Account.objects.exists()


def test_logout_ends_both_sessions(client: Client, vneid: SandboxIdp) -> None:
    visitor = IdpVisitor(vneid)
    sign_in(client, vneid, AN, visitor=visitor)
    assert signed_in(client) is not None

    response = client.post("/dang-xuat")

    assert response.status_code == 302
    end_session = str(response["Location"])
    assert end_session.startswith(f"{vneid.issuer}/session/end?")
    assert "id_token_hint=" in end_session
    assert signed_in(client) is None
    # At the provider: confirm, and come back to our home page.
    back = visitor.end_session(end_session)
    assert back is not None
    assert back.startswith("http://testserver/")
    # The provider's session is gone: a new login asks for the number and password again.
    assert visitor.open(start(client)) is None
    assert 'name="identifier"' in visitor.last_page


def test_logout_needs_post(client: Client, vneid: SandboxIdp) -> None:
    sign_in(client, vneid, AN)
    assert client.get("/dang-xuat").status_code == 405
    assert signed_in(client) is not None


def test_session_expires_after_idle_time(client: Client, vneid: SandboxIdp, settings: Any) -> None:
    settings.MOTCUA_PORTAL_SESSION_IDLE_SECONDS = 30 * 60
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, vneid, AN)
        traveller.shift(timedelta(minutes=20))
        assert signed_in(client) is not None  # activity re-arms the idle timer
        traveller.shift(timedelta(minutes=20))
        assert signed_in(client) is not None  # 40 min after login, 20 after the last request
        traveller.shift(timedelta(minutes=31))
        assert signed_in(client) is None
        assert SESSION_KEY not in client.session


def test_session_lasts_at_most_a_working_day(client: Client, vneid: SandboxIdp, settings: Any) -> None:
    settings.MOTCUA_PORTAL_SESSION_IDLE_SECONDS = 30 * 60
    settings.MOTCUA_PORTAL_SESSION_MAX_SECONDS = 8 * 60 * 60
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, vneid, AN)
        for _ in range(23):  # active every 20 minutes for 7 h 40 min
            traveller.shift(timedelta(minutes=20))
            assert signed_in(client) is not None
        traveller.shift(timedelta(minutes=21))
        assert signed_in(client) is None


def test_login_is_rate_limited_per_ip(client: Client, vneid: SandboxIdp, settings: Any) -> None:
    settings.MOTCUA_PORTAL_LOGIN_RATE_LIMIT = (3, 300)
    for _ in range(3):
        assert client.get("/dang-nhap/vneid").status_code == 302

    response = client.get("/dang-nhap/vneid")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "quá nhiều lần" in response.content.decode()
    # The callback counts in the same window.
    assert client.get("/dang-nhap/vneid/callback?code=x&state=y").status_code == 429
    # Another IP is not limited.
    assert client.get("/dang-nhap/vneid", REMOTE_ADDR="10.0.0.2").status_code == 302


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "http://testserver.evil.example/"],
)
def test_next_to_another_site_is_refused(client: Client, vneid: SandboxIdp, next_url: str) -> None:
    response = sign_in(client, vneid, AN, next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_next_on_this_site_is_kept(client: Client, vneid: SandboxIdp) -> None:
    response = sign_in(client, vneid, AN, next_url="/tra-cuu?ma=1")
    assert response["Location"] == "/tra-cuu?ma=1"


def test_login_page(client: Client) -> None:
    response = client.get("/dang-nhap", {"next": "/tra-cuu"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Đăng nhập bằng tài khoản định danh điện tử (VNeID)" in page
    assert 'href="/dang-nhap/vneid?next=/tra-cuu"' in page
    evil = client.get("/dang-nhap", {"next": "https://evil.example/"}).content.decode()
    assert 'href="/dang-nhap/vneid"' in evil  # the start link carries no next


def test_wrong_password_at_the_provider_says_so(client: Client, vneid: SandboxIdp) -> None:
    visitor = IdpVisitor(vneid)
    assert visitor.open(start(client)) is None
    action = form_action(visitor.last_page, "/login")

    assert visitor.post(action, {"identifier": AN, "password": "sai-mat-khau"}) is None

    assert "Số định danh (mã số thuế) hoặc mật khẩu không đúng." in visitor.last_page
    assert 'role="alert"' in visitor.last_page
    assert not Account.objects.exists()


def test_the_provider_requires_pkce(client: Client, vneid: SandboxIdp) -> None:
    authorize = urlsplit(start(client))
    query = {key: values[0] for key, values in parse_qs(authorize.query).items()}
    query.pop("code_challenge")
    query.pop("code_challenge_method")
    back = IdpVisitor(vneid).open(f"{vneid.issuer}{authorize.path}?{urlencode(query)}")
    assert back is not None
    assert "error=invalid_request" in back
    assert "requires PKCE" in unquote_plus(back)
    # Our callback shows the refusal; nobody is signed in.
    assert client.get(path_of(back)).status_code == 400
    assert signed_in(client) is None


def test_a_client_secret_the_provider_rejects(client: Client, vneid: SandboxIdp, settings: Any) -> None:
    back = IdpVisitor(vneid).login(start(client), identifier=AN)
    settings.MOTCUA_OIDC_CLIENT_SECRET = "not-the-secret"

    response = client.get(path_of(back))

    assert response.status_code == 400
    assert "từ chối yêu cầu đăng nhập" in response.content.decode()
    assert not Account.objects.exists()


def test_second_login_in_the_same_provider_session_skips_login_and_consent(
    client: Client, vneid: SandboxIdp
) -> None:
    visitor = IdpVisitor(vneid)
    sign_in(client, vneid, AN, visitor=visitor)
    client.post("/dang-xuat")  # here only: the provider's session stays (not confirmed there)

    back = visitor.open(start(client))

    assert back is not None  # straight back, no page at the provider
    client.get(path_of(back))
    assert signed_in(client) == Account.objects.get(personal_id=AN)
