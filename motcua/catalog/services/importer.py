"""The catalogue import — ``motcua import-catalog`` of ``data/catalog`` (thủ tục hành chính).

``catalog_import`` runs in two phases. Phase 1 (``import_read``, schemas in ``import_schema``) reads
and validates every source row and collects every problem with its file and line (JSON Lines) or JSON
path (detailed records); nothing is written if a single row is bad, unless ``skip_invalid`` is set.
Phase 2 (``import_write``) writes all valid rows in one transaction with bulk statements.

Decisions on the data's quirks (data/catalog/README.md):

* Name-only rows (no detailed record) carry no competent level. They stay blank, except ``vertical``
  rows (police, tax, social insurance… handled by a central vertical sector, not by the province),
  which get ``Level.CENTRAL``. A detailed record's level always wins: 1.004194 is vertical, yet its
  detailed record says commune (commune police).
* When a code has both a JSON Lines row and a detailed record, the detailed record gives the content
  (name as written in the source, field, level, time, documents, fees…) and the row gives popularity,
  audience and the vertical flag. Detailed codes missing from the list (8 of them) are imported with
  popularity 0 and no audience.
* A processing time with an amount but no unit (only 1.001193: "1 ngày … sau 15 giờ thì trả kết quả
  trong ngày làm việc tiếp theo") is read as working days when the wording speaks of "ngày làm việc"
  anywhere, else as calendar days — the usual legal reading of a bare "ngày". The original wording
  stays in ``processing_time_text``; the import report lists every such inference.
* ``hours`` in the data are clock hours (child-protection emergency) → ``TimeUnit.HOURS``; they are
  never converted to working time. Working days and working hours convert at
  ``settings.WORKTIME["HOURS_PER_DAY"]`` (8).
* Popularity is a nationwide usage metric, not content: it is not part of the content hash, so a
  popularity refresh updates the column in place (counted as ``refreshed``) without a new version.
* A code with any invalid source (bad JSON Lines row, bad detailed file, duplicated code) is skipped
  as a whole under ``skip_invalid``: importing half of it would overwrite good stored data with less.
* Procedures missing from a later import are left as they are (not deactivated): with
  ``skip_invalid`` a bad row would otherwise switch off a procedure in use.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from django.db import connection, transaction

from motcua.catalog.services.import_read import ImportReport, Problem, catalog_read
from motcua.catalog.services.import_write import catalog_write
from motcua.catalog.services.vocabulary import VOCABULARY_FILE, search_terms_load
from motcua.core.services import reference_data_changed

logger = logging.getLogger(__name__)

_IMPORT_LOCK_KEY: Final = 0x6D6F74637561  # "motcua": advisory lock id of the catalogue import


class CatalogValidationError(Exception):
    """The catalogue data has invalid rows; nothing was imported."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        rows = len({(p.file, p.line) for p in self.problems})
        super().__init__(
            f"Dữ liệu danh mục có {len(self.problems)} lỗi ở {rows} dòng/tệp; không nhập gì "
            f"(catalogue data has {len(self.problems)} problems; nothing imported)"
        )


def _catalog_lock() -> None:
    """Serialise concurrent imports (two `make run` starting together) for this transaction.

    Taken before the existing rows are read, so the second import sees the first one's rows and finds
    nothing to do instead of failing on a unique code. SQLite needs nothing: its write transactions
    start IMMEDIATE (settings), which already queues writers.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK_KEY])


def catalog_import(*, path: Path, skip_invalid: bool = False, progress: bool = False) -> ImportReport:
    """Import ``path``/procedures.jsonl, ``path``/detailed/*.json and ``path``/fields.json, and the
    search vocabulary entries of ``path``/vocabulary.json not stored yet.

    Raises ``CatalogValidationError`` (nothing written) when any source row is invalid, unless
    ``skip_invalid``: then valid codes are imported and the problems are listed in the report.
    Idempotent: unchanged rows cost nothing; a changed row gets a new version and snapshot.
    """
    started = time.perf_counter()
    read = catalog_read(path=Path(path), progress=progress)
    if read.problems and not skip_invalid:
        raise CatalogValidationError(read.problems)
    report = ImportReport(
        invalid=read.invalid_sources,
        skipped_codes=read.skipped_codes,
        problems=read.problems,
        warnings=read.warnings,
    )
    with transaction.atomic():
        _catalog_lock()
        catalog_write(read=read, report=report, progress=progress)
        # The search vocabulary ships with the catalogue, so a fresh `make run` understands people.
        if (vocabulary := Path(path) / VOCABULARY_FILE).exists():
            report.search_terms_created = search_terms_load(path=vocabulary)
        if report.changed:
            reference_data_changed()  # bulk writes fire no signals
    report.seconds = time.perf_counter() - started
    # `make run` imports on every start: an unchanged catalogue is not worth an INFO line.
    logger.log(logging.INFO if report.changed else logging.DEBUG, "catalog import: %s", report)
    return report
