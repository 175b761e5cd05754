"""Catalogue admin by role: who may list, open and save procedures and processes (docs/domain.md §1.5).

Named personas on the dossier engine's test world (``dossiers.tests.factories``), through the admin
views with the Django test client: a superuser and the province admin edit; a unit admin reads; a
report viewer and a reception official have no admin access. Every save goes through the catalogue
services: the version is bumped, the snapshot records the editor, and a dossier keeps its process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import Account
from motcua.catalog.models import Field, Procedure, ProcedureVersion, ProcessDefinition, ProcessSource
from motcua.catalog.services import catalog_import, procedure_version_record
from motcua.catalog.tests.test_import_fixtures import detailed, row, write_catalog
from motcua.core.selectors import reference_data_stamp
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_receive_at_counter, world_build
from motcua.org.models import Role
from motcua.org.tests.factories import OfficialFactory, UserFactory

pytestmark = pytest.mark.django_db

# Persona → who they are. The grants are made in ``roles`` below.
PERSONAS = {
    "ong_tu": "ông Tư, quản trị hệ thống (superuser)",
    "ba_hoa": "bà Hoa, quản trị tỉnh (PROVINCE_ADMIN tại UBND tỉnh)",
    "anh_duc": "anh Đức, quản trị UBND phường Hạ Long (UNIT_ADMIN, đơn vị A)",
    "anh_tuan": "anh Tuấn, xem báo cáo toàn tỉnh (REPORT_VIEWER)",
    "chi_lan": "chị Lan, tiếp nhận TT PVHCC phường Hạ Long (RECEPTION)",
}
EDITORS = ("ong_tu", "ba_hoa")
READERS = ("anh_duc",)
OUTSIDERS = ("anh_tuan", "chi_lan")


@dataclass
class Roles:
    world: World
    users: dict[str, Account]

    def client(self, persona: str) -> Client:
        client = Client()
        client.force_login(self.users[persona])
        return client


@pytest.fixture
def roles() -> Roles:
    world = world_build()
    grants = {
        "ba_hoa": [(world.province, Role.PROVINCE_ADMIN)],
        "anh_duc": [(world.commune_a, Role.UNIT_ADMIN)],
        "anh_tuan": [(world.province, Role.REPORT_VIEWER)],
        "chi_lan": [(world.centre_a, Role.RECEPTION)],
    }
    users: dict[str, Account] = {
        "ong_tu": UserFactory.create(username="ong_tu", is_staff=True, is_superuser=True),
    }
    for persona, assignments in grants.items():
        # is_staff on everyone: the roles, not the staff flag, decide what the admin allows.
        official = OfficialFactory.create(
            user=UserFactory.create(username=persona, is_staff=True),
            full_name=PERSONAS[persona],
            assignments=assignments,
        )
        users[persona] = official.user
    for procedure in (world.procedure, world.province_procedure):
        procedure_version_record(procedure=procedure, source="import")  # version 1, as imported
    return Roles(world, users)


class _FormValues(HTMLParser):
    """What a browser posts from an admin change page as it is rendered: named inputs (checked boxes
    only), selected options and text areas; the empty inline templates (``__prefix__``) left out. Built
    from the page, so fields other work adds to the forms are posted too."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        name = values.get("name") or ""
        if "__prefix__" in name:
            return
        if tag == "input" and name:
            kind = (values.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in values:
                    self.values[name] = values.get("value") or "on"
                return
            self.values[name] = values.get("value") or ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select is not None:
            value = values.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in values:
                self.values[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            # A select with nothing marked selected posts its first option, as a browser does.
            self.values.setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            # Django writes a newline after <textarea>, which browsers drop.
            current = self.values[self._textarea]
            self.values[self._textarea] = current + (
                data[1:] if not current and data.startswith("\n") else data
            )


def _change_form(roles: Roles, url: str) -> dict[str, str]:
    """The change form at ``url`` as the superuser sees it (every field editable), unchanged."""
    page = roles.client("ong_tu").get(url)
    assert page.status_code == 200, url
    parser = _FormValues()
    parser.feed(page.content.decode())
    values = parser.values
    values.pop("csrfmiddlewaretoken", None)
    return values


def _procedure_form(roles: Roles, procedure: Procedure, **changes: str) -> dict[str, str]:
    """The change form of ``procedure`` as the browser posts it unchanged, with ``changes`` applied."""
    data = _change_form(roles, reverse("admin:catalog_procedure_change", args=[procedure.pk]))
    assert data["name"] == procedure.name  # the page was read right
    data.update(changes)
    return data


def _draft_form(
    roles: Roles, draft: ProcessDefinition, amounts: dict[int, str], total: str
) -> dict[str, str]:
    """The change form of a draft with the budgets of some steps (by order) and the total changed."""
    data = _change_form(roles, reverse("admin:catalog_processdefinition_change", args=[draft.pk]))
    data["total_amount"] = total
    index = {
        int(value): key.split("-")[1] for key, value in data.items() if re.fullmatch(r"steps-\d+-order", key)
    }
    for order, amount in amounts.items():
        data[f"steps-{index[order]}-duration_amount"] = amount
    return data


# --------------------------------------------------------------------------------------------------
# Lists and change forms
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_catalogue_lists_by_persona(roles: Roles, persona: str) -> None:
    procedure = roles.world.procedure
    process = procedure.processes.get(is_current=True)
    urls = (
        reverse("admin:catalog_procedure_changelist"),
        reverse("admin:catalog_procedure_change", args=[procedure.pk]),
        reverse("admin:catalog_processdefinition_changelist"),
        reverse("admin:catalog_processdefinition_change", args=[process.pk]),
        reverse("admin:catalog_field_changelist"),
        reverse("admin:catalog_procedureversion_changelist"),
    )
    client = roles.client(persona)
    expected = 403 if persona in OUTSIDERS else 200
    for url in urls:
        assert client.get(url).status_code == expected, (PERSONAS[persona], url)
    index = client.get(reverse("admin:index")).content.decode()
    assert ("Quy trình nội bộ" in index) is (persona not in OUTSIDERS), PERSONAS[persona]


def test_report_viewer_without_the_staff_flag_is_sent_to_the_login(roles: Roles) -> None:
    viewer = roles.users["anh_tuan"]
    viewer.is_staff = False
    viewer.save(update_fields=["is_staff"])
    response = roles.client("anh_tuan").get(reverse("admin:catalog_procedure_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("persona", [*EDITORS, *READERS])
def test_procedure_change_form_is_editable_for_editors_only(roles: Roles, persona: str) -> None:
    procedure = roles.world.procedure
    page = roles.client(persona).get(reverse("admin:catalog_procedure_change", args=[procedure.pk]))
    html = page.content.decode()
    assert ('name="name"' in html) is (persona in EDITORS), PERSONAS[persona]
    assert ('name="fees-0-amount_vnd"' in html) is (persona in EDITORS), PERSONAS[persona]
    # The national code is the procedure's identity: only a superuser changes it.
    assert ('name="code"' in html) is (persona == "ong_tu"), PERSONAS[persona]
    assert ('name="_save"' in html) is (persona in EDITORS), PERSONAS[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_a_superuser_adds_or_deletes_procedures(roles: Roles, persona: str) -> None:
    client = roles.client(persona)
    procedure = roles.world.procedure
    allowed = persona == "ong_tu"
    assert (client.get(reverse("admin:catalog_procedure_add")).status_code == 200) is allowed
    delete = client.get(reverse("admin:catalog_procedure_delete", args=[procedure.pk]))
    assert (delete.status_code == 200) is allowed


# --------------------------------------------------------------------------------------------------
# Saving a procedure
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EDITORS)
def test_editor_saves_a_procedure_through_the_versioning_service(roles: Roles, persona: str) -> None:
    procedure = roles.world.procedure
    user = roles.users[persona]
    stamp = reference_data_stamp()
    data = _procedure_form(
        roles, procedure, name="Cấp giấy phép thử nghiệm (sửa)", **{"fees-0-amount_vnd": "70000"}
    )

    response = roles.client(persona).post(
        reverse("admin:catalog_procedure_change", args=[procedure.pk]), data
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    procedure.refresh_from_db()
    assert procedure.name == "Cấp giấy phép thử nghiệm (sửa)"
    assert procedure.version == 2
    snapshot = procedure.versions.get(number=2)
    assert snapshot.edited_by == user
    assert snapshot.source == f"admin:{user.get_username()}"
    assert snapshot.snapshot["name"] == "Cấp giấy phép thử nghiệm (sửa)"
    assert snapshot.snapshot["fees"][0]["amount_vnd"] == 70000
    assert procedure.versions.get(number=1).snapshot["fees"][0]["amount_vnd"] == 50000
    # Processes that cache the catalogue (receipt, search) see a new reference-data stamp.
    assert reference_data_stamp() != stamp


@pytest.mark.parametrize("persona", [*READERS, *OUTSIDERS])
def test_others_cannot_save_a_procedure(roles: Roles, persona: str) -> None:
    procedure = roles.world.procedure
    data = _procedure_form(roles, procedure, name="Sửa trái phép", **{"fees-0-amount_vnd": "1"})

    response = roles.client(persona).post(
        reverse("admin:catalog_procedure_change", args=[procedure.pk]), data
    )

    assert response.status_code == 403, PERSONAS[persona]
    procedure.refresh_from_db()
    assert procedure.name == "Cấp giấy phép thử nghiệm"
    assert procedure.version == 1
    assert procedure.fees.get().amount_vnd == 50000
    assert not ProcedureVersion.objects.filter(procedure=procedure, number=2).exists()


def test_processing_time_edit_rebuilds_a_derived_process_and_keeps_the_dossiers_version(
    roles: Roles,
) -> None:
    world = roles.world
    procedure = world.procedure
    # The world's process stands for an approved one; make it the derived default the edit follows.
    ProcessDefinition.objects.filter(procedure=procedure).update(source=ProcessSource.DERIVED)
    with time_machine.travel(MONDAY_0900):
        dossier = dossier_receive_at_counter(world)
    pinned = dossier.process
    pinned_steps = list(pinned.steps.values_list("order", "duration_amount"))

    response = roles.client("ba_hoa").post(
        reverse("admin:catalog_procedure_change", args=[procedure.pk]),
        _procedure_form(roles, procedure, processing_time_amount="5"),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    current = procedure.processes.get(is_current=True)
    assert current.version == 2
    assert current.total_amount == 5
    assert sum(s.duration_amount or 0 for s in current.steps.all()) == 5
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.process_id == pinned.pk
    pinned.refresh_from_db()
    assert not pinned.is_current
    assert list(pinned.steps.values_list("order", "duration_amount")) == pinned_steps


def test_processing_time_edit_warns_when_the_approved_process_no_longer_matches(roles: Roles) -> None:
    procedure = roles.world.procedure  # its process is MANUAL: a time edit never rewrites it

    response = roles.client("ba_hoa").post(
        reverse("admin:catalog_procedure_change", args=[procedure.pk]),
        _procedure_form(roles, procedure, processing_time_amount="5"),
        follow=True,
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "khác thời hạn giải quyết của thủ tục" in text
    assert "Tạo bản nháp" in text
    assert procedure.processes.get().is_current  # still the one version, untouched


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"processing_time_unit": ""}, "processing_time_unit", "Chọn đơn vị của thời hạn giải quyết."),
        ({"processing_time_amount": "0"}, "processing_time_amount", "phải lớn hơn 0"),
        (
            {"processing_time_amount": "1.5", "processing_time_unit": "calendar_days"},
            "processing_time_amount",
            "Thời hạn không tính được hạn xử lý",
        ),
    ],
)
def test_invalid_processing_time_is_refused_in_vietnamese(
    roles: Roles, changes: dict[str, str], field: str, message: str
) -> None:
    procedure = roles.world.procedure

    response = roles.client("ba_hoa").post(
        reverse("admin:catalog_procedure_change", args=[procedure.pk]),
        _procedure_form(roles, procedure, **changes),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field]), errors
    procedure.refresh_from_db()
    assert procedure.version == 1
    assert procedure.processing_time_amount == 3


# --------------------------------------------------------------------------------------------------
# Internal processes: drafts and activation
# --------------------------------------------------------------------------------------------------


def test_province_admin_edits_a_process_as_a_new_version(roles: Roles) -> None:
    world = roles.world
    procedure = world.procedure
    with time_machine.travel(MONDAY_0900):
        dossier = dossier_receive_at_counter(world)
    current = procedure.processes.get(is_current=True)
    client = roles.client("ba_hoa")
    changelist = reverse("admin:catalog_processdefinition_changelist")

    # A version in use is read-only: posting to it changes nothing.
    blocked = client.post(
        reverse("admin:catalog_processdefinition_change", args=[current.pk]),
        {"total_amount": "5", "total_unit": current.total_unit},
    )
    assert blocked.status_code == 403
    current.refresh_from_db()
    assert current.total_amount == 3

    client.post(changelist, {"action": "draft_create", "_selected_action": [str(current.pk)]})
    draft = procedure.processes.get(version=2)
    assert draft.drafted_by == roles.users["ba_hoa"]
    assert not draft.is_current

    # Steps that no longer sum to the statutory time: refused, the old version stays current.
    saved = client.post(
        reverse("admin:catalog_processdefinition_change", args=[draft.pk]),
        _draft_form(roles, draft, {2: "2"}, "3"),
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    refused = client.post(
        changelist, {"action": "draft_activate", "_selected_action": [str(draft.pk)]}, follow=True
    )
    assert "không áp dụng được" in refused.content.decode()
    assert procedure.processes.get(is_current=True).pk == current.pk

    # Rebalanced: appraisal longer, approval shorter, still 3 working days — applied.
    client.post(
        reverse("admin:catalog_processdefinition_change", args=[draft.pk]),
        _draft_form(roles, draft, {2: "1.5", 3: "0.5"}, "3"),
    )
    stamp = reference_data_stamp()
    client.post(changelist, {"action": "draft_activate", "_selected_action": [str(draft.pk)]})

    draft.refresh_from_db()
    assert draft.is_current
    assert draft.activated_by == roles.users["ba_hoa"]
    assert draft.activated_at is not None
    assert reference_data_stamp() != stamp
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.process_id == current.pk  # the dossier keeps the version it started with
    assert current.steps.get(order=2).duration_amount == Decimal("1")


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("-4", "Thời gian của bước không được âm: -4 ngày làm việc"),
        (
            "4000",
            "Thời gian của bước không tính được hạn xử lý: Thời hạn quá lớn: tối đa 3650 ngày làm việc",
        ),
    ],
)
def test_a_draft_step_with_an_invalid_time_is_refused_on_save(roles: Roles, amount: str, error: str) -> None:
    procedure = roles.world.procedure
    current = procedure.processes.get(is_current=True)
    client = roles.client("ba_hoa")
    changelist = reverse("admin:catalog_processdefinition_changelist")
    client.post(changelist, {"action": "draft_create", "_selected_action": [str(current.pk)]})
    draft = procedure.processes.get(version=2)
    before = draft.steps.get(order=2).duration_amount

    response = client.post(
        reverse("admin:catalog_processdefinition_change", args=[draft.pk]),
        _draft_form(roles, draft, {2: amount}, "3"),
    )

    assert response.status_code == 200  # the form again, with the error at the step
    assert error in response.content.decode()
    assert draft.steps.get(order=2).duration_amount == before


def test_a_draft_total_other_than_the_statutory_time_is_not_applied(roles: Roles) -> None:
    procedure = roles.world.procedure  # 3 working days
    current = procedure.processes.get(is_current=True)
    client = roles.client("ba_hoa")
    changelist = reverse("admin:catalog_processdefinition_changelist")
    client.post(changelist, {"action": "draft_create", "_selected_action": [str(current.pk)]})
    draft = procedure.processes.get(version=2)
    # Steps summing to their own total of 5 days, which is not the procedure's 3.
    client.post(
        reverse("admin:catalog_processdefinition_change", args=[draft.pk]),
        _draft_form(roles, draft, {2: "3"}, "5"),
    )

    response = client.post(
        changelist, {"action": "draft_activate", "_selected_action": [str(draft.pk)]}, follow=True
    )

    assert "khác thời hạn giải quyết của thủ tục (3 ngày làm việc)" in response.content.decode()
    assert procedure.processes.get(is_current=True).pk == current.pk


@pytest.mark.parametrize("persona", READERS)
def test_unit_admin_cannot_draft_or_activate(roles: Roles, persona: str) -> None:
    procedure = roles.world.procedure
    current = procedure.processes.get(is_current=True)
    client = roles.client(persona)
    changelist = reverse("admin:catalog_processdefinition_changelist")
    assert 'value="draft_create"' not in client.get(changelist).content.decode()

    client.post(changelist, {"action": "draft_create", "_selected_action": [str(current.pk)]})

    assert procedure.processes.count() == 1
    roles.client("ba_hoa").post(changelist, {"action": "draft_create", "_selected_action": [str(current.pk)]})
    draft = procedure.processes.get(version=2)
    client.post(changelist, {"action": "draft_activate", "_selected_action": [str(draft.pk)]})
    assert procedure.processes.get(is_current=True).pk == current.pk
    edit = client.post(
        reverse("admin:catalog_processdefinition_change", args=[draft.pk]),
        _draft_form(roles, draft, {2: "2"}, "3"),
    )
    assert edit.status_code == 403
    assert draft.steps.get(order=2).duration_amount == Decimal("1")


# --------------------------------------------------------------------------------------------------
# Units stay with their own admin
# --------------------------------------------------------------------------------------------------


def test_unit_admin_edits_their_own_unit_only(roles: Roles) -> None:
    world = roles.world
    client = roles.client("anh_duc")
    own = client.get(reverse("admin:org_unit_change", args=[world.commune_a.pk]))
    assert own.status_code == 200
    assert 'name="phone"' in own.content.decode()
    other = client.post(
        reverse("admin:org_unit_change", args=[world.commune_b.pk]),
        {"phone": "0203 999 999", "address": "", "email": ""},
    )
    assert other.status_code == 302  # not in their list: "không tồn tại", nothing saved
    world.commune_b.refresh_from_db()
    assert world.commune_b.phone != "0203 999 999"


def test_a_re_import_keeps_the_province_admins_edit(roles: Roles, tmp_path: Path) -> None:
    data = write_catalog(tmp_path, [row("1.000001")], [detailed("1.000001")])
    catalog_import(path=data)
    procedure = Procedure.objects.get(code="1.000001")

    response = roles.client("ba_hoa").post(
        reverse("admin:catalog_procedure_change", args=[procedure.pk]),
        _procedure_form(roles, procedure, result="Giấy phép (đã sửa theo Quyết định của UBND tỉnh)"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    catalog_import(path=data)  # the unchanged national data, as every `make run` re-imports it

    procedure.refresh_from_db()
    assert procedure.result == "Giấy phép (đã sửa theo Quyết định của UBND tỉnh)"
    assert procedure.version == 2
    assert procedure.versions.get(number=2).edited_by == roles.users["ba_hoa"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_fields_are_the_national_list(roles: Roles, persona: str) -> None:
    client = roles.client(persona)
    added = client.post(
        reverse("admin:catalog_field_add"), {"name": "Lĩnh vực tỉnh tự đặt", "code": "tu-dat"}
    )
    assert (added.status_code == 302) is (persona == "ong_tu"), PERSONAS[persona]
    assert Field.objects.filter(code="tu-dat").exists() is (persona == "ong_tu")
