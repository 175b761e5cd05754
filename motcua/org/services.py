"""Writes for the organisation: loading Quảng Ninh's units, officials and their role assignments.

Every public function is keyword-only and owns its transaction; called from another service it joins
the caller's transaction (a savepoint), so the outermost call decides what commits together.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone

from motcua.accounts.identity_numbers import person_name_clean
from motcua.accounts.models import Account, AccountKind
from motcua.core.services import reference_data_changed
from motcua.core.text import nfc
from motcua.org.agency_codes import agency_code_rule
from motcua.org.models import (
    ADMIN_ROLES,
    CENTRE_KINDS,
    AreaKind,
    Counter,
    Official,
    Role,
    RoleAssignment,
    Unit,
    UnitKind,
)
from motcua.org.reference import province_reference
from motcua.org.selectors import official_scope_invalidate

logger = logging.getLogger(__name__)

PROVINCE_COMMITTEE_SLUG = "ubnd-tinh"


def commune_committee_slug(area_code: int) -> str:
    """Loader key of a commune's People's Committee, e.g. ``ubnd-6688`` for Phường Hạ Long."""
    return f"ubnd-{area_code}"


def commune_centre_slug(area_code: int) -> str:
    """Loader key of a commune's service centre, e.g. ``pvhcc-6688``."""
    return f"pvhcc-{area_code}"


class AgencyCodeConflictError(ValueError):
    """The loader would give a unit a code another unit already has; nothing was written."""


# --------------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeChange:
    """An electronic code the loader changed (rule or suffix changed since the previous run)."""

    unit_name: str
    old: str
    new: str


@dataclass(frozen=True)
class UnitsLoadResult:
    created: int
    updated: int
    unchanged: int
    counters_created: int
    code_changes: tuple[CodeChange, ...]

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def __str__(self) -> str:
        text = (
            f"{self.total} đơn vị ({self.created} mới, {self.updated} cập nhật, "
            f"{self.unchanged} giữ nguyên), {self.counters_created} quầy mới"
        )
        if self.code_changes:
            text += f", {len(self.code_changes)} mã định danh thay đổi"
        return text


@dataclass(frozen=True)
class _UnitSpec:
    slug: str
    kind: UnitKind
    name: str
    short_name: str
    parent_slug: str | None
    agency_code: str
    area_code: int
    area_kind: AreaKind
    address: str
    counters: tuple[str, ...] = ()


def _unit_specs() -> list[_UnitSpec]:
    """Every unit the loader manages, parents before children."""
    ref = province_reference()
    rule = agency_code_rule()
    rule.check_segments(
        provincial_segments=[ref.centre.segment, *(body.segment for body in ref.departments)],
        commune_count=len(ref.communes),
    )
    province = ref.full_name  # "tỉnh Quảng Ninh"
    specs = [
        _UnitSpec(
            slug=PROVINCE_COMMITTEE_SLUG,
            kind=UnitKind.PROVINCE_COMMITTEE,
            name=f"Ủy ban nhân dân {province}",
            short_name=f"UBND {province}",
            parent_slug=None,
            agency_code=rule.province_committee(),
            area_code=ref.code,
            area_kind=ref.area_kind,
            address="",
        ),
        _UnitSpec(
            slug=ref.centre.key,
            kind=UnitKind.PROVINCE_CENTRE,
            name=ref.centre.name,
            short_name=ref.centre.short_name,
            parent_slug=PROVINCE_COMMITTEE_SLUG,
            agency_code=rule.provincial_body(ref.centre.segment),
            area_code=ref.code,
            area_kind=ref.area_kind,
            address=ref.centre.address,
            counters=ref.province_centre_counters,
        ),
    ]
    specs += [
        _UnitSpec(
            slug=body.key,
            kind=UnitKind.DEPARTMENT,
            name=body.name,
            short_name=body.short_name,
            parent_slug=PROVINCE_COMMITTEE_SLUG,
            agency_code=rule.provincial_body(body.segment),
            area_code=ref.code,
            area_kind=ref.area_kind,
            address=body.address,
        )
        for body in ref.departments
    ]
    for rank, commune in enumerate(ref.communes):
        local = f"{commune.division} {commune.bare_name}"  # "phường Hạ Long"
        address = f"{commune.name}, {province}"
        committee = commune_committee_slug(commune.code)
        specs.append(
            _UnitSpec(
                slug=committee,
                kind=UnitKind.COMMUNE_COMMITTEE,
                name=f"Ủy ban nhân dân {local}",
                short_name=f"UBND {local}",
                parent_slug=PROVINCE_COMMITTEE_SLUG,
                agency_code=rule.commune_committee(rank),
                area_code=commune.code,
                area_kind=commune.area_kind,
                address=address,
            )
        )
        specs.append(
            _UnitSpec(
                slug=commune_centre_slug(commune.code),
                kind=UnitKind.COMMUNE_CENTRE,
                name=f"Trung tâm Phục vụ hành chính công {local}",
                short_name=f"Trung tâm PVHCC {local}",
                parent_slug=committee,
                agency_code=rule.commune_centre(rank),
                area_code=commune.code,
                area_kind=commune.area_kind,
                address=address,
                counters=ref.commune_centre_counters,
            )
        )
    slugs = [spec.slug for spec in specs]
    duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if duplicates:
        raise ImproperlyConfigured(f"Khóa đơn vị bị trùng: {duplicates} (xem data/org/departments.json).")
    return specs


def _depth(spec: _UnitSpec, specs: dict[str, _UnitSpec]) -> int:
    depth = 0
    while spec.parent_slug is not None:
        spec = specs[spec.parent_slug]
        depth += 1
    return depth


def _check_codes(specs: Sequence[_UnitSpec], existing: dict[str, Unit]) -> dict[str, str]:
    """Final code of every managed unit; raise before any write if two units would share one."""
    final: dict[str, str] = {}
    for spec in specs:
        unit = existing.get(spec.slug)
        final[spec.slug] = (
            unit.agency_code if unit is not None and unit.agency_code_manual else spec.agency_code
        )
    owners: dict[str, list[str]] = {}
    for slug, code in final.items():
        owners.setdefault(code, []).append(slug)
    problems = [f"{code}: {', '.join(slugs)}" for code, slugs in owners.items() if len(slugs) > 1]
    outsiders = (
        Unit.objects.exclude(slug__in=final.keys())
        .filter(agency_code__in=final.values())
        .values_list("agency_code", "name")
    )
    problems += [f"{code}: {name} (đơn vị ngoài danh mục nạp)" for code, name in outsiders]
    if problems:
        raise AgencyCodeConflictError(
            "Mã định danh bị trùng, chưa ghi gì vào cơ sở dữ liệu: " + "; ".join(sorted(problems))
        )
    return final


@transaction.atomic
def units_load_quang_ninh() -> UnitsLoadResult:
    """Create or update the province, its centre, departments and every commune with its centre.

    Idempotent and cheap to rerun (a handful of queries when nothing changed). Names, kinds, parents and
    area codes follow the reference data; an address is only filled while empty, counters only for a
    centre that has none, and ``agency_code`` only while ``agency_code_manual`` is false — so what an
    administrator edited survives. Units that disappear from the reference data are left untouched.
    """
    specs = _unit_specs()
    by_slug = {spec.slug: spec for spec in specs}
    # Row locks (PostgreSQL): a concurrent rerun waits here instead of interleaving its writes with ours.
    existing = {str(unit.slug): unit for unit in Unit.objects.select_for_update().filter(slug__in=by_slug)}
    final_codes = _check_codes(specs, existing)
    now = timezone.now()

    code_changes: list[CodeChange] = []
    recoded: list[Unit] = []
    for slug, unit in existing.items():
        if unit.agency_code != final_codes[slug]:
            change = CodeChange(unit_name=unit.name, old=unit.agency_code, new=final_codes[slug])
            logger.warning("Đổi mã định danh %s → %s (%s)", change.old, change.new, change.unit_name)
            code_changes.append(change)
            recoded.append(unit)
    if recoded:
        # Park the codes first: the new code of one unit may be the old code of another (segments shifted).
        for unit in recoded:
            unit.agency_code = f"~{unit.pk}"
        Unit.objects.bulk_update(recoded, ["agency_code"])
        for unit in recoded:
            unit.agency_code = final_codes[str(unit.slug)]
    recoded_pks = {unit.pk for unit in recoded}

    ids = {slug: unit.pk for slug, unit in existing.items()}
    created: list[Unit] = []
    missing = [spec for spec in specs if spec.slug not in existing]
    for depth in sorted({_depth(spec, by_slug) for spec in missing}):
        wave = [
            Unit(
                slug=spec.slug,
                kind=spec.kind,
                name=spec.name,
                short_name=spec.short_name,
                parent_id=ids[spec.parent_slug] if spec.parent_slug else None,
                agency_code=final_codes[spec.slug],
                area_code=spec.area_code,
                area_kind=spec.area_kind,
                address=spec.address,
            )
            for spec in missing
            if _depth(spec, by_slug) == depth
        ]
        for unit in wave:
            unit.search_text = unit.compute_search_text()
        created += Unit.objects.bulk_create(wave)
        ids.update({unit.slug or "": unit.pk for unit in wave})

    changed: list[Unit] = []
    changed_fields: set[str] = set()
    for slug, unit in existing.items():
        spec = by_slug[slug]
        wanted: dict[str, object] = {
            "kind": spec.kind,
            "name": spec.name,
            "short_name": spec.short_name,
            "parent_id": ids[spec.parent_slug] if spec.parent_slug else None,
            "area_code": spec.area_code,
            "area_kind": spec.area_kind,
        }
        if not unit.address and spec.address:
            wanted["address"] = spec.address
        fields = {name for name, value in wanted.items() if getattr(unit, name) != value}
        for name in fields:
            setattr(unit, name, wanted[name])
        if unit.pk in recoded_pks:
            fields.add("agency_code")
        search_text = unit.compute_search_text()
        if unit.search_text != search_text:
            unit.search_text = search_text
            fields.add("search_text")
        if fields:
            unit.updated_at = now
            changed.append(unit)
            changed_fields |= fields | {"updated_at"}
    if changed:
        Unit.objects.bulk_update(changed, sorted(changed_fields))
    if created or changed or recoded:
        reference_data_changed()  # bulk writes fire no signals

    counters_created = _counters_default_ensure(
        centres={ids[spec.slug]: spec.counters for spec in specs if spec.kind in CENTRE_KINDS}
    )
    result = UnitsLoadResult(
        created=len(created),
        updated=len(changed),
        unchanged=len(existing) - len(changed),
        counters_created=counters_created,
        code_changes=tuple(code_changes),
    )
    logger.info(
        "Nạp đơn vị: %d mới, %d cập nhật, %d giữ nguyên, %d quầy mới",
        result.created,
        result.updated,
        result.unchanged,
        result.counters_created,
    )
    return result


def _counters_default_ensure(*, centres: dict[int, tuple[str, ...]]) -> int:
    """Default counters for centres that have none; a centre with any counter is the admin's to manage."""
    equipped = set(Counter.objects.filter(unit_id__in=centres).values_list("unit_id", flat=True).distinct())
    new = [
        Counter(unit_id=unit_id, number=number, label=label)
        for unit_id, labels in centres.items()
        if unit_id not in equipped
        for number, label in enumerate(labels, start=1)
    ]
    Counter.objects.bulk_create(new)
    return len(new)


# --------------------------------------------------------------------------------------------------
# Officials and role assignments
# --------------------------------------------------------------------------------------------------


def role_assignment_validate(*, unit: Unit, role: str) -> Role:
    """Check that ``role`` may be held in ``unit`` (no write); the admin forms use it too."""
    try:
        checked = Role(role)
    except ValueError as exc:
        raise ValidationError({"role": f"Vai trò không hợp lệ: {role!r}."}) from exc
    if not unit.is_active:
        raise ValidationError({"unit": f"Đơn vị {unit.name} đã ngừng hoạt động, không thể phân quyền."})
    if checked == Role.PROVINCE_ADMIN and unit.kind != UnitKind.PROVINCE_COMMITTEE:
        # Province-wide rights hang on the provincial committee; anywhere else the role would be a trap.
        raise ValidationError({"role": "Vai trò Quản trị tỉnh chỉ được giao tại UBND tỉnh."})
    return checked


def official_account_errors(*, username: str, password: str | None) -> dict[str, list[str]]:
    """What is wrong with a new account's login and password, by key ``username`` / ``password``.

    The login must be given (already stripped) and free; the password must pass the project's
    password validators, judged against that login. ``password`` None skips the validators (the caller
    has rejected it already, e.g. two entries that differ). Empty when both are fine.
    """
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["Tên đăng nhập là bắt buộc."]
    elif Account.objects.filter(username=username).exists():
        errors["username"] = [f"Tên đăng nhập «{username}» đã tồn tại."]
    if password is not None:
        try:
            validate_password(password, user=Account(username=username))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    return errors


@transaction.atomic
def official_create(
    *,
    username: str,
    password: str,
    full_name: str,
    title: str = "",
    assignments: Sequence[tuple[Unit, Role]],
) -> Official:
    """Create an official's account (kind official), its profile and its role assignments.

    The password goes through the project's password validators. Holders of an admin role
    (``ADMIN_ROLES``) get ``is_staff`` so they can sign in to the Django admin.
    """
    username = username.strip()
    full_name = nfc(full_name)
    account = official_account_errors(username=username, password=password)
    errors: dict[str, list[str]] = {}  # in form order: login, name, password, roles
    if "username" in account:
        errors["username"] = account["username"]
    if not full_name:
        errors["full_name"] = ["Họ và tên là bắt buộc."]
    else:
        try:
            full_name = person_name_clean(full_name)
        except ValidationError as exc:
            errors["full_name"] = exc.messages
    if "password" in account:
        errors["password"] = account["password"]
    for unit, role in assignments:
        try:
            role_assignment_validate(unit=unit, role=role)
        except ValidationError as exc:
            errors.setdefault("assignments", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)

    user = Account.objects.create_user(
        username=username,
        password=password,
        kind=AccountKind.OFFICIAL,
        full_name=full_name,
        is_staff=any(role in ADMIN_ROLES for _, role in assignments),
    )
    official = Official.objects.create(user=user, full_name=full_name, title=nfc(title))
    for unit, role in assignments:
        role_assignment_grant(official=official, unit=unit, role=role)
    logger.info("Tạo cán bộ %s (%s)", username, full_name)
    return official


@transaction.atomic
def role_assignment_grant(*, official: Official, unit: Unit, role: Role) -> RoleAssignment:
    """Give ``official`` the ``role`` in ``unit``; reactivates a revoked assignment. Idempotent."""
    role = role_assignment_validate(unit=unit, role=role)
    assignment, created = RoleAssignment.objects.get_or_create(official=official, unit=unit, role=role)
    if not created and not assignment.is_active:
        assignment.is_active = True
        assignment.save(update_fields=["is_active"])
    user = official.user
    if role in ADMIN_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    official_scope_invalidate(user=user)
    logger.info("Phân quyền %s: %s tại %s", official, role.label, unit)
    return assignment


@transaction.atomic
def official_staff_sync(*, official: Official) -> None:
    """Give ``is_staff`` to an official holding an active admin role (for writes made outside services).

    Never takes the flag away; see :func:`role_assignment_revoke`.
    """
    user = official.user
    has_admin_role = official.assignments.filter(is_active=True, role__in=ADMIN_ROLES).exists()
    if has_admin_role and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    official_scope_invalidate(user=user)


@transaction.atomic
def role_assignment_revoke(*, official: Official, unit: Unit, role: Role) -> bool:
    """Withdraw a role; the row stays (inactive) as a record. Returns whether anything was active.

    ``is_staff`` is left as it is: the admin grants nothing in this app without an active admin role,
    and the flag may have been given for other reasons.
    """
    revoked = RoleAssignment.objects.filter(official=official, unit=unit, role=role, is_active=True).update(
        is_active=False
    )
    official_scope_invalidate(user=official.user)
    if revoked:
        logger.info("Thu hồi quyền %s: %s tại %s", official, Role(role).label, unit)
    return revoked > 0
