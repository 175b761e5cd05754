"""Hash chain of the dossier audit log — nhật ký xử lý hồ sơ chống sửa, xóa.

Each ``DossierEvent`` stores ``hash = sha256(prev_hash + canonical JSON of its content)``, where
``prev_hash`` is the previous event's hash ("" for the first). Editing any stored field of an event
breaks its hash; deleting an event breaks the sequence (a gap) or, for the last one, the chain head
kept on the dossier (``event_count`` / ``last_event_hash``). ``chain_verify`` reports all three.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from motcua.dossiers.models import Dossier, DossierEvent


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
