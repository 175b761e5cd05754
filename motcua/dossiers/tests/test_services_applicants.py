"""dossiers_link_to_applicant: counter dossiers given to the account of their applicant's ID number."""

from __future__ import annotations

import pytest

from motcua.accounts.models import AccountKind
from motcua.accounts.tests.factories import AccountFactory
from motcua.dossiers.models import ApplicantKind
from motcua.dossiers.services import ApplicantData, dossiers_link_to_applicant
from motcua.dossiers.tests.factories import World, dossier_receive_at_counter

pytestmark = pytest.mark.django_db

AN = "022090001234"
COMPANY = "5700100256"


def counter(world: World, id_number: str, *, kind: str = ApplicantKind.PERSON, user=None):
    return dossier_receive_at_counter(
        world, applicant=ApplicantData(name="Người nộp", kind=kind, id_number=id_number), applicant_user=user
    )


def test_links_the_citizens_counter_dossiers_once(world: World) -> None:
    first, second = counter(world, AN), counter(world, AN)
    other = counter(world, "022192004567")
    an = AccountFactory.create(kind=AccountKind.CITIZEN, personal_id=AN, username=AN)

    assert dossiers_link_to_applicant(account=an) == 2
    assert dossiers_link_to_applicant(account=an) == 0  # idempotent

    for dossier in (first, second, other):
        dossier.refresh_from_db()
    assert first.applicant_user == an
    assert second.applicant_user == an
    assert other.applicant_user is None


def test_a_dossier_tied_to_another_account_keeps_it(world: World) -> None:
    someone = AccountFactory.create(citizen=True)
    theirs = counter(world, AN, user=someone)
    an = AccountFactory.create(kind=AccountKind.CITIZEN, personal_id=AN, username=AN)

    assert dossiers_link_to_applicant(account=an) == 0
    theirs.refresh_from_db()
    assert theirs.applicant_user == someone


def test_organisation_by_tax_code(world: World) -> None:
    company_dossier = counter(world, COMPANY, kind=ApplicantKind.ORGANISATION)
    a_person = counter(world, AN)
    company = AccountFactory.create(kind=AccountKind.ORGANISATION, tax_code=COMPANY, username=COMPANY)

    assert dossiers_link_to_applicant(account=company) == 1
    company_dossier.refresh_from_db()
    a_person.refresh_from_db()
    assert company_dossier.applicant_user == company
    assert a_person.applicant_user is None


@pytest.mark.parametrize("kind", [AccountKind.OFFICIAL, AccountKind.SERVICE])
def test_officials_and_service_accounts_link_nothing(world: World, kind: str) -> None:
    dossier = counter(world, AN)
    account = AccountFactory.create(kind=kind, personal_id=AN)

    assert dossiers_link_to_applicant(account=account) == 0
    dossier.refresh_from_db()
    assert dossier.applicant_user is None


def test_an_inactive_account_links_nothing(world: World) -> None:
    dossier = counter(world, AN)
    an = AccountFactory.create(kind=AccountKind.CITIZEN, personal_id=AN, username=AN, is_active=False)

    assert dossiers_link_to_applicant(account=an) == 0
    dossier.refresh_from_db()
    assert dossier.applicant_user is None
