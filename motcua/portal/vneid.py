"""The national identity provider — Cổng định danh điện tử (VNeID) — seen from the portal.

OpenID Connect, authorization code flow, through Authlib's Django client: PKCE (S256), ``state`` and
``nonce`` kept in the visitor's session, the ID token's signature checked against the provider's JWKS
(discovered from ``MOTCUA_OIDC_ISSUER``), its issuer, audience, expiry and nonce checked; the personal
data then comes from the userinfo endpoint. Which claim carries which datum is a setting
(``MOTCUA_OIDC_CLAIMS``): the sandbox provider (``sandbox/idp``) and the real one need not agree on names.

Everything the provider can do wrong (down, slow, refusing, answering nonsense) becomes a
``ProviderError`` with a Vietnamese message for the page; nothing is created before the claims are
complete and valid.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext_lazy
from joserfc.errors import JoseError  # Authlib checks ID tokens with joserfc (its own dependency)

logger = logging.getLogger("motcua.portal.vneid")

CLIENT_NAME = "vneid"

MSG_NOT_CONFIGURED = gettext_lazy(
    "Chức năng đăng nhập bằng tài khoản định danh điện tử chưa được cấu hình. "
    "Vui lòng liên hệ quản trị hệ thống."
)
MSG_UNAVAILABLE = gettext_lazy("Không kết nối được với Cổng định danh điện tử. Vui lòng thử lại sau ít phút.")
MSG_STATE = gettext_lazy(
    "Phiên đăng nhập không hợp lệ hoặc đã hết hạn (có thể do mở nhiều cửa sổ đăng nhập). "
    "Vui lòng đăng nhập lại từ đầu."
)
MSG_DENIED = gettext_lazy(
    "Bạn đã hủy đăng nhập hoặc không đồng ý chia sẻ thông tin định danh, nên chưa đăng nhập được."
)
MSG_REFUSED = gettext_lazy("Cổng định danh điện tử từ chối yêu cầu đăng nhập. Vui lòng thử lại.")
MSG_BAD_TOKEN = gettext_lazy(
    "Không xác thực được thông tin đăng nhập do Cổng định danh điện tử trả về. Vui lòng đăng nhập lại."
)
MSG_NO_ID = gettext_lazy(
    "Cổng định danh điện tử không cung cấp số định danh cá nhân hoặc mã số thuế, nên không đăng nhập được."
)


class ProviderError(Exception):
    """The login cannot go on; ``message`` is for the visitor, ``status`` for the page."""

    def __init__(self, message: Any, *, status: int = 400, code: str = "", retry_after: int = 0) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.code = code
        self.retry_after = retry_after


@dataclass(frozen=True)
class ProviderIdentity:
    """Who the provider says signed in: a citizen (personal ID) or an organisation (tax code)."""

    subject: str
    personal_id: str = ""
    tax_code: str = ""
    name: str = ""
    birth_date: date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""

    @property
    def is_organisation(self) -> bool:
        return bool(self.tax_code)


def _config() -> tuple[str, str, str, str, int]:
    return (
        settings.MOTCUA_OIDC_ISSUER,
        settings.MOTCUA_OIDC_CLIENT_ID,
        settings.MOTCUA_OIDC_CLIENT_SECRET,
        settings.MOTCUA_OIDC_SCOPES,
        settings.MOTCUA_OIDC_TIMEOUT,
    )


# One client per configuration: it caches the provider's metadata and keys after the first use.
_clients: dict[tuple[str, str, str, str, int], DjangoOAuth2App] = {}


def client() -> DjangoOAuth2App:
    config = _config()
    issuer, client_id, client_secret, scopes, timeout = config
    if not issuer or not client_id:
        raise ProviderError(MSG_NOT_CONFIGURED, status=503, code="not_configured")
    app = _clients.get(config)
    if app is None:
        registry = OAuth()
        app = registry.register(
            CLIENT_NAME,
            client_id=client_id,
            client_secret=client_secret,
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": scopes, "code_challenge_method": "S256", "default_timeout": timeout},
        )
        _clients[config] = app
    return app


def _unavailable(exc: Exception) -> ProviderError:
    logger.warning("Identity provider unavailable: %s: %s", type(exc).__name__, exc)
    return ProviderError(MSG_UNAVAILABLE, status=503, code="unavailable")


def authorize_redirect(request: HttpRequest, *, redirect_uri: str) -> HttpResponseRedirect:
    """The redirect to the provider's authorization endpoint (state, nonce, PKCE verifier saved)."""
    app = client()
    try:
        response: HttpResponseRedirect = app.authorize_redirect(request, redirect_uri)
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as exc:
        raise _unavailable(exc) from exc
    return response


def callback_identity(request: HttpRequest) -> tuple[ProviderIdentity, str]:
    """Check the provider's answer on the callback; the identity and the raw ID token (for logout)."""
    app = client()
    try:
        token = app.authorize_access_token(request)
    except MismatchingStateError as exc:
        raise ProviderError(MSG_STATE, code="state") from exc
    except OAuthError as exc:
        if exc.error == "access_denied":
            raise ProviderError(MSG_DENIED, code="denied") from exc
        logger.warning("Identity provider refused the login: %s %s", exc.error, exc.description)
        raise ProviderError(MSG_REFUSED, code="refused") from exc
    except (JoseError, AuthlibBaseError) as exc:
        logger.warning("ID token rejected: %s", exc)
        raise ProviderError(MSG_BAD_TOKEN, code="token") from exc
    except (requests.RequestException, ValueError) as exc:
        raise _unavailable(exc) from exc
    id_token = token.get("id_token")
    id_claims = token.get("userinfo")
    if not id_token or not id_claims:
        # Authlib validates the ID token only when there is one: a code flow without it is refused.
        raise ProviderError(MSG_BAD_TOKEN, code="token")
    try:
        userinfo = dict(app.userinfo(token=token))
    except (requests.RequestException, ValueError, OAuthError) as exc:
        raise _unavailable(exc) from exc
    # OpenID Connect Core §5.3.2: userinfo about anyone else than the ID token's subject is not used.
    if str(userinfo.get("sub", "")) != str(id_claims.get("sub", "")):
        raise ProviderError(MSG_BAD_TOKEN, code="token")
    return identity_from_claims({**dict(id_claims), **userinfo}), str(id_token)


def _text(value: Any) -> str:
    if isinstance(value, dict):  # OpenID Connect's address claim: {"formatted": "…", …}
        value = value.get("formatted") or ", ".join(
            str(value[part])
            for part in ("street_address", "locality", "region", "country")
            if value.get(part)
        )
    return str(value).strip() if value is not None else ""


def _date(raw: str) -> date | None:
    """ISO 8601 (1990-03-15) or the Vietnamese day/month/year (15/03/1990)."""
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    try:
        day, month, year = (int(part) for part in raw.split("/"))
        return date(year, month, day)
    except ValueError:
        return None


def identity_from_claims(claims: dict[str, Any]) -> ProviderIdentity:
    """Map the provider's claims (names from ``MOTCUA_OIDC_CLAIMS``) to a ``ProviderIdentity``.

    An identity with a tax code is an organisation's; without a tax code nor a personal ID it is refused.
    A malformed birth date is dropped (logged), not fatal: the number identifies the person.
    """
    names = settings.MOTCUA_OIDC_CLAIMS

    def claim(field: str) -> str:
        return _text(claims.get(names[field]))

    personal_id, tax_code = claim("personal_id"), claim("tax_code")
    if not personal_id and not tax_code:
        raise ProviderError(MSG_NO_ID, code="no_id")
    birth_date: date | None = None
    if raw := claim("birth_date"):
        birth_date = _date(raw)
        if birth_date is None:
            logger.warning("Identity provider sent a malformed birth date %r; ignored", raw)
    return ProviderIdentity(
        subject=str(claims.get("sub", "")),
        personal_id=personal_id if not tax_code else "",
        tax_code=tax_code,
        name=claim("organisation_name") or claim("full_name") if tax_code else claim("full_name"),
        birth_date=birth_date if not tax_code else None,
        phone=claim("phone"),
        email=claim("email"),
        address=claim("address"),
    )


def end_session_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's RP-initiated logout address for this ID token, or None when it has none (or is
    unreachable: the local logout has happened anyway)."""
    try:
        app = client()
        metadata = app.load_server_metadata()
    except (ProviderError, requests.RequestException, ValueError) as exc:
        logger.warning("No provider logout: %s", exc)
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    result = app.create_logout_url(post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token)
    url: str = result["url"]
    return url
