"""``POST /api/v1/id-card-qr`` (mounted by ``motcua.api``): the chip ID card's QR text, parsed.

For kiosks and integrators that read the card themselves: the one parser of every channel
(``accounts.id_card_qr``), so a code refused at the counter is refused here with the same message.
Officials and service accounts only (a token or a session): the card's fields are personal data, and a
citizen has no use for their own card read back.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from motcua.accounts.id_card_qr import id_card_qr_parse
from motcua.accounts.models import Account, AccountKind
from motcua.core.api_errors import ErrorOut
from motcua.identity.auth import api_auth

router = Router(tags=["Căn cước"], auth=api_auth)

FORBIDDEN = "Chỉ cán bộ và tài khoản dịch vụ được đọc mã QR thẻ căn cước qua API."


class IdCardQrIn(Schema):
    text: str = Field(
        max_length=2000,
        description="Nội dung mã QR như máy quét đọc được: số định danh|số CMND cũ|họ tên|ngày sinh|"
        "giới tính|nơi thường trú|ngày cấp",
    )


class IdCardQrOut(Schema):
    id_number: str = Field(description="Số định danh cá nhân, 12 chữ số")
    old_id_number: str = Field(description="Số CMND cũ (9 hoặc 12 chữ số); rỗng nếu thẻ không ghi")
    full_name: str
    date_of_birth: date
    gender: str = Field(description="Nam hoặc Nữ")
    permanent_address: str
    issued_on: date


@router.post(
    "",
    response={200: IdCardQrOut, 403: ErrorOut, 422: ErrorOut},
    summary="Đọc mã QR trên thẻ căn cước",
)
def id_card_qr_read(request: HttpRequest, body: IdCardQrIn) -> Status[ErrorOut] | IdCardQrOut:
    """The card's fields; 422 with the parser's message (naming the wrong field) for a malformed code."""
    user: Account = request.auth  # type: ignore[attr-defined]
    if user.kind not in (AccountKind.OFFICIAL, AccountKind.SERVICE):
        return Status(403, ErrorOut(detail=FORBIDDEN, code="permission_denied"))
    try:
        qr = id_card_qr_parse(body.text)
    except ValidationError as exc:
        message = exc.messages[0]
        return Status(422, ErrorOut(detail=message, code="invalid", errors={"text": message}))
    return IdCardQrOut(
        id_number=qr.id_number,
        old_id_number=qr.old_id_number,
        full_name=qr.full_name,
        date_of_birth=qr.date_of_birth,
        gender=qr.gender.value,
        permanent_address=qr.permanent_address,
        issued_on=qr.issued_on,
    )
