"""Django permissions granted by roles — quyền quản trị theo vai trò (docs/domain.md §1.5).

The Django admin of the catalogue and of the working-time calendar asks ``user.has_perm`` like any
admin; this authentication backend answers it from the user's active role assignments, so those apps
need not know about roles (they sit beside or below ``org`` in the layers). The org admin itself
scopes by unit in ``org.admin`` and does not use these permissions.

The matrix (superusers hold every permission through Django's own check):

- ``PROVINCE_ADMIN`` at the provincial committee edits the province-wide reference data: procedure
  details, documents and fees, processing times, internal processes (through drafts) and the
  calendar's extra days off / working days. Creating or deleting a procedure, and the fields
  (lĩnh vực), are not in it: they come from the national catalogue (``motcua import-catalog``), and
  renaming a field would change every procedure in it without a new version.
- ``UNIT_ADMIN`` reads the catalogue and the calendar: both are province-wide, nothing in them belongs
  to one unit, so a unit admin changing them would change every other unit's rules.
- Every other role (report viewer, reception, …) has no admin permission.

Permissions name models by string only; no catalogue or calendar module is imported.
"""

from __future__ import annotations

from typing import Final

from django.contrib.auth.backends import BaseBackend
from django.db.models import Model

from motcua.org.models import Role
from motcua.org.selectors import (
    UserLike,
    official_is_unit_admin,
    official_manages_province,
    official_role_set,
)

_CATALOGUE_MODELS: Final = (
    "field",
    "procedure",
    "proceduredocument",
    "procedurefee",
    "procedureversion",
    "processdefinition",
    "processstep",
)

_READ: Final = frozenset(
    {f"catalog.view_{model}" for model in _CATALOGUE_MODELS} | {"worktime.view_calendarexception"}
)

UNIT_ADMIN_PERMISSIONS: Final = _READ

PROVINCE_ADMIN_PERMISSIONS: Final = _READ | frozenset(
    {
        "catalog.change_procedure",
        # Documents and fees are edited as inlines of the procedure (and versioned with it).
        "catalog.add_proceduredocument",
        "catalog.change_proceduredocument",
        "catalog.delete_proceduredocument",
        "catalog.add_procedurefee",
        "catalog.change_procedurefee",
        "catalog.delete_procedurefee",
        # Only drafts are editable or deletable (catalog.admin); versions ever current are immutable.
        "catalog.change_processdefinition",
        "catalog.delete_processdefinition",
        "catalog.add_processstep",
        "catalog.change_processstep",
        "catalog.delete_processstep",
        "worktime.add_calendarexception",
        "worktime.change_calendarexception",
        "worktime.delete_calendarexception",
    }
)


# Reception officials look citizens up in the national population database at the counter (prefill,
# docs/domain.md); the permission is named by string, the population app is not imported.
RECEPTION_PERMISSIONS: Final = frozenset({"population.lookup_any_person"})


def role_permissions(*, user: UserLike) -> frozenset[str]:
    """The admin permissions ``user``'s roles grant (empty for inactive users and plain officials).

    No cache of its own: the grants are cached on the user object by ``org.selectors`` (and dropped by
    ``official_scope_invalidate`` when a service changes them).
    """
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    granted: frozenset[str] = frozenset()
    if official_manages_province(user=user):
        granted = PROVINCE_ADMIN_PERMISSIONS
    elif official_is_unit_admin(user=user):
        granted = UNIT_ADMIN_PERMISSIONS
    if Role.RECEPTION in official_role_set(user=user):
        granted |= RECEPTION_PERMISSIONS
    return granted


# Apps whose permissions roles grant: a check for any other (say dossiers.submit_dossier) is answered
# at once, without reading the user's grants.
_APPS: Final = frozenset(
    permission.partition(".")[0] for permission in PROVINCE_ADMIN_PERMISSIONS | RECEPTION_PERMISSIONS
)


class RolePermissionBackend(BaseBackend):
    """Grants ``role_permissions``; authenticates no one (``ModelBackend`` does)."""

    def has_perm(self, user_obj: UserLike, perm: str, obj: Model | None = None) -> bool:
        if perm.partition(".")[0] not in _APPS:
            return False
        return super().has_perm(user_obj, perm, obj)

    def get_all_permissions(self, user_obj: UserLike, obj: Model | None = None) -> set[str]:
        if obj is not None:
            return set()  # model-level only, as ModelBackend
        return set(role_permissions(user=user_obj))

    def has_module_perms(self, user_obj: UserLike, app_label: str) -> bool:
        # BaseBackend has none: without it the admin index would hide the apps these permissions open.
        if app_label not in _APPS:
            return False
        # Reception's population permission is for the counter, not the admin: it opens no admin app.
        admin_permissions = role_permissions(user=user_obj) - RECEPTION_PERMISSIONS
        return any(permission.startswith(f"{app_label}.") for permission in admin_permissions)
