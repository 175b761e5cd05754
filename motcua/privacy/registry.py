"""What each app contributes to a person's data export and to the purge past retention.

An app holding personal data declares, in its ``personal_data`` module (loaded by ``apps.ready``):

- ``@export_section("dossiers")`` — a function ``(subject: Subject) -> list | dict`` giving that
  app's data about the person, JSON-serialisable (``DjangoJSONEncoder``);
- ``@retention_rule("portal.drafts", label=…, setting=…)`` — a function ``(*, now, dry_run) -> int``
  deleting (or, dry run, counting) what is past its retention, in batches;
- ``jobs_kept("nationalportal.sync")`` — finished jobs of that name are never purged (a record).

The registry lets this app, low in the layers, gather data from the engine, the extensions and the
channels above it without importing any of them (the same inversion as the engine's subscribers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet

from motcua.accounts.models import Account


@dataclass(frozen=True, slots=True)
class Subject:
    """The person whose data is exported: their account (if any) and/or their identity number.

    A citizen's own export has the account only: exactly what their pages show. An officer's export on
    request has the identity number the person proved at the counter, and the account holding it if any:
    counter dossiers filed under that number are included even when not linked to an account.
    """

    account: Account | None
    id_number: str = ""


class Purger(Protocol):
    def __call__(self, *, now: datetime, dry_run: bool) -> int: ...


ExportFunc = Callable[[Subject], Any]


@dataclass(frozen=True, slots=True)
class RetentionRule:
    name: str
    label: str
    # The setting holding the retention in days ("" when the rule follows another setting's expiry).
    setting: str
    purge: Purger

    @property
    def days(self) -> int | None:
        return int(getattr(settings, self.setting)) if self.setting else None


_sections: dict[str, ExportFunc] = {}
_rules: dict[str, RetentionRule] = {}


def export_section(name: str) -> Callable[[ExportFunc], ExportFunc]:
    def decorator(func: ExportFunc) -> ExportFunc:
        if name in _sections and _sections[name] is not func:
            raise ImproperlyConfigured(f"Personal-data export section {name!r} declared twice")
        _sections[name] = func
        return func

    return decorator


def retention_rule(name: str, *, label: str, setting: str = "") -> Callable[[Purger], Purger]:
    def decorator(func: Purger) -> Purger:
        if name in _rules and _rules[name].purge is not func:
            raise ImproperlyConfigured(f"Retention rule {name!r} declared twice")
        _rules[name] = RetentionRule(name=name, label=label, setting=setting, purge=func)
        return func

    return decorator


_kept_jobs: set[str] = set()


def jobs_kept(*names: str) -> None:
    """Declare job names whose finished jobs are a record another feature rebuilds from (kept forever).

    E.g. the DVCQG sync jobs, from which ``reports-rebuild`` recomputes indicator 1.4 (§31).
    """
    _kept_jobs.update(names)


def kept_job_names() -> frozenset[str]:
    return frozenset(_kept_jobs)


def export_sections() -> dict[str, ExportFunc]:
    return dict(sorted(_sections.items()))


def retention_rules() -> list[RetentionRule]:
    return [_rules[name] for name in sorted(_rules)]


BATCH_SIZE = 1000


def batch_delete(queryset: QuerySet[Any], *, dry_run: bool, batch_size: int = BATCH_SIZE) -> int:
    """Delete the rows of ``queryset`` in batches of primary keys (short locks, bounded memory).

    ``dry_run`` counts instead. Returns how many rows of the queryset's model were (or would be) deleted;
    rows deleted by cascade are not counted.
    """
    if dry_run:
        return queryset.count()
    model: type[Model] = queryset.model
    total = 0
    while True:
        pks = list(queryset.values_list("pk", flat=True)[:batch_size])
        if not pks:
            return total
        _deleted, by_model = model._default_manager.filter(pk__in=pks).delete()
        total += by_model.get(model._meta.label, 0)
