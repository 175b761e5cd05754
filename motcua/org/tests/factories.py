"""factory-boy factories for the org app, shared with other apps' tests.

Generic on purpose: no real commune data (use ``services.units_load_quang_ninh`` for that). Codes use the
test-only level-1 code ``T99`` so they never collide with loaded ``H49`` codes.

    reception = OfficialFactory.create(assignments=[(centre, Role.RECEPTION)])
    client.force_login(reception.user)

``Factory.create()`` rather than ``Factory()``: mypy then does not mistake the result for the factory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import factory

from motcua.accounts.tests.factories import AccountFactory
from motcua.org.models import AreaKind, Counter, Official, Role, RoleAssignment, Unit, UnitKind

# The name the org and dossier tests grew up with.
UserFactory = AccountFactory


def _agency_code(n: int) -> str:
    return f"{n // 10000 % 1000:03d}.{n // 100 % 100:02d}.{n % 100:02d}.T99"


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    """A commune People's Committee by default; traits give the other kinds.

    ``UnitFactory(commune_centre=True)`` also creates its committee as parent.
    """

    class Meta:
        model = Unit

    kind = UnitKind.COMMUNE_COMMITTEE
    name = factory.Sequence(lambda n: f"Ủy ban nhân dân xã Thử Nghiệm {n}")
    short_name = factory.Sequence(lambda n: f"UBND xã Thử Nghiệm {n}")
    slug = factory.Sequence(lambda n: f"test-unit-{n}")
    agency_code = factory.Sequence(_agency_code)
    area_code = factory.Sequence(lambda n: 90000 + n)
    area_kind = AreaKind.COMMUNE
    parent = None
    is_active = True

    class Params:
        province_committee = factory.Trait(
            kind=UnitKind.PROVINCE_COMMITTEE,
            name=factory.Sequence(lambda n: f"Ủy ban nhân dân tỉnh Thử Nghiệm {n}"),
            short_name="UBND tỉnh",
            area_code=99,
            area_kind=AreaKind.PROVINCE,
        )
        department = factory.Trait(
            kind=UnitKind.DEPARTMENT,
            name=factory.Sequence(lambda n: f"Sở Thử Nghiệm {n}"),
            short_name=factory.Sequence(lambda n: f"Sở TN {n}"),
            area_code=99,
            area_kind=AreaKind.PROVINCE,
        )
        province_centre = factory.Trait(
            kind=UnitKind.PROVINCE_CENTRE,
            name=factory.Sequence(lambda n: f"Trung tâm Phục vụ hành chính công tỉnh {n}"),
            short_name="Trung tâm PVHCC tỉnh",
            area_code=99,
            area_kind=AreaKind.PROVINCE,
        )
        commune_centre = factory.Trait(
            kind=UnitKind.COMMUNE_CENTRE,
            name=factory.Sequence(lambda n: f"Trung tâm Phục vụ hành chính công xã Thử Nghiệm {n}"),
            short_name=factory.Sequence(lambda n: f"Trung tâm PVHCC xã {n}"),
            parent=factory.SubFactory("motcua.org.tests.factories.UnitFactory"),
            area_code=factory.SelfAttribute("parent.area_code"),
            area_kind=factory.SelfAttribute("parent.area_kind"),
        )


class CounterFactory(factory.django.DjangoModelFactory[Counter]):
    class Meta:
        model = Counter

    unit = factory.SubFactory(UnitFactory, commune_centre=True)
    number = factory.Sequence(lambda n: n + 1)
    label = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class OfficialFactory(factory.django.DjangoModelFactory[Official]):
    """An official; ``assignments=[(unit, Role.X), …]`` grants roles after creation."""

    class Meta:
        model = Official
        skip_postgeneration_save = True

    # The account carries the same name: it is the one dossiers show (account_display_name).
    user = factory.SubFactory(AccountFactory, full_name=factory.SelfAttribute("..full_name"))
    full_name = factory.Faker("name", locale="vi_VN")
    title = ""

    @factory.post_generation
    def assignments(
        obj: Official,
        create: bool,
        extracted: Sequence[tuple[Unit, Role]] | None,
        **kwargs: Any,
    ) -> None:
        if not create or not extracted:
            return
        for unit, role in extracted:
            RoleAssignment.objects.create(official=obj, unit=unit, role=role)


class RoleAssignmentFactory(factory.django.DjangoModelFactory[RoleAssignment]):
    class Meta:
        model = RoleAssignment

    official = factory.SubFactory(OfficialFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.RECEPTION
    is_active = True
