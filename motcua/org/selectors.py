"""Reads for the organisation: units, and the units where an official may act.

Scoping rule — where a role assignment gives rights (``official_units`` and ``official_has_role``
implement it, in SQL and in Python respectively, and the tests check that they agree):

1. An active assignment gives its role in its own unit.
2. An assignment at a People's Committee (provincial or commune) also gives that role in the service
   centre directly under it, because the centre is the committee's one-stop shop: the chairman who
   signs, the clerk who stamps and the unit admin of ``UBND phường Hạ Long`` act at ``Trung tâm PVHCC
   phường Hạ Long`` without a second assignment. The reverse does not hold: a reception officer of the
   centre gets nothing in the committee.
3. ``PROVINCE_ADMIN`` and ``REPORT_VIEWER`` held at the provincial People's Committee reach every unit
   (one province per deployment). Held anywhere else they follow rules 1–2 only.
4. An active superuser holds every role in every unit.
5. Nothing else: no inheritance from a department to the provincial centre, no sibling or cross-commune
   reach, so an official of commune A has no rights in commune B. Inactive users, revoked assignments,
   and inactive units (on either side of the assignment) give nothing.

Roles do not imply one another: a province admin is not a reception officer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from motcua.accounts.models import Account, AccountOrAnonymous
from motcua.accounts.selectors import account_display_name
from motcua.core.orm import PreparedQuery
from motcua.core.text import fold
from motcua.org.models import (
    CENTRE_KINDS,
    COMMITTEE_KINDS,
    PROVINCE_WIDE_ROLES,
    AreaKind,
    Counter,
    Official,
    Role,
    RoleAssignment,
    Unit,
    UnitKind,
)

UserLike = AccountOrAnonymous

# Display order: the province first, then its centre and departments, then communes and their centres.
_KIND_ORDER = [
    UnitKind.PROVINCE_COMMITTEE,
    UnitKind.PROVINCE_CENTRE,
    UnitKind.DEPARTMENT,
    UnitKind.COMMUNE_COMMITTEE,
    UnitKind.COMMUNE_CENTRE,
]
_SCOPE_CACHE = "_motcua_org_scope"


# --------------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------------


def unit_list(
    *,
    kind: UnitKind | None = None,
    area_kind: AreaKind | None = None,
    q: str | None = None,
    include_inactive: bool = False,
) -> QuerySet[Unit]:
    """Units in display order, parent joined; ``q`` matches name, short name or code, accent-insensitive."""
    units = Unit.objects.select_related("parent").annotate(
        kind_rank=Case(
            *(When(kind=value, then=Value(rank)) for rank, value in enumerate(_KIND_ORDER)),
            default=Value(len(_KIND_ORDER)),
            output_field=IntegerField(),
        )
    )
    if not include_inactive:
        units = units.filter(is_active=True)
    if kind:
        units = units.filter(kind=kind)
    if area_kind:
        units = units.filter(area_kind=area_kind)
    return unit_search(units, q).order_by("kind_rank", "area_code", "agency_code")


def unit_get(
    *, agency_code: str | None = None, slug: str | None = None, include_inactive: bool = False
) -> Unit | None:
    """One unit by electronic code or by loader key (exactly one of them), parent joined."""
    if (agency_code is None) == (slug is None):
        raise TypeError("unit_get() needs exactly one of agency_code, slug")
    units = Unit.objects.select_related("parent")
    if not include_inactive:
        units = units.filter(is_active=True)
    if agency_code is not None:
        return units.filter(agency_code=agency_code.strip()).first()
    return units.filter(slug=slug).first()


def unit_counters(*, unit: Unit, include_inactive: bool = False) -> QuerySet[Counter]:
    counters = Counter.objects.filter(unit=unit)
    if not include_inactive:
        counters = counters.filter(is_active=True)
    return counters.order_by("number")


def unit_leaders(*, unit: Unit) -> QuerySet[Official]:
    """Officials with an active LEADER assignment in ``unit`` itself (who sign for it), earliest first.

    Only the unit's own assignments count: a centre is signed for by its own head, never by the
    committee's chairman reaching it through rule 2.
    """
    return (
        Official.objects.filter(
            assignments__unit=unit,
            assignments__role=Role.LEADER,
            assignments__is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("assignments__created_at", "pk")
    )


# --------------------------------------------------------------------------------------------------
# Where an official may act
# --------------------------------------------------------------------------------------------------


def _is_active_user(user: UserLike) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _is_superuser(user: UserLike) -> bool:
    return _is_active_user(user) and user.is_superuser


def _grants(user: UserLike, roles: Iterable[str] | None) -> QuerySet[RoleAssignment]:
    if user.pk is None:
        return RoleAssignment.objects.none()
    grants = RoleAssignment.objects.filter(official__user_id=user.pk, is_active=True, unit__is_active=True)
    if roles is not None:
        grants = grants.filter(role__in=[Role(role) for role in roles])
    return grants


def official_units(*, user: UserLike, roles: Iterable[Role | str] | None = None) -> QuerySet[Unit]:
    """Active units where ``user`` holds one of ``roles`` (any role when None), per the module rule.

    A single lazy query, usable as a subquery: ``Dossier.objects.filter(unit__in=official_units(...))``.
    """
    units = Unit.objects.filter(is_active=True)
    if not _is_active_user(user):
        return units.none()
    if _is_superuser(user):
        return units
    grants = _grants(user, roles)
    own_unit = Exists(grants.filter(unit_id=OuterRef("pk")))
    committee_centre = Q(kind__in=CENTRE_KINDS) & Exists(
        grants.filter(unit_id=OuterRef("parent_id"), unit__kind__in=COMMITTEE_KINDS)
    )
    province_wide = Exists(
        grants.filter(role__in=PROVINCE_WIDE_ROLES, unit__kind=UnitKind.PROVINCE_COMMITTEE)
    )
    return units.filter(Q(own_unit) | committee_centre | Q(province_wide))


@dataclass(frozen=True)
class _Grant:
    role: Role
    unit_id: int
    unit_kind: str


@dataclass(frozen=True)
class _Scope:
    superuser: bool
    grants: tuple[_Grant, ...]


def _official_known_absent(user: UserLike) -> bool:
    """The user object was loaded with its ``official`` joined (API tokens) and has none: no query."""
    related = getattr(getattr(type(user), "official", None), "related", None)
    return related is not None and related.is_cached(user) and related.get_cached_value(user) is None


# Every request of an official reads their grants: compiled once per connection (core.orm).
_GRANT_ROWS: PreparedQuery[RoleAssignment] = PreparedQuery(
    lambda p: (
        RoleAssignment.objects.filter(official__user_id=p["user"], is_active=True, unit__is_active=True)
        .order_by()
        .values_list("role", "unit_id", "unit__kind")
    ),
    {"user": -7_351_913},
)


def _scope(user: UserLike) -> _Scope:
    """The user's active grants, fetched once and kept on the user object (one per request)."""
    cached: _Scope | None = getattr(user, _SCOPE_CACHE, None)
    if cached is not None:
        return cached
    if not _is_active_user(user):
        scope = _Scope(superuser=False, grants=())
    elif _is_superuser(user):
        scope = _Scope(superuser=True, grants=())
    elif _official_known_absent(user):
        scope = _Scope(superuser=False, grants=())  # a citizen: no Official, so no grants
    else:
        rows = _GRANT_ROWS.tuples(user=user.pk)
        scope = _Scope(
            superuser=False,
            grants=tuple(_Grant(Role(role), unit_id, unit_kind) for role, unit_id, unit_kind in rows),
        )
    if user.is_authenticated:
        setattr(user, _SCOPE_CACHE, scope)
    return scope


def official_scope_invalidate(*, user: UserLike) -> None:
    """Forget the cached grants of this user object (services call it after changing assignments)."""
    if hasattr(user, _SCOPE_CACHE):
        delattr(user, _SCOPE_CACHE)


def official_grants_attach(*, user: UserLike, grants: Iterable[tuple[Unit, Role]]) -> None:
    """Give a user object the (unit, role) grants already in hand, as if read from the database.

    For in-memory actors (the database-free rule table test); the role checks below then need no query.
    """
    scope = _Scope(
        superuser=False, grants=tuple(_Grant(Role(role), unit.pk, unit.kind) for unit, role in grants)
    )
    setattr(user, _SCOPE_CACHE, scope)


def _reaches(grant: _Grant, unit: Unit) -> bool:
    if grant.unit_id == unit.pk:
        return True
    if unit.kind in CENTRE_KINDS and grant.unit_kind in COMMITTEE_KINDS and grant.unit_id == unit.parent_id:
        return True
    return grant.role in PROVINCE_WIDE_ROLES and grant.unit_kind == UnitKind.PROVINCE_COMMITTEE


def official_roles(*, user: UserLike, unit: Unit) -> frozenset[Role]:
    """Every role ``user`` holds in ``unit`` (all roles for a superuser). No query after the first call."""
    if not unit.is_active:
        return frozenset()
    scope = _scope(user)
    if scope.superuser:
        return frozenset(Role)
    return frozenset(grant.role for grant in scope.grants if _reaches(grant, unit))


def official_has_any_role(*, user: UserLike) -> bool:
    """Whether ``user`` holds any active role anywhere (a superuser does): an official, not a citizen.

    Same grants as ``official_roles``, so one query per user object serves both.
    """
    scope = _scope(user)
    return scope.superuser or bool(scope.grants)


def official_role_set(*, user: UserLike) -> frozenset[Role]:
    """Every role ``user`` holds in some unit (all roles for a superuser); no query after the first call."""
    scope = _scope(user)
    if scope.superuser:
        return frozenset(Role)
    return frozenset(grant.role for grant in scope.grants)


def official_role_units(
    *, user: UserLike, roles: Iterable[Role | str] | None = None
) -> dict[Role, set[int]] | None:
    """For each role ``user`` holds (of ``roles``; all when None), the ids of the active units where it
    holds it (rules 1–3).

    None for a superuser (every role everywhere). At most one query (the centres under the committees
    where the user holds roles) after the grants are read, one more for a province-wide role.
    """
    scope = _scope(user)
    if scope.superuser:
        return None
    wanted = frozenset(Role(role) for role in roles) if roles is not None else frozenset(Role)
    grants = [grant for grant in scope.grants if grant.role in wanted]
    result: dict[Role, set[int]] = {}
    committee_ids = {grant.unit_id for grant in grants if grant.unit_kind in COMMITTEE_KINDS}
    centres: list[tuple[int, int]] = []
    if committee_ids:
        centres = list(
            Unit.objects.filter(is_active=True, kind__in=CENTRE_KINDS, parent_id__in=committee_ids)
            .values_list("pk", "parent_id")
            .order_by()
        )
    every_unit: set[int] | None = None
    for grant in grants:
        units = result.setdefault(grant.role, set())
        units.add(grant.unit_id)
        units.update(pk for pk, parent_id in centres if parent_id == grant.unit_id)
        if grant.role in PROVINCE_WIDE_ROLES and grant.unit_kind == UnitKind.PROVINCE_COMMITTEE:
            if every_unit is None:
                every_unit = set(Unit.objects.filter(is_active=True).values_list("pk", flat=True))
            units.update(every_unit)
    return result


def official_reaches_every_unit(*, user: UserLike) -> bool:
    """Superuser, or a province-wide role at the provincial committee (rule 3): every unit is in reach.

    Lets a query drop its unit filter instead of listing every unit of the province.
    """
    scope = _scope(user)
    return scope.superuser or any(
        grant.role in PROVINCE_WIDE_ROLES and grant.unit_kind == UnitKind.PROVINCE_COMMITTEE
        for grant in scope.grants
    )


def official_display_name(user: Account) -> str:
    """The name to show for an official's account (``accounts.selectors.account_display_name``)."""
    return account_display_name(user)


def official_has_role(*, user: UserLike, unit: Unit, roles: Iterable[Role | str]) -> bool:
    """Whether ``user`` holds any of ``roles`` in ``unit``; cached per user object, so safe in loops."""
    return not official_roles(user=user, unit=unit).isdisjoint(Role(role) for role in roles)


def official_manages_province(*, user: UserLike) -> bool:
    """Superuser, or ``PROVINCE_ADMIN`` at the provincial committee: manages every unit and official."""
    scope = _scope(user)
    return scope.superuser or any(
        grant.role == Role.PROVINCE_ADMIN and grant.unit_kind == UnitKind.PROVINCE_COMMITTEE
        for grant in scope.grants
    )


def official_is_unit_admin(*, user: UserLike) -> bool:
    """Holds an active ``UNIT_ADMIN`` role somewhere (cached grants: no query after the first)."""
    return any(grant.role == Role.UNIT_ADMIN for grant in _scope(user).grants)


def official_managed_units(*, user: UserLike) -> QuerySet[Unit]:
    """Units whose officials, roles and counters ``user`` administers (``UNIT_ADMIN`` reach, or all)."""
    return official_units(user=user, roles=[Role.UNIT_ADMIN, Role.PROVINCE_ADMIN])


def unit_search(units: QuerySet[Unit], q: str | None) -> QuerySet[Unit]:
    """``units`` whose name, short name or code holds every word of ``q``, accent-insensitive
    ("ha long" finds "Hạ Long"); all of ``units`` when ``q`` has no word."""
    for word in fold(q or "").split():
        units = units.filter(search_text__contains=word)
    return units
