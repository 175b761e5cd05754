"""SMS and Zalo channels — kênh SMS brandname và Zalo OA (ZNS): one interface, HTTP adapters by setting.

``sms_backend()`` / ``zalo_backend()`` return the configured adapter: the eSMS.vn brandname API, Zalo's
ZNS template API (both aimed at the local stand-in in development and tests, at the provider in
production: ``MOTCUA_SMS_*`` / ``MOTCUA_ZALO_*``), a console backend that only logs, or none.

Exactly once per event and channel (``channel_send``): a ``ChannelDelivery`` row per job key is set to
``sending`` and committed *before* the provider is called, ``sent`` after. A retried job finds it:
``sent`` → nothing to do; ``failed`` (the provider answered with an error, or could not be reached) →
send again; ``sending`` → the previous attempt died while the call was in flight (or right after it,
before ``sent`` was written). eSMS de-duplicates on ``RequestId`` (24 h), so the SMS is sent again with
the same id and the provider drops the copy; Zalo has no such key (``tracking_id`` only reconciles), so a
ZNS message in that state is *not* sent again and is marked ``uncertain`` (at most once, visible in the
admin) — the same news also goes by SMS, e-mail and the inbox.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.notifications.models import ChannelDelivery, DeliveryStatus

logger = logging.getLogger(__name__)


class ChannelFailed(Exception):
    """Nothing was sent (the provider answered with an error or was not reached): retry later."""


class ChannelMaybeSent(Exception):
    """The call may have reached the provider (timed out after sending): a retry must not trust it."""


class ChannelRejected(Exception):
    """The provider refused this recipient or message for good (retrying cannot help)."""


class SmsBackend(Protocol):
    # True when the provider drops a repeated ``request_id``: re-sending after a crash is then safe.
    dedupes: bool

    def send(self, *, phone: str, text: str, request_id: str) -> str:
        """Send ``text`` to ``phone`` (0… national form); the provider's message id."""
        ...


class ZaloBackend(Protocol):
    dedupes: bool

    def send(self, *, phone: str, template_data: Mapping[str, str], tracking_id: str) -> str:
        """Send the ZNS template to ``phone`` (84… form); Zalo's ``msg_id``."""
        ...


def _post_json(url: str, body: Mapping[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.MOTCUA_NOTIFY_TIMEOUT_SECONDS) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise ChannelFailed(f"HTTP {exc.code} từ {url}") from exc
    except TimeoutError as exc:
        raise ChannelMaybeSent(f"Hết thời gian chờ {url}") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise ChannelMaybeSent(f"Hết thời gian chờ {url}") from exc
        raise ChannelFailed(f"Không kết nối được {url}: {exc.reason}") from exc
    except (ConnectionError, ValueError) as exc:
        raise ChannelMaybeSent(f"Trả lời không đọc được từ {url}: {exc}") from exc
    if not isinstance(answer, dict):
        raise ChannelMaybeSent(f"Trả lời không đọc được từ {url}")
    return answer


class EsmsBackend:
    """eSMS.vn brandname SMS: ``POST {base}/MainService.svc/json/SendMultipleMessage_V4_post_json/``.

    ``SmsType`` 2 (customer care, brandname), ``IsUnicode`` 0 (plain letters: a Vietnamese text with
    marks costs one SMS per 70 characters instead of 160), ``RequestId`` = the job's key.
    """

    dedupes = True
    # eSMS result codes that no retry can fix: wrong keys, brandname not registered, bad SmsType.
    _PERMANENT = frozenset({"101", "104", "118"})

    def send(self, *, phone: str, text: str, request_id: str) -> str:
        answer = _post_json(
            f"{settings.MOTCUA_SMS_URL}/MainService.svc/json/SendMultipleMessage_V4_post_json/",
            {
                "ApiKey": settings.MOTCUA_SMS_API_KEY,
                "SecretKey": settings.MOTCUA_SMS_SECRET_KEY,
                "Phone": phone,
                "Content": text,
                "Brandname": settings.MOTCUA_SMS_BRANDNAME,
                "SmsType": "2",
                "IsUnicode": "0",
                "Sandbox": "0",
                "RequestId": request_id[:50],
            },
            {},
        )
        code = str(answer.get("CodeResult"))
        if code == "100":
            return str(answer.get("SMSID") or "")
        message = f"eSMS {code}: {answer.get('ErrorMessage', '')}"
        if code in self._PERMANENT:
            raise ChannelRejected(message)
        raise ChannelFailed(message)


class ZnsBackend:
    """Zalo OA ZNS: ``POST {base}/message/template`` with the ``access_token`` header."""

    dedupes = False
    # Zalo error codes about the recipient or the template, not the moment: phone invalid, template id
    # invalid, template data invalid, Zalo account not existed, user cannot receive ZNS.
    _PERMANENT = frozenset({-108, -109, -112, -118, -119})

    def send(self, *, phone: str, template_data: Mapping[str, str], tracking_id: str) -> str:
        answer = _post_json(
            f"{settings.MOTCUA_ZALO_URL}/message/template",
            {
                "phone": phone,
                "template_id": settings.MOTCUA_ZALO_TEMPLATE_ID,
                "template_data": dict(template_data),
                "tracking_id": tracking_id,
            },
            {"access_token": settings.MOTCUA_ZALO_ACCESS_TOKEN},
        )
        error = answer.get("error")
        if error == 0:
            data = answer.get("data") or {}
            return str(data.get("msg_id") or "")
        message = f"Zalo {error}: {answer.get('message', '')}"
        if error in self._PERMANENT:
            raise ChannelRejected(message)
        raise ChannelFailed(message)


class ConsoleSms:
    """Logs the SMS instead of sending it (``MOTCUA_SMS_BACKEND=console``)."""

    dedupes = True

    def send(self, *, phone: str, text: str, request_id: str) -> str:
        logger.info("SMS tới %s [%s]: %s", phone, request_id, text)
        return f"console:{request_id}"


class ConsoleZalo:
    dedupes = True

    def send(self, *, phone: str, template_data: Mapping[str, str], tracking_id: str) -> str:
        logger.info("Zalo ZNS tới %s [%s]: %s", phone, tracking_id, dict(template_data))
        return f"console:{tracking_id}"


def sms_backend() -> SmsBackend | None:
    """The configured SMS adapter, or None (``MOTCUA_SMS_BACKEND=none``)."""
    choice = settings.MOTCUA_SMS_BACKEND
    if choice == "esms":
        return EsmsBackend()
    return ConsoleSms() if choice == "console" else None


def zalo_backend() -> ZaloBackend | None:
    """The configured Zalo adapter, or None (``MOTCUA_ZALO_BACKEND=none``)."""
    choice = settings.MOTCUA_ZALO_BACKEND
    if choice == "zns":
        return ZnsBackend()
    return ConsoleZalo() if choice == "console" else None


_PHONE_RE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")


def phone_national(raw: str) -> str | None:
    """A Vietnamese mobile number as 0XXXXXXXXX, or None if ``raw`` is not one."""
    match = _PHONE_RE.match(re.sub(r"[\s.\-()]", "", raw or ""))
    return f"0{match.group(1)}" if match else None


def phone_international(raw: str) -> str | None:
    """The same number as 84XXXXXXXXX (Zalo's form), or None."""
    national = phone_national(raw)
    return f"84{national[1:]}" if national else None


def unaccented(text: str) -> str:
    """Vietnamese without diacritics, case kept (đ → d, Đ → D): an SMS of plain letters."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


@dataclass(frozen=True, slots=True)
class SendOutcome:
    status: DeliveryStatus
    provider_id: str = ""
    fresh: bool = False  # this call reached the provider (not an earlier attempt's result)


def channel_send(
    *,
    key: str,
    channel: str,
    dossier_code: str,
    recipient: str,
    dedupes: bool,
    call: Callable[[], str],
) -> SendOutcome:
    """Call the provider once for ``key`` across retries (see the module docstring).

    Raises ``ChannelFailed`` / ``ChannelMaybeSent`` so the job is retried with backoff.
    """
    with transaction.atomic():
        delivery, _created = ChannelDelivery.objects.select_for_update().get_or_create(
            key=key,
            defaults={
                "channel": channel,
                "dossier_code": dossier_code,
                "recipient": recipient,
                "status": DeliveryStatus.FAILED,
            },
        )
        if delivery.status in (DeliveryStatus.SENT, DeliveryStatus.UNCERTAIN, DeliveryStatus.REJECTED):
            return SendOutcome(DeliveryStatus(delivery.status), delivery.provider_id)
        if delivery.status == DeliveryStatus.SENDING and not dedupes:
            delivery.status = DeliveryStatus.UNCERTAIN
            delivery.save(update_fields=["status"])
            logger.warning(
                "%s %s: lần gửi trước dừng giữa chừng; không gửi lại để tránh gửi trùng",
                channel,
                dossier_code,
            )
            return SendOutcome(DeliveryStatus.UNCERTAIN)
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.save(update_fields=["status", "attempts"])
    try:
        provider_id = call()
    except ChannelRejected as exc:
        _mark(key, DeliveryStatus.REJECTED)
        logger.warning("%s %s bị từ chối: %s", channel, dossier_code, exc)
        return SendOutcome(DeliveryStatus.REJECTED)
    except ChannelFailed:
        _mark(key, DeliveryStatus.FAILED)
        raise
    # ChannelMaybeSent and anything else leave the row ``sending``: the retry decides (see above).
    _mark(key, DeliveryStatus.SENT, provider_id=provider_id)
    return SendOutcome(DeliveryStatus.SENT, provider_id, fresh=True)


def _mark(key: str, status: DeliveryStatus, *, provider_id: str = "") -> None:
    fields: dict[str, Any] = {"status": status}
    if status == DeliveryStatus.SENT:
        fields.update(provider_id=provider_id, sent_at=timezone.now())
    ChannelDelivery.objects.filter(key=key).update(**fields)
