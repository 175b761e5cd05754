"""The data the API robustness tests hit (``api_world``, a shared data set of the root conftest).

Loaded once per test process in the shared outer transaction: the test world of the dossier engine
(``dossiers.tests.factories.world_build``), a provincial administrator, an API token per persona and
dossiers at several stages, so that generated requests reach real rows and not only 404s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from motcua.dossiers.models import DossierResultDocument
from motcua.dossiers.tests.factories import dossier_at, world_build
from motcua.identity.services import api_token_create
from motcua.org.models import Official, Role
from motcua.org.tests.factories import OfficialFactory, UserFactory


@dataclass
class ApiWorld:
    """Bearer tokens per persona, and path-parameter values that name existing rows."""

    tokens: dict[str, str] = field(default_factory=dict)
    dossier_codes: list[str] = field(default_factory=list)
    agency_codes: list[str] = field(default_factory=list)
    procedure_codes: list[str] = field(default_factory=list)
    results: list[tuple[str, int]] = field(default_factory=list)


# Filled by ``api_world_seed`` (the tokens' text is never stored, so it is kept here).
SEEDED = ApiWorld()


def api_world_seed() -> ApiWorld:
    world = world_build()
    admin: Official = OfficialFactory(
        user=UserFactory(full_name="Phạm Quản Trị"),
        full_name="Phạm Quản Trị",
        assignments=[(world.province, Role.PROVINCE_ADMIN)],
    )
    users = {"citizen": world.an, "commune_official": world.lan, "province_admin": admin.user}
    dossiers = [dossier_at(world, stage) for stage in ("submitted", "received", "appraisal", "returned")]
    SEEDED.tokens = {
        key: api_token_create(user=user, name=f"schemathesis {key}")[1] for key, user in users.items()
    }
    SEEDED.dossier_codes = [d.code for d in dossiers]
    SEEDED.agency_codes = [
        u.agency_code for u in (world.province, world.centre_a, world.commune_a, world.department)
    ]
    SEEDED.procedure_codes = [world.procedure.code, world.province_procedure.code]
    SEEDED.results = [
        (doc.dossier.code, doc.pk) for doc in DossierResultDocument.objects.filter(dossier__in=dossiers)
    ]
    return SEEDED
