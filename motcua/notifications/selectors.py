"""Reads of the notifications app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from motcua.core.orm import queryset_sql
from motcua.dossiers.models import Dossier


@dataclass(frozen=True, slots=True)
class MessageDossier:
    """What an applicant e-mail says of its dossier (``messages.applicant_message_build``)."""

    code: str
    applicant_name: str
    applicant_email: str
    due_at: datetime | None
    procedure_name: str


_COLUMNS = ("code", "applicant_name", "applicant_email", "due_at", "procedure__name")
_sql_cache: dict[str, str] = {}


def _sql(alias: str) -> str:
    # The worker reads one dossier per e-mail. Compiling the ORM query each time cost ~10× the query
    # itself (and the full read, dossiers.selectors.dossier_get with its eleven joins, ~25 ms of CPU per
    # job), so the SQL is compiled once per database alias; only the text is kept, never data.
    sql = _sql_cache.get(alias)
    if sql is None:
        sql, params = queryset_sql(
            Dossier.objects.filter(pk=0).order_by().values_list(*_COLUMNS), using=alias
        )
        if params != (0,):  # the id must be the only parameter
            raise RuntimeError("unexpected parameters in the message dossier query")
        _sql_cache[alias] = sql
    return sql


def _aware(value: Any) -> datetime | None:
    """As the ORM gives it: aware UTC (SQLite returns naive UTC, PostgreSQL aware)."""
    if value is None:
        return None
    if isinstance(value, str):  # a backend without type detection
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value


def dossier_for_message(*, dossier_id: int, alias: str = DEFAULT_DB_ALIAS) -> MessageDossier | None:
    """The dossier an applicant e-mail is about (what the message says of it), or None if it is gone."""
    with connections[alias].cursor() as cursor:
        cursor.execute(_sql(alias), [dossier_id])
        row = cursor.fetchone()
    if row is None:
        return None
    code, name, email, due_at, procedure_name = row
    return MessageDossier(
        code=code,
        applicant_name=name,
        applicant_email=email,
        due_at=_aware(due_at),
        procedure_name=procedure_name,
    )
