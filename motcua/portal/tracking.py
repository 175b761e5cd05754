"""Public dossier tracking — tra cứu hồ sơ — shared by the page (/tra-cuu) and the API (/api/v1/public).

Anyone with a dossier code sees its status, procedure, dates and the units it went through
(``dossiers.selectors.dossier_public_view``: never officials' names or personal data). The last 4
digits of the applicant's phone or ID number (the *verifier*, mã xác minh) also unlock the applicant's
initials, the documents requested for a supplement and the reason of a refusal.

Rate limits (per client IP, Django's cache, fixed windows; settings ``MOTCUA_TRACKING_RATE_LIMITS``):

* ``LOOKUPS`` — 30 lookups a minute, page and API together: a person checks a few codes, a scraper
  walking the sequential codes (docs/domain.md §5) is slowed to a crawl.
* ``WRONG_VERIFIER_PER_IP`` — 5 wrong verifiers per 15 minutes, and ``WRONG_VERIFIER_PER_CODE`` — 10
  wrong verifiers per dossier per day from anywhere: the 4 digits have only 10,000 values, so guessing
  must be bounded per dossier too, not only per IP (an attacker has many IPs). Once a limit is reached,
  requests *with* a verifier get 429 until the window ends; the public part stays available.

Nothing is cached except these counters: the status shown is always read from the database.
With several server processes the counters must live in a shared cache (``REDIS_URL``); the default
local-memory cache counts per process, which multiplies the limits by the number of processes.
When that cache is down the limits fail open — lookups go on uncounted, a warning is logged and
``/healthz`` answers 503 (``core.cache``): a citizen checking a dossier must not get a server error
because a counter store is away.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from motcua.core.cache import CACHE_ERRORS, cache_warn_unavailable
from motcua.core.ratelimit import client_ip, rate_count_incr
from motcua.dossiers.selectors import PublicDossierView
from motcua.portal.selectors import tracking_public_view

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    # name: (max requests, window in seconds)
    "LOOKUPS": (30, 60),
    "WRONG_VERIFIER_PER_IP": (5, 15 * 60),
    "WRONG_VERIFIER_PER_CODE": (10, 24 * 60 * 60),
}
MAX_CODE_LENGTH = 64
VERIFIER_RE = re.compile(r"^\d{4}$")

MSG_NOT_FOUND = (
    "Không tìm thấy hồ sơ có mã «{code}». Vui lòng kiểm tra lại mã hồ sơ in trên Giấy tiếp nhận hồ sơ "
    "và hẹn trả kết quả."
)
MSG_TOO_MANY = "Bạn đã tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau {seconds} giây."
MSG_TOO_MANY_WRONG = (
    "Đã nhập sai 4 số cuối quá nhiều lần. Để bảo vệ thông tin của người nộp, chức năng xác minh tạm khóa; "
    "vui lòng thử lại sau {minutes} phút. Bạn vẫn có thể tra cứu tình trạng hồ sơ mà không cần xác minh."
)
MSG_BAD_VERIFIER = (
    "Mã xác minh phải gồm đúng 4 chữ số cuối của số điện thoại hoặc số định danh của người nộp."
)
MSG_BAD_CODE = "Vui lòng nhập mã hồ sơ (ví dụ 000.22.07.H49-251122-0007)."


def _limits() -> dict[str, tuple[int, int]]:
    configured = getattr(settings, "MOTCUA_TRACKING_RATE_LIMITS", None) or {}
    return {**DEFAULT_LIMITS, **configured}


def _window(name: str, ident: str) -> tuple[str, int, int]:
    """Cache key of the current fixed window, the limit, and seconds until the window ends."""
    limit, seconds = _limits()[name]
    now = time.time()
    index = int(now // seconds)
    return f"tracking:{name}:{ident}:{index}", limit, max(1, int((index + 1) * seconds - now))


_LIMITS_OFF = "the tracking rate limit"


def _incr(key: str, ttl: int) -> int:
    return rate_count_incr(key, ttl, where=_LIMITS_OFF)


def _counts(keys: list[str]) -> dict[str, Any]:
    """Current counts of ``keys``; none (nothing blocked) when the cache is unreachable."""
    try:
        return cache.get_many(keys)
    except CACHE_ERRORS as exc:
        cache_warn_unavailable(where=_LIMITS_OFF, error=exc)
        return {}


def normalise_code(code: str) -> str:
    """Codes are digits, dots, hyphens and an upper-case agency suffix: accept «h49» typed on a phone."""
    return (code or "").strip().upper()


@dataclass(frozen=True)
class TrackingResult:
    """Outcome of one lookup: exactly one of view / not_found / limited (with retry_after) / error."""

    code: str
    view: PublicDossierView | None = None
    not_found: bool = False
    limited: bool = False
    retry_after: int = 0
    message: str = ""
    verifier_given: bool = False
    verifier_wrong: bool = False

    @property
    def status(self) -> int:
        if self.limited:
            return 429
        if self.not_found:
            return 404
        if self.message:
            return 400
        return 200


def tracking_lookup(*, request: HttpRequest, code: str, verifier: str | None = None) -> TrackingResult:
    """Rate-limit, then look the dossier up (2 queries; 3 with a correct verifier)."""
    code = normalise_code(code)
    verifier = (verifier or "").strip() or None
    if not code or len(code) > MAX_CODE_LENGTH:
        return TrackingResult(code=code[:MAX_CODE_LENGTH], message=MSG_BAD_CODE)
    if verifier is not None and not VERIFIER_RE.match(verifier):
        return TrackingResult(code=code, message=MSG_BAD_VERIFIER, verifier_given=True)
    ip = client_ip(request)
    key, limit, ttl = _window("LOOKUPS", ip)
    if _incr(key, ttl) > limit:
        return TrackingResult(
            code=code, limited=True, retry_after=ttl, message=MSG_TOO_MANY.format(seconds=ttl)
        )
    wrong_keys: list[tuple[str, int, int]] = []
    if verifier is not None:
        wrong_keys = [_window("WRONG_VERIFIER_PER_IP", ip), _window("WRONG_VERIFIER_PER_CODE", code)]
        counts = _counts([k for k, _l, _t in wrong_keys])
        blocked = [ttl for k, lim, ttl in wrong_keys if int(counts.get(k) or 0) >= lim]
        if blocked:
            wait = max(blocked)
            return TrackingResult(
                code=code,
                limited=True,
                retry_after=wait,
                message=MSG_TOO_MANY_WRONG.format(minutes=-(-wait // 60)),
                verifier_given=True,
            )
    view = tracking_public_view(code=code, verifier=verifier)
    if view is None:
        return TrackingResult(code=code, not_found=True, message=MSG_NOT_FOUND.format(code=code))
    wrong = verifier is not None and not view.verified
    if wrong:
        for key, _limit, ttl in wrong_keys:
            _incr(key, ttl)
    return TrackingResult(code=code, view=view, verifier_given=verifier is not None, verifier_wrong=wrong)
