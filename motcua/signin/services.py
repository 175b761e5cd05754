"""Writes of the officials' sign-in: enrol the authenticator, recovery codes, sign out everywhere, unlock.

Bad input raises ``ValidationError`` keyed by field with a Vietnamese message, before anything changes.
"""

from __future__ import annotations

import logging
import secrets

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from motcua.accounts.models import Account
from motcua.signin.models import LockoutRelease, RecoveryCode, RecoveryCodeDevice, recovery_code_digest
from motcua.signin.selectors import lockout_may_release, recovery_device, second_factor_device

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
# Crockford's base32 (no i, l, o, u: nothing to misread on paper); 16 characters = 80 bits per code.
RECOVERY_CODE_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RECOVERY_CODE_CHARS = 16
TOTP_DEVICE_NAME = "Ứng dụng xác thực"
WRONG_CODE = "Mã xác thực không đúng hoặc đã hết hạn. Vui lòng nhập mã đang hiển thị trên ứng dụng."


def _recovery_code_new() -> str:
    raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_CHARS))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_CHARS, 4))


@transaction.atomic
def totp_enrolment_start(*, user: Account) -> TOTPDevice:
    """The authenticator being enrolled: an unconfirmed device with a fresh secret (reused on reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(*, user: Account, device: TOTPDevice, code: str) -> list[str]:
    """Confirm ``device`` with a code computed from its secret; it replaces any earlier authenticator.

    Returns the new recovery codes, in clear this once (only their digests are stored).
    """
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError({"code": ["Phiên đăng ký đã thay đổi, vui lòng quét lại mã QR."]})
    if not device.verify_token((code or "").strip()):
        raise ValidationError({"code": [WRONG_CODE]})
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    logger.info("Cán bộ #%s bật xác thực hai bước", user.pk)
    return recovery_codes_issue(user=user)


@transaction.atomic
def recovery_codes_issue(*, user: Account) -> list[str]:
    """Ten new recovery codes; the earlier ones stop working. Returned in clear this once."""
    device, _ = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "Mã khôi phục", "confirmed": True}
    )
    device.codes.all().delete()
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=recovery_code_digest(c)) for c in codes
    )
    return codes


def second_factor_verify(*, user: Account, code: str) -> Device | None:
    """The device that accepts ``code`` (the authenticator's 6 digits, or an unused recovery code)."""
    code = (code or "").strip().replace(" ", "")
    if code.isdigit() and len(code) == 6:
        device: Device | None = second_factor_device(user=user)
    else:
        device = recovery_device(user=user)
    if device is None:
        return None
    with transaction.atomic():
        return device if device.verify_token(code) else None


@transaction.atomic
def second_factor_remove(*, user: Account) -> None:
    """Turn the second factor off (only where it is optional)."""
    if settings.MOTCUA_OFFICIAL_2FA_REQUIRED:
        raise ValidationError("Xác thực hai bước là bắt buộc với tài khoản cán bộ, không thể tắt.")
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    # Keys are an addition to the authenticator, never the only factor (motcua/signin/webauthn.py).
    WebAuthnCredential.objects.filter(user=user).delete()
    account_sessions_end(user=user)


KEY_NAME_MAX = 64


def _own_key(*, user: Account, key_id: int | str) -> WebAuthnCredential:
    key = WebAuthnCredential.objects.filter(user=user, pk=int(key_id) if str(key_id).isdigit() else 0).first()
    if key is None:
        raise ValidationError({"name": ["Không tìm thấy khóa bảo mật này trong tài khoản của bạn."]})
    return key


@transaction.atomic
def security_key_rename(*, user: Account, key_id: int | str, name: str) -> WebAuthnCredential:
    """Name a key so the official can tell them apart ("Khóa USB ở cơ quan")."""
    name = " ".join((name or "").split())
    if not name or len(name) > KEY_NAME_MAX:
        raise ValidationError({"name": [f"Tên khóa bảo mật phải có từ 1 đến {KEY_NAME_MAX} ký tự."]})
    key = _own_key(user=user, key_id=key_id)
    key.name = name
    key.save(update_fields=["name"])
    logger.info("Cán bộ #%s đặt tên khóa bảo mật #%s", user.pk, key.pk)
    return key


@transaction.atomic
def security_key_remove(*, user: Account, key_id: int | str) -> None:
    """Remove a key (lost, or handed back): it no longer signs the account in."""
    key = _own_key(user=user, key_id=key_id)
    key.delete()
    logger.info("Cán bộ #%s gỡ khóa bảo mật #%s", user.pk, key_id)


@transaction.atomic
def account_sessions_end(*, user: Account) -> None:
    """Sign out everywhere — đăng xuất khỏi mọi nơi: every session of the account and every remembered
    device stop working at their next request (the session hash changes). The caller keeps its own
    session with ``update_session_auth_hash``."""
    user.session_salt = secrets.token_hex(16)
    user.save(update_fields=["session_salt"])
    logger.info("Tài khoản #%s đăng xuất khỏi mọi phiên", user.pk)


@transaction.atomic
def lockout_release(*, by: Account, username: str = "", ip_address: str = "") -> LockoutRelease:
    """Clear the failed attempts of an account or an address, and record who did it (audit)."""
    username, ip_address = (username or "").strip(), (ip_address or "").strip()
    if bool(username) == bool(ip_address):
        raise ValidationError("Chọn một tài khoản hoặc một địa chỉ IP để mở khóa.")
    if not lockout_may_release(user=by, username=username, ip_address=ip_address):
        raise PermissionDenied("Bạn không có quyền mở khóa tài khoản hoặc địa chỉ này.")
    cleared = axes_reset(username=username or None, ip=ip_address or None)
    release = LockoutRelease.objects.create(
        released_by=by, username=username, ip_address=ip_address or None, attempts_cleared=cleared
    )
    logger.info("Mở khóa đăng nhập %s bởi tài khoản #%s", "tài khoản" if username else "địa chỉ", by.pk)
    return release
