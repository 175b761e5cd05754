"""Small helpers shared by the catalogue services: units, canonical decimals and content hashes.

Content hashes decide whether an import or an edit makes a new version, so the process specs,
procedure versioning and the importer must all spell decimals and JSON the same way: they do it here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from motcua.catalog.models import TimeUnit
from motcua.worktime.selectors import get_schedule

# A step "không tính thời gian": part of the process, but not of the statutory time (e.g. returning
# the result). Not a ``TimeUnit``: no deadline is ever computed for it.
NOT_COUNTED: Final = "not_counted"
DATA_UNITS: Final = frozenset(TimeUnit.values)
STEP_UNITS: Final = frozenset({*TimeUnit.values, NOT_COUNTED})
WORKING_UNITS: Final = frozenset({TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS})
BULK_BATCH: Final = 500


def hours_per_day() -> Decimal:
    """Working hours in a working day, from the validated schedule (``settings.WORKTIME``)."""
    return get_schedule().hours_per_day


def decimal_text(value: Decimal | None) -> str | None:
    """Canonical text of a decimal, so 25, 25.0 and Decimal("25.00") from the database hash the same."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def to_decimal(value: Any) -> Decimal | None:
    """A JSON number (int or float) as the decimal it is written as; None stays None."""
    if value is None:
        return None
    return Decimal(str(value))


def hash_content(content: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of ``content`` (keys sorted, no spacing, UTF-8)."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
