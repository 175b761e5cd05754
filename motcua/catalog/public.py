"""What the public pages and API show of a procedure — thông tin công khai — and what stays internal.

The catalogue data carries notes for whoever maintains it: caveats about the source ("Nguồn ghi … nên
unit để null"), where a value was borrowed from ("service_level 'partial_online' … của tỉnh Đồng Nai",
"theo quy trình nội bộ liên thông của tỉnh Cao Bằng"). Citizens must not read them as the rules of
Quảng Ninh. So (docs/domain.md "Thông tin công khai"):

* ``Procedure.notes`` and ``sources`` and a fee line's ``note`` are internal as a whole: shown in the
  admin, never on public pages or the public API — except the note of a per-unit rate, which is the
  rate's scale (shown through ``citizen_text``);
* free texts that mix both (processing time wording, document notes, legal basis, steps) go through
  ``citizen_text``, which drops the parentheses and sentences that talk about the data source or name
  another province, the clause "theo/của … tỉnh <other province>", and the attribution of a value to
  the website it was copied from ("Miễn phí theo Cổng DVCQG" → "Miễn phí").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Final

from django.utils.translation import gettext, gettext_noop

from motcua.catalog.models import FeeBasis, FeeChannel, ProcedureFee
from motcua.catalog.provinces import other_province_names, text_names_other_province
from motcua.core.text import nfc

# A fragment about the data rather than the procedure: the source, schema words. "nguồn" is also an
# ordinary word ("nguồn vốn", "nguồn kinh phí"), which is kept.
_INTERNAL: Final = re.compile(
    r"\bnguồn\b(?!\s+(?:gốc|vốn|kinh phí|ngân sách|nước|lợi|thu|lực|điện|hàng))"
    r"|\bnull\b|\bunit\b|service_level|\bdataset\b"
    # How the record was made ("theo bản ghi chuẩn hóa từ Cổng DVC Bộ Công an"), not the procedure;
    # "chuẩn hoá thông tin" alone is a real step (1.014027), so only the "record" words count.
    r"|\bbản ghi\b(?!\s+(?:âm|hình))",
    re.IGNORECASE,
)
# Where a value was read ("Miễn phí theo Cổng DVCQG", "trích từ Cổng Dịch vụ công quốc gia"): it says
# which website the catalogue copied, not a rule; a citizen would take the portal for the authority that
# decides. "trên Cổng …" (nộp trực tuyến trên Cổng DVCQG) is a channel and is kept.
_SOURCE_CLAUSE: Final = re.compile(
    r"\s*,?\s*\b(?:theo|trích từ|lấy từ|lấy theo)\s+(?:(?:dữ liệu|thông tin)\s+(?:của|trên|từ)\s+)?"
    r"Cổng\b[^.;,()]*",
    re.IGNORECASE,
)
_PAREN: Final = re.compile(r"\s*\(([^()]*)\)")
_SENTENCE: Final = re.compile(r"(?<=[.;])\s+")


@cache
def _clause() -> re.Pattern[str]:
    names = "|".join(re.escape(n) for n in other_province_names())
    return re.compile(
        rf"\s*,?\s*\b(?:theo|của|tại)\s[^.;()]*?\b(?:tỉnh|thành phố)\s+(?:{names})(?!\w)", re.IGNORECASE
    )


def is_internal_text(fragment: str) -> bool:
    """Whether ``fragment`` is about the data (its source, schema) or names another province."""
    return bool(_INTERNAL.search(fragment)) or text_names_other_province(fragment)


def internal_parentheses_removed(text: str) -> str:
    return _PAREN.sub(lambda m: "" if is_internal_text(m.group(1)) else m.group(0), text)


def citizen_text(text: str) -> str:
    """``text`` without its internal data notes (see the module docstring); "" if nothing is left."""
    text = nfc(text or "").strip()
    if not text:
        return ""
    text = internal_parentheses_removed(text)
    text = _clause().sub("", text)
    text = _SOURCE_CLAUSE.sub("", text)
    parts = [p.strip() for p in _SENTENCE.split(text) if p.strip() and not is_internal_text(p)]
    out = " ".join(parts).strip()
    return re.sub(r"\s*[;,:]\s*$", ".", out) if out else ""


def citizen_texts(items: Iterable[object]) -> list[str]:
    return [t for t in (citizen_text(str(i)) for i in items or []) if t]


@dataclass(frozen=True)
class PublicFee:
    """One fee line as a citizen reads it: the amount and when it applies; the source note is internal."""

    name: str
    amount_vnd: int | None
    basis: str
    basis_label: str
    channel: str
    applies_when: str  # "Khi nộp trực tuyến", "Trường hợp …", "Chỉ thu nếu có yêu cầu" — or ""
    exemption: str
    scale: str  # a per-unit rate's full scale ("từ trang thứ 3 … tối đa 200.000 đồng/bản"), or ""


# "Khi nộp trực tiếp" / "Khi nộp trực tuyến": one phrase per channel, so that English reads naturally.
_WHEN_CHANNEL: Final = {
    FeeChannel.COUNTER: gettext_noop("Khi nộp trực tiếp"),
    FeeChannel.ONLINE: gettext_noop("Khi nộp trực tuyến"),
}


def public_fees(fees: Iterable[ProcedureFee]) -> list[PublicFee]:
    """The lines in the active language's words (the case names are data and stay as written); the
    public API is always Vietnamese (core.language), so its texts are the Vietnamese ones."""
    out: list[PublicFee] = []
    for fee in fees:
        when: list[str] = []
        if fee.channel in _WHEN_CHANNEL:
            when.append(gettext(_WHEN_CHANNEL[FeeChannel(fee.channel)]))
        if fee.conditional:
            when.append(
                gettext("Chỉ thu %(case)s") % {"case": fee.case_name}
                if fee.case_name
                else gettext("Chỉ thu khi phát sinh")
            )
        elif fee.case_name:
            when.append(fee.case_name[:1].upper() + fee.case_name[1:])
        out.append(
            PublicFee(
                name=fee.name,
                amount_vnd=fee.amount_vnd,
                basis=fee.basis,
                basis_label="" if fee.basis == FeeBasis.FIXED else gettext(FeeBasis(fee.basis).label).lower(),
                channel=fee.channel,
                applies_when="; ".join(when),
                exemption=citizen_text(fee.exemption),
                # For a per-unit rate the source's note is the scale (data/catalog/README: the amount
                # is the first unit's rate); any other note stays internal.
                scale="" if fee.basis == FeeBasis.FIXED else citizen_text(fee.note),
            )
        )
    return out


def fees_are_alternatives(fees: Iterable[ProcedureFee]) -> bool:
    """Whether the schedule lists rates that replace each other (per channel or per case): the public
    page then says they are not added up."""
    listed = list(fees)
    return any(f.channel != FeeChannel.ANY for f in listed) or any(f.case_group for f in listed)
