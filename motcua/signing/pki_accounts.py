"""Who gets a development certificate: every active leader (personal) and their units (seal)."""

from __future__ import annotations

from collections.abc import Iterator

from motcua.org.models import Role, RoleAssignment
from motcua.signing.pki import SignerIdentity


def signer_identities() -> Iterator[SignerIdentity]:
    """One identity per leader account (CN = name, O = unit, title) and one per unit with a leader."""
    units_seen: set[int] = set()
    grants = (
        RoleAssignment.objects.filter(role=Role.LEADER, is_active=True, official__user__is_active=True)
        .select_related("official__user", "unit")
        .order_by("pk")
    )
    users_seen: set[int] = set()
    for grant in grants:
        user, unit = grant.official.user, grant.unit
        if user.pk not in users_seen:
            users_seen.add(user.pk)
            yield SignerIdentity(
                kind="leader",
                key=user.username,
                common_name=grant.official.full_name or user.username,
                organisation=unit.name,
                title=grant.official.title,
            )
        if unit.pk not in units_seen:
            units_seen.add(unit.pk)
            yield SignerIdentity(
                kind="unit", key=unit.agency_code, common_name=unit.name, organisation=unit.name
            )
