"""Population database lookups against the stand-in process: who may look up whom, errors, audit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from motcua.accounts.models import Account
from motcua.accounts.tests.factories import AccountFactory
from motcua.dossiers.tests.factories import World
from motcua.population.adapters import PersonNotFound, PopulationUnavailable
from motcua.population.models import LookupOutcome, PopulationLookup
from motcua.population.services import population_lookup, population_prefill_for

AN_ID = "022090001234"  # Nguyễn Văn An in data/demo/citizens.json


@pytest.fixture
def an(db: None) -> Account:
    return AccountFactory.create(citizen=True, personal_id=AN_ID, username=AN_ID, full_name="Nguyễn Văn An")


def _audit() -> list[tuple[str, str, str]]:
    return [
        (row.actor.username, row.personal_id, row.outcome) for row in PopulationLookup.objects.order_by("id")
    ]


def test_a_citizen_reads_their_own_record_with_the_household(an: Account, standins_on: Any) -> None:
    person = population_lookup(actor=an, personal_id=AN_ID, purpose="Điền sẵn hồ sơ")
    assert person.full_name == "Nguyễn Văn An"
    assert person.birth_date == date(1990, 3, 15)
    assert person.gender == "Nam"
    assert person.permanent_address.startswith("Số 12 đường Lê Thánh Tông")
    assert person.household_head == "Nguyễn Văn An"
    assert {(m.full_name, m.relation_to_head) for m in person.household} == {
        ("Nguyễn Văn An", "Chủ hộ"),
        ("Trần Thị Bình", "Vợ"),
        ("Nguyễn Minh Châu", "Con"),
    }
    assert _audit() == [(AN_ID, AN_ID, LookupOutcome.FOUND)]
    (received,) = [r for r in standins_on.messages("population") if r["content"]["nguoiYeuCau"] == AN_ID]
    assert received["content"]["mucDich"] == "Điền sẵn hồ sơ"


def test_a_citizen_may_not_read_someone_else(an: Account, standins_on: Any) -> None:
    with pytest.raises(PermissionDenied, match="chính mình"):
        population_lookup(actor=an, personal_id="022192004567", purpose="Tò mò")
    assert _audit() == [(AN_ID, "022192004567", LookupOutcome.REFUSED)]


def test_reception_may_read_anyone_a_specialist_may_not(world: World, standins_on: Any) -> None:
    person = population_lookup(actor=world.lan, personal_id="022192004567", purpose="Tiếp nhận hồ sơ")
    assert person.full_name == "Trần Thị Bình"
    with pytest.raises(PermissionDenied):
        population_lookup(actor=world.minh, personal_id="022192004567", purpose="Thẩm định")
    assert [outcome for _u, _p, outcome in _audit()] == [LookupOutcome.FOUND, LookupOutcome.REFUSED]


def test_unknown_number(world: World, standins_on: Any) -> None:
    with pytest.raises(PersonNotFound, match="không có công dân với số định danh 022099999999"):
        population_lookup(actor=world.lan, personal_id="022099999999", purpose="Tiếp nhận hồ sơ")
    assert _audit()[-1][2] == LookupOutcome.NOT_FOUND


def test_stand_in_down_is_a_clear_message(world: World) -> None:
    # _outside_services_off points the adapter at a closed port.
    with pytest.raises(PopulationUnavailable, match="Không kết nối được CSDL quốc gia về dân cư"):
        population_lookup(actor=world.lan, personal_id=AN_ID, purpose="Tiếp nhận hồ sơ")
    assert _audit()[-1][2] == LookupOutcome.UNAVAILABLE


def test_wrong_credentials_are_unavailable_not_a_crash(world: World, standins_on: Any, settings: Any) -> None:
    settings.MOTCUA_POPULATION_CLIENT_SECRET = "wrong"
    with pytest.raises(PopulationUnavailable):
        population_lookup(actor=world.lan, personal_id=AN_ID, purpose="Tiếp nhận hồ sơ")


def test_malformed_number(world: World) -> None:
    with pytest.raises(ValueError, match="12 chữ số"):
        population_lookup(actor=world.lan, personal_id="12345", purpose="Tiếp nhận hồ sơ")


def test_prefill_for_the_signed_in_citizen(an: Account, world: World, standins_on: Any) -> None:
    assert population_prefill_for(an) == {
        "id_number": AN_ID,
        "name": "Nguyễn Văn An",
        "birth_date": "1990-03-15",
        "gender": "Nam",
        "address": "Số 12 đường Lê Thánh Tông, phường Hạ Long, tỉnh Quảng Ninh",
    }
    assert population_prefill_for(world.lan) == {}
    assert population_prefill_for(world.an) == {}  # not in the population database: nothing to prefill
