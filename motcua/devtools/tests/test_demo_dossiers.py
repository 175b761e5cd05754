"""Demo dossiers of ``motcua load-demo`` (issue 8 point 13): complete procedures, deadlines that bite."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import Account
from motcua.catalog.selectors import procedures_incomplete
from motcua.core.text import fold
from motcua.devtools.demo_dossiers import DEMO_CENTRES
from motcua.devtools.demo_officials import DEMO_ACCOUNTS
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import vn
from motcua.org.models import Role
from motcua.reports.models import RebuildMark

pytestmark = pytest.mark.django_db

# A Tuesday morning of an ordinary working week.
NOW = vn(2026, 3, 10, 10)
SUPERVISING = (Role.SUPERVISOR, Role.LEADER, Role.UNIT_ADMIN)


@pytest.fixture
def demo() -> None:
    with time_machine.travel(NOW, tick=False):
        call_command("load_demo", stdout=io.StringIO())


def test_demo_dossiers_use_procedures_with_a_processing_time(demo: None) -> None:
    dossiers = Dossier.objects.filter(receiving_unit__slug__in=DEMO_CENTRES)
    assert dossiers.count() == 300
    assert not dossiers.filter(procedure__in=procedures_incomplete(active_only=False)).exists()
    # Every received dossier has its due time ("Hạn xử lý: Không có" was 284 of 300).
    assert not dossiers.filter(received_at__isnull=False, due_at__isnull=True).exists()


def test_demo_has_overdue_and_due_soon_dossiers_on_the_unit_pages(demo: None) -> None:
    overdue = due_soon = 0
    with time_machine.travel(NOW, tick=False):
        for spec in DEMO_ACCOUNTS:
            if spec.role not in SUPERVISING:
                continue
            client = Client()
            client.force_login(Account.objects.get(username=spec.username))
            response = client.get(reverse("backoffice:unit"))
            if response.status_code != 200:
                continue
            for unit in response.context["units"]:
                counts = client.get(reverse("backoffice:unit"), {"unit": unit.pk}).context["counts"]
                overdue += counts["overdue"]
                due_soon += counts["due_soon"]
    assert overdue > 0
    assert due_soon > 0


def test_every_demo_centre_has_dossiers_to_work_on(demo: None) -> None:
    """The provincial centre's demo officials (tiepnhan.ttpvhcc…) must not open an empty system: its
    procedures with a processing time are received there and handled by a demo department."""
    for slug in DEMO_CENTRES:
        assert Dossier.objects.filter(receiving_unit__slug=slug).count() >= 30, slug


def test_demo_dossiers_are_found_by_the_applicants_name_without_diacritics(demo: None) -> None:
    """The generator inserts rows without ``Dossier.save``: it must keep the folded name itself."""
    d = Dossier.objects.filter(receiving_unit__slug=DEMO_CENTRES[1], applicant_kind="person").first()
    assert d is not None
    client = Client()
    client.force_login(Account.objects.get(username="tiepnhan.halong"))
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("backoffice:queue"), {"tab": "tat-ca", "q": fold(d.applicant_name)})
    assert d.code in response.content.decode()


def test_only_procedures_open_to_organisations_have_organisations_as_applicants(demo: None) -> None:
    dossiers = Dossier.objects.filter(receiving_unit__slug__in=DEMO_CENTRES, applicant_kind="organisation")
    assert dossiers.exists()
    assert not dossiers.filter(procedure__audience_business=False).exists()


def test_demo_identities_find_their_dossiers_after_logging_in_and_the_audit_holds(demo: None) -> None:
    """A demo citizen of the sandbox identity provider finds a supplement to answer, a fee to pay, a
    dossier in progress and a returned one in "Hồ sơ của tôi"; the organisation its own. They were
    theirs from creation — the rows agree with their events — so ``verify-audit`` passes on the demo
    (fault drills and operators run it there); a rerun changes nothing."""
    from motcua.accounts.services import citizen_account_ensure
    from motcua.devtools.demo_dossiers import demo_dossiers_ensure
    from motcua.dossiers import event_data
    from motcua.dossiers.models import DossierState
    from motcua.dossiers.services import dossiers_link_to_applicant

    an = Dossier.objects.filter(applicant_id_number="022090001234")
    assert set(an.values_list("state", flat=True)) == {
        DossierState.SUPPLEMENT_REQUESTED,
        DossierState.AWAITING_PAYMENT,
        DossierState.PROCESSING,
        DossierState.RETURNED,
    }
    # The fee of the status-6 dossier is payable online through the sandbox bank (``make run``).
    awaiting = an.get(state=DossierState.AWAITING_PAYMENT)
    assert awaiting.fees.filter(paid_at__isnull=True, amount_vnd__gt=0).exists()
    assert set(an.values_list("applicant_name", flat=True)) == {"Nguyễn Văn An"}
    assert set(
        Dossier.objects.filter(applicant_id_number="022192004567").values_list("state", flat=True)
    ) == {DossierState.RESULT_READY, DossierState.ACCEPTED}
    assert Dossier.objects.filter(applicant_id_number="5700100256", applicant_kind="organisation").exists()
    for dossier in an:
        first = dossier.events.get(seq=1)
        assert first.data[event_data.APPLICANT_KEY] == event_data.applicant_digest(vars(dossier))
    call_command("verify_audit", stdout=io.StringIO())  # CommandError (exit code 1) on any finding
    with time_machine.travel(NOW, tick=False):
        assert demo_dossiers_ensure() == 0

    account = citizen_account_ensure(personal_id="022090001234", full_name="Nguyễn Văn An")
    assert dossiers_link_to_applicant(account=account) == 4
    client = Client()
    client.force_login(account)
    page = client.get(reverse("portal:my_dossiers")).content.decode()
    for dossier in an:
        assert dossier.code in page


def test_demo_builds_the_report_aggregates_once(demo: None) -> None:
    """The simulated histories enqueue no subscriber jobs, so load-demo rebuilds the aggregates itself —
    or the dashboards of a fresh `make run` show zeros. A rerun finds them and does not rebuild."""
    mark = RebuildMark.objects.get()
    assert mark.dossiers == Dossier.objects.count() > 0
    client = Client()
    client.force_login(Account.objects.get(username="baocao.quangninh"))
    with time_machine.travel(NOW, tick=False):
        stats = client.get(reverse("backoffice:dashboard")).context["stats"]
        call_command("load_demo", stdout=io.StringIO())
    assert stats.received_new > 0
    assert stats.resolved > 0
    assert RebuildMark.objects.get().pk == mark.pk
