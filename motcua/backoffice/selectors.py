"""Reads the back-office pages need beyond ``dossiers.selectors`` (choices of the action forms)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from motcua.accounts.models import Account
from motcua.org.models import CENTRE_KINDS, COMMITTEE_KINDS, DECIDING_KINDS, Role, Unit


def officials_with_role(*, unit: Unit, roles: list[str] | tuple[str, ...]) -> QuerySet[Account]:
    """Active users holding one of ``roles`` in ``unit`` — the candidates an action may assign.

    Mirrors ``org.selectors`` rules 1–2: an assignment in the unit itself, or at the People's Committee
    directly above a service centre. Superusers and province-wide roles are left out on purpose: an
    administrator is never a sensible assignee for a dossier step. One query, officials joined.
    """
    where = Q(official__assignments__unit=unit)
    if unit.kind in CENTRE_KINDS and unit.parent_id is not None:
        where |= Q(
            official__assignments__unit_id=unit.parent_id,
            official__assignments__unit__kind__in=COMMITTEE_KINDS,
        )
    return (
        Account.objects.filter(
            where,
            is_active=True,
            official__assignments__is_active=True,
            official__assignments__role__in=[Role(r) for r in roles],
            official__assignments__unit__is_active=True,
        )
        .select_related("official")
        .distinct()
        .order_by("official__full_name")
    )


def deciding_units() -> QuerySet[Unit]:
    """Active units that may decide a dossier (committees, departments), by kind then name.

    The choices of the competent unit at the counter and of the unit a dossier is transferred to.
    """
    return Unit.objects.filter(is_active=True, kind__in=DECIDING_KINDS).order_by("kind", "name")
