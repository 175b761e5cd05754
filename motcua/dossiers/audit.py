"""Hash chain of the dossier audit log — nhật ký xử lý hồ sơ chống sửa, xóa.

Each ``DossierEvent`` stores ``hash = sha256(prev_hash + canonical JSON of its content)``, where
``prev_hash`` is the previous event's hash ("" for the first). Editing any stored field of an event
breaks its hash; deleting an event breaks the sequence (a gap) or, for the last one, the chain head
kept on the dossier (``event_count`` / ``last_event_hash``). ``chain_verify`` reports all three.

The chain alone does not stop someone who can write the database: he edits an event and recomputes
every hash after it. The seals (``dossiers.sealing``) stop that. And the dossier row itself must
agree with its events: ``row_derive`` recomputes its state, current unit, step, due time and the
applicant's particulars from what the events recorded (``event_data.ROW_KEY`` / ``APPLICANT_KEY``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from motcua.dossiers import event_data
from motcua.dossiers.models import OPEN_STATES, STATE_STATUS, Dossier, DossierEvent

# The dossier columns ``row_derive`` reads (verify-audit loads only these).
ROW_COLUMNS = (
    "pk",
    "code",
    "event_count",
    "last_event_hash",
    "state",
    "status",
    "is_open",
    "current_unit_id",
    "current_step_id",
    "due_at",
    *event_data.APPLICANT_FIELDS,
)


def json_normalise(data: dict[str, Any] | None) -> dict[str, Any]:
    """What a JSONField gives back after a save: hashing this keeps stored and hashed data identical."""
    result: dict[str, Any] = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    return result


def _instant(value: datetime) -> str:
    # Microseconds survive a round trip through both SQLite and PostgreSQL; always UTC.
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def event_canonical(event: DossierEvent) -> str:
    """The canonical JSON of everything an event records except its own hash (sorted keys, NFC text)."""
    content = {
        "dossier": event.dossier_id,
        "seq": event.seq,
        "at": _instant(event.at),
        "action": event.action,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "unit": event.unit_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "data": event.data,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(event: DossierEvent) -> str:
    return hashlib.sha256((event.prev_hash + event_canonical(event)).encode()).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    """One finding of the audit check, with a Vietnamese description."""

    dossier_code: str
    kind: str  # "edited" | "gap" | "broken_link" | "head_mismatch"
    seq: int | None
    message: str


def chain_verify(dossier: Dossier, events: Iterable[DossierEvent]) -> list[ChainProblem]:
    """Recompute one dossier's chain; ``events`` in ``seq`` order."""
    problems: list[ChainProblem] = []
    code = dossier.code
    expected_seq = 1
    prev_hash = ""
    count = 0
    for event in events:
        count += 1
        if event.seq != expected_seq:
            problems.append(
                ChainProblem(
                    code,
                    "gap",
                    expected_seq,
                    f"{code}: thiếu sự kiện số {expected_seq}"
                    + (f" đến {event.seq - 1}" if event.seq - 1 > expected_seq else "")
                    + " (đã bị xóa).",
                )
            )
        if event.prev_hash != prev_hash:
            problems.append(
                ChainProblem(
                    code,
                    "broken_link",
                    event.seq,
                    f"{code}: sự kiện số {event.seq} không nối với sự kiện trước.",
                )
            )
        if event_hash(event) != event.hash:
            problems.append(
                ChainProblem(
                    code,
                    "edited",
                    event.seq,
                    f"{code}: sự kiện số {event.seq} ({event.action}) đã bị sửa nội dung.",
                )
            )
        expected_seq = event.seq + 1
        prev_hash = event.hash
    if count != dossier.event_count or prev_hash != dossier.last_event_hash:
        problems.append(
            ChainProblem(
                code,
                "head_mismatch",
                None,
                f"{code}: hồ sơ ghi nhận {dossier.event_count} sự kiện nhưng nhật ký còn {count}"
                + (" và mã băm cuối không khớp" if prev_hash != dossier.last_event_hash else "")
                + " (sự kiện cuối đã bị xóa hoặc sửa).",
            )
        )
    return problems


def _same_instant(row_value: datetime | None, recorded: Any) -> bool:
    """The row's instant against the event's JSON text (``DjangoJSONEncoder`` keeps milliseconds)."""
    if row_value is None or recorded is None:
        return row_value is None and recorded is None
    try:
        value = datetime.fromisoformat(str(recorded).replace("Z", "+00:00"))
    except ValueError:
        return False
    return row_value.replace(microsecond=row_value.microsecond // 1000 * 1000) == value


def row_derive(dossier: Dossier, events: list[DossierEvent]) -> tuple[list[ChainProblem], bool]:
    """Compare the dossier row with what its events say it should be; (problems, fully derivable).

    The state comes from the last event's ``to_state``; unit, step and due time from the last event's
    ``ROW_KEY`` and the applicant's particulars from the first event's digest — events recorded before
    those keys existed make the row "not derivable" (False), which is not a finding.
    """
    problems: list[ChainProblem] = []
    if not events:
        return problems, False
    code = dossier.code

    def differs(kind: str, what: str) -> None:
        problems.append(
            ChainProblem(code, kind, None, f"{code}: {what} trên hồ sơ không khớp với nhật ký (đã bị sửa).")
        )

    last = events[-1]
    if dossier.state != last.to_state:
        differs("row_state", f"trạng thái «{dossier.state}» (nhật ký: «{last.to_state}»)")
    elif dossier.status != STATE_STATUS.get(dossier.state) or dossier.is_open != (
        dossier.state in OPEN_STATES
    ):
        differs("row_state", "trạng thái DVCQG")
    derivable = True
    row = last.data.get(event_data.ROW_KEY) if isinstance(last.data, dict) else None
    if isinstance(row, dict):
        if dossier.current_unit_id != row.get("unit"):
            differs("row_unit", "đơn vị đang xử lý")
        if dossier.current_step_id != row.get("step"):
            differs("row_step", "bước đang xử lý")
        if not _same_instant(dossier.due_at, row.get("due_at")):
            differs("row_due", "hạn trả kết quả")
    else:
        derivable = False
    first = events[0].data if isinstance(events[0].data, dict) else {}
    digest = first.get(event_data.APPLICANT_KEY) if events[0].seq == 1 else None
    if digest is None:
        derivable = False
    elif digest != event_data.applicant_digest(
        {name: getattr(dossier, name) for name in event_data.APPLICANT_FIELDS}
    ):
        differs("row_applicant", "thông tin người nộp")
    return problems, derivable
