"""Receipt (codes, components, fees, routing, idempotency) and the process paths through the services."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import cast

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from motcua.accounts.models import Account
from motcua.core.tests import upload_files
from motcua.dossiers import events, services
from motcua.dossiers.models import (
    Decision,
    Dossier,
    DossierCodeCounter,
    DossierEvent,
    DossierState,
    DossierStep,
    DvcqgStatus,
    StepStatus,
)
from motcua.dossiers.services import receipt
from motcua.dossiers.tests.factories import (
    APPLICANT,
    MONDAY_0900,
    World,
    complete_components,
    dossier_advance,
    dossier_at,
    dossier_receive_at_counter,
    dossier_submit,
    procedure_with_process,
    vn,
)
from motcua.jobs.models import Job
from motcua.nationalportal.subscribers import DOSSIER_SYNC
from motcua.notifications.subscribers import APPLICANT_EMAIL, APPLICANT_INBOX
from motcua.org.tests.factories import UserFactory
from motcua.reports.subscribers import AGGREGATES

pytestmark = pytest.mark.usefixtures("_monday")


@pytest.fixture
def _monday():
    with time_machine.travel(MONDAY_0900, tick=False):
        yield


# --- codes -----------------------------------------------------------------------------------------


def test_codes_are_daily_sequences_per_receiving_unit(world: World) -> None:
    a1 = dossier_receive_at_counter(world)
    a2 = dossier_submit(world)
    b1 = dossier_receive_at_counter(
        world, by=world.binh, receiving_unit=world.centre_b, chosen_unit=world.commune_b
    )
    assert a1.code == f"{world.centre_a.agency_code}-260302-0001"
    assert a2.code == f"{world.centre_a.agency_code}-260302-0002"
    assert b1.code == f"{world.centre_b.agency_code}-260302-0001"


def test_code_date_is_the_local_date(world: World) -> None:
    with time_machine.travel(vn(2026, 3, 2, 23, 30), tick=False):  # 16:30 UTC, still Monday in Hạ Long
        late = dossier_submit(world, key="late")
    with time_machine.travel(vn(2026, 3, 3, 0, 30), tick=False):  # 17:30 UTC Monday, Tuesday locally
        early = dossier_submit(world, key="early")
    assert late.code.endswith("-260302-0001")
    assert early.code.endswith("-260303-0001")


def test_receipt_refuses_bad_identity_and_creates_nothing(world: World) -> None:
    with pytest.raises(services.DossierInvalid) as exc:
        services.dossier_receive(
            actor=world.lan,
            receiving_unit=world.centre_a,
            procedure=world.procedure,
            components=complete_components(world.procedure),
            applicant=services.ApplicantData(
                name="<script>alert('x')</script> Nguyễn Văn A",
                id_number="022090001234",
                birth_date=date(1991, 1, 1),
                phone="0612345678",
                representative_name="Trần Văn 2",
            ),
        )
    assert set(exc.value.errors) == {
        "applicant_name",
        "applicant_birth_date",
        "applicant_phone",
        "representative_name",
    }
    assert exc.value.errors["applicant_birth_date"] == (
        "Ngày sinh không khớp với số định danh cá nhân: số 022090001234 ứng với năm sinh 1990."
    )
    assert not Dossier.objects.exists()


def test_invalid_receipt_consumes_no_number(world: World) -> None:
    with pytest.raises(services.DossierInvalid) as exc:
        services.dossier_receive(
            actor=world.lan,
            receiving_unit=world.centre_a,
            procedure=world.procedure,
            components=complete_components(world.procedure),
            applicant=services.ApplicantData(name="  ", id_number="12ab"),
        )
    assert set(exc.value.errors) == {"applicant_name", "applicant_id_number"}
    assert not Dossier.objects.exists()
    assert not Job.objects.exists()
    assert dossier_receive_at_counter(world).code.endswith("-0001")
    assert DossierCodeCounter.objects.get(unit=world.centre_a).last_number == 1


# --- receipt content ------------------------------------------------------------------------------


def test_counter_receipt_checklist_files_and_fees(world: World, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    form, proof = list(world.procedure.documents.order_by("order"))
    content = upload_files.pdf_bytes()
    d = dossier_receive_at_counter(
        world,
        components=[
            services.ComponentData(
                document_id=form.pk,
                paper_presented=True,
                file=SimpleUploadedFile("don.pdf", content, content_type="application/pdf"),
            ),
            services.ComponentData(name="Giấy ủy quyền", paper_presented=True),
        ],
    )
    assert d.state == DossierState.ACCEPTED
    assert d.status == DvcqgStatus.ACCEPTED
    assert d.current_step is not None
    assert d.current_step.assignee_id == world.lan.pk
    rows = list(d.components.order_by("order"))
    assert [(c.name, c.required, c.paper_presented) for c in rows] == [
        (form.name, True, True),
        (proof.name, False, False),
        ("Giấy ủy quyền", False, True),
    ]
    assert rows[0].file_sha256 == hashlib.sha256(content).hexdigest()
    assert rows[0].file.read() == content
    assert d.fees_total == 50_000
    assert not d.fees_paid
    assert d.fees.get().amount_vnd == 50_000


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("don.pdf", upload_files.HTML, "Tệp «don.pdf» không phải tệp PDF, JPG hoặc PNG"),
        ("don.pdf", upload_files.CORRUPT_PDF, "Tệp «don.pdf» bị hỏng"),
        ("anh.png", upload_files.png_bomb(), "Ảnh «anh.png» quá lớn"),
    ],
    ids=["html", "corrupt-pdf", "image-bomb"],
)
def test_a_refused_file_creates_no_dossier_and_stores_nothing(
    world: World, settings, tmp_path, name: str, content: bytes, message: str
) -> None:
    """The engine checks every file (core.uploads) before storing any: a good scan beside a bad one
    is not written either, and the error names the component's position in the input."""
    settings.MEDIA_ROOT = tmp_path
    form, proof = list(world.procedure.documents.order_by("order"))
    good = SimpleUploadedFile("tot.pdf", upload_files.pdf_bytes(), content_type="application/pdf")
    bad = SimpleUploadedFile(name, content, content_type="application/pdf")
    with pytest.raises(services.DossierInvalid) as refused:
        dossier_receive_at_counter(
            world,
            components=[
                services.ComponentData(document_id=form.pk, file=good),
                services.ComponentData(document_id=proof.pk, file=bad),
            ],
        )
    assert message in refused.value.errors["components.1"]
    assert not Dossier.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_an_image_is_stored_re_encoded_under_the_name_of_its_real_kind(
    world: World, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    form = world.procedure.documents.order_by("order").first()
    assert form is not None
    content = upload_files.image_bytes("JPEG", exif_make="MayAnhGianDiep")
    upload = SimpleUploadedFile("anh-chup.pdf", content, content_type="application/pdf")
    d = dossier_receive_at_counter(
        world, components=[services.ComponentData(document_id=form.pk, file=upload)]
    )
    component = d.components.get(catalog_document=form)
    stored = component.file.read()
    assert stored != content
    assert b"MayAnhGianDiep" not in stored
    assert component.file.name.endswith(".jpg")
    assert component.file_sha256 == hashlib.sha256(stored).hexdigest()


def test_a_failed_receipt_leaves_no_stored_file(world: World, settings, tmp_path, monkeypatch) -> None:
    """Storage is not transactional: the scans saved before a failure are deleted with the rollback."""
    settings.MEDIA_ROOT = tmp_path
    form = world.procedure.documents.order_by("order").first()
    assert form is not None

    def exploding_fees(*args, **kwargs):
        raise RuntimeError("lỗi sau khi đã lưu tệp")

    monkeypatch.setattr(receipt, "_fees_create", exploding_fees)
    upload = SimpleUploadedFile("don.pdf", upload_files.pdf_bytes(), content_type="application/pdf")
    with pytest.raises(RuntimeError):
        dossier_receive_at_counter(
            world, components=[services.ComponentData(document_id=form.pk, file=upload)]
        )
    assert not Dossier.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_files_of_an_inner_success_go_when_the_outer_transaction_fails(
    world: World, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    form = world.procedure.documents.order_by("order").first()
    assert form is not None
    upload = SimpleUploadedFile("don.pdf", upload_files.pdf_bytes(), content_type="application/pdf")

    def receive_then_fail() -> None:
        with services.uploads_removed_on_failure(), transaction.atomic():
            dossier_receive_at_counter(
                world, components=[services.ComponentData(document_id=form.pk, file=upload)]
            )
            assert [p for p in tmp_path.rglob("*") if p.is_file()]  # stored by the inner receipt
            raise RuntimeError("the caller's transaction fails afterwards")

    with pytest.raises(RuntimeError):
        receive_then_fail()
    assert not Dossier.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_component_of_another_procedure_is_refused(world: World) -> None:
    other = world.province_procedure.documents.get(order=1)
    with pytest.raises(services.DossierInvalid):
        dossier_receive_at_counter(world, components=[services.ComponentData(document_id=other.pk)])
    assert not Dossier.objects.exists()


# --- routing and step resolution ------------------------------------------------------------------


def test_commune_procedure_routes_to_the_centres_commune_or_the_chosen_one(world: World) -> None:
    assert dossier_receive_at_counter(world).competent_unit == world.commune_a
    # Received anywhere (tiếp nhận không phụ thuộc địa giới): Hạ Long's centre, Bãi Cháy decides.
    d = dossier_receive_at_counter(world, chosen_unit=world.centre_b)
    assert d.competent_unit == world.commune_b
    with pytest.raises(services.DossierInvalid, match="vui lòng chọn UBND xã"):
        dossier_receive_at_counter(world, by=world.ngoc, receiving_unit=world.province_centre)


def test_province_procedure_goes_to_the_department_named_in_the_catalogue(world: World) -> None:
    d = dossier_receive_at_counter(world, procedure=world.province_procedure)
    assert d.competent_unit == world.department
    assert d.current_unit == world.centre_a  # reception at the centre where the citizen came
    d = services.dossier_forward(actor=world.lan, dossier=d, row_version=d.row_version)
    assert d.current_unit == world.department
    assert d.current_step is not None
    assert d.current_step.role == "specialist"
    assert d.current_assignee is None  # the department's pool
    d = services.dossier_claim(actor=world.mai, dossier=d, row_version=d.row_version)
    assert d.current_assignee == world.mai


# --- idempotent online submission -----------------------------------------------------------------


def test_same_idempotency_key_returns_the_same_dossier(world: World) -> None:
    first = dossier_submit(world, key="abc")
    jobs = Job.objects.count()
    again = dossier_submit(world, key="abc")
    assert again.pk == first.pk
    assert Dossier.objects.count() == 1
    assert DossierEvent.objects.count() == 1
    assert Job.objects.count() == jobs
    other_citizen = services.dossier_submit_online(
        applicant_user=cast(Account, UserFactory(citizen=True)),
        procedure=world.procedure,
        receiving_unit=world.centre_a,
        applicant=APPLICANT,
        components=complete_components(world.procedure),
        idempotency_key="abc",
    )
    assert other_citizen.pk != first.pk  # keys are scoped to the applicant


def test_online_submission_query_count(world: World, django_assert_max_num_queries) -> None:
    """The receipt path stays lean (it was 30+ queries): with the procedure as the API loads it
    (``selectors.procedure_for_receipt``), one query per table written, no re-read of the process,
    the counter, the components or the dossier. Savepoints (the service's atomic block and one for the
    event's outbox jobs, ``job_enqueue_many``) are counted separately."""
    from motcua.dossiers.selectors import procedure_for_receipt

    procedure = procedure_for_receipt(code=world.procedure.code)
    components = [services.ComponentData(document_id=procedure.documents.all()[0].pk)]
    # idempotency check, code counter (one upsert), dossier, components, fees, event, dossier head
    # update, and one INSERT per subscriber's job (a few precompiled INSERTs cost less than one
    # bulk INSERT: jobs.services._FEW_ROWS) — however many extensions subscribe to a submission.
    with django_assert_max_num_queries(16) as captured:
        d = dossier_submit(world, key="count", procedure=procedure, components=components)
    statements = [q["sql"] for q in captured.captured_queries]
    data = [sql for sql in statements if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    jobs = [sql for sql in data if sql.startswith('INSERT INTO "jobs_job"')]
    assert 1 <= len(jobs) <= 4, "\n".join(jobs)
    assert len(data) - len(jobs) <= 7, "\n".join(data)
    # What the answer and the DVCQG payload read was kept in memory, and it is what was stored.
    assert [c.name for c in d.components.all()] == [
        c.name for c in Dossier.objects.get(pk=d.pk).components.order_by("order")
    ]
    sync = Job.objects.get(name=DOSSIER_SYNC, payload__dossier_id=d.pk)
    assert sync.payload["snapshot"]["data"]["TrangThaiHoSo"] == DvcqgStatus.NEW
    assert len(sync.payload["snapshot"]["data"]["TaiLieuNop"]) == d.components.count()
    assert sync.payload["snapshot"]["data"]["DanhSachHoSoBoSung"] == []
    assert DossierCodeCounter.objects.get(unit=world.centre_a).last_number == 1


def test_online_submission_needs_a_login(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(services.DossierPermissionDenied):
        services.dossier_submit_online(
            applicant_user=AnonymousUser(),
            procedure=world.procedure,
            receiving_unit=world.centre_a,
            applicant=APPLICANT,
            idempotency_key="k",
        )


# --- process paths --------------------------------------------------------------------------------


def test_full_happy_path_states_and_statuses(world: World) -> None:
    d = dossier_submit(world)
    seen = [(d.state, d.status)]
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    seen.append((d.state, d.status))
    d = dossier_advance(world, d, to="returned")
    seen.append((d.state, d.status))
    assert seen == [("submitted", 1), ("accepted", 2), ("returned", 10)]
    assert d.decision == Decision.APPROVED
    assert d.signature_reference == "QD-123/2026"
    assert not d.is_open
    assert d.returned_at is not None
    actions = list(DossierEvent.objects.filter(dossier=d).values_list("action", flat=True))
    assert actions == [
        "submit",
        "accept",
        "forward",
        "forward",
        "approve",
        "record_signature",
        "mark_result_ready",
        "return_result",
    ]
    steps = list(DossierStep.objects.filter(dossier=d).values_list("name", "status"))
    assert [name for name, _ in steps] == [
        "Tiếp nhận hồ sơ",
        "Thẩm định",
        "Phê duyệt",
        "Ký số",
        "Trả kết quả",
    ]
    assert {status for _, status in steps} == {StepStatus.DONE}


def test_send_back_keeps_history_and_returns_to_the_previous_handler(world: World) -> None:
    d = dossier_at(world, "approval")
    d = services.dossier_send_back(
        actor=world.hung, dossier=d, row_version=d.row_version, reason="Bổ sung căn cứ"
    )
    steps = list(DossierStep.objects.filter(dossier=d).order_by("seq"))
    assert [(s.name, s.status) for s in steps] == [
        ("Tiếp nhận hồ sơ", "done"),
        ("Thẩm định", "done"),
        ("Phê duyệt", "sent_back"),
        ("Thẩm định", "active"),
    ]
    assert d.current_assignee == world.minh
    assert d.state == DossierState.PROCESSING
    with pytest.raises(services.DossierInvalid):
        services.dossier_send_back(
            actor=world.minh, dossier=d, row_version=d.row_version, reason="x", to_step_order=3
        )


def test_reject_leads_to_a_negative_result_that_is_signed_and_returned(world: World) -> None:
    d = dossier_at(world, "approval")
    d = services.dossier_reject(
        actor=world.hung, dossier=d, row_version=d.row_version, reason="Không đủ điều kiện"
    )
    assert d.decision == Decision.REJECTED
    assert d.state_reason == "Không đủ điều kiện"
    d = services.dossier_record_signature(
        actor=world.hoa, dossier=d, signer=world.hung, signature_reference="CV-9", row_version=d.row_version
    )
    d = services.dossier_mark_result_ready(actor=world.hoa, dossier=d, row_version=d.row_version)
    d = services.dossier_return_result(actor=world.lan, dossier=d, row_version=d.row_version)
    assert d.status == DvcqgStatus.RETURNED
    assert d.decision == Decision.REJECTED


def test_reject_needs_a_reason_and_signer_must_be_a_leader(world: World) -> None:
    d = dossier_at(world, "approval")
    with pytest.raises(services.DossierInvalid):
        services.dossier_reject(actor=world.hung, dossier=d, row_version=d.row_version, reason=" ")
    d = services.dossier_approve(actor=world.hung, dossier=d, row_version=d.row_version)
    with pytest.raises(services.DossierInvalid, match="Người ký phải là lãnh đạo"):
        services.dossier_record_signature(
            actor=world.hoa, dossier=d, signer=world.minh, signature_reference="x", row_version=d.row_version
        )


def test_transfer_to_another_unit_and_back(world: World) -> None:
    d = dossier_at(world, "transferred")
    assert d.state == DossierState.TRANSFERRED
    assert d.current_unit == world.department
    assert d.transfer_origin_unit == world.commune_a
    d = services.dossier_transfer_back(
        actor=world.mai, dossier=d, row_version=d.row_version, note="Đủ điều kiện"
    )
    assert d.state == DossierState.PROCESSING
    assert d.current_unit == world.commune_a
    assert d.current_step is not None
    assert d.current_step.name == "Thẩm định"
    assert d.current_assignee == world.minh
    assert d.transfer_origin_unit is None


def test_forward_to_an_official_without_the_role_is_refused(world: World) -> None:
    d = dossier_at(world, "received")
    before = Dossier.objects.get(pk=d.pk).row_version
    with pytest.raises(services.DossierInvalid, match="không có vai trò"):
        services.dossier_forward(actor=world.lan, dossier=d, row_version=d.row_version, assignee=world.binh)
    assert Dossier.objects.get(pk=d.pk).row_version == before
    assert DossierStep.objects.filter(dossier=d).count() == 1


def test_withdrawal_by_reception_on_behalf_and_stop(world: World) -> None:
    d = dossier_at(world, "supplement")
    d = services.dossier_withdraw(
        actor=world.lan, dossier=d, row_version=d.row_version, reason="Công dân xin rút"
    )
    assert d.status == DvcqgStatus.WITHDRAWN
    assert not d.is_open
    assert d.paused_at is None
    assert d.pauses.get().ended_at is not None
    data = DossierEvent.objects.get(dossier=d, seq=d.event_count).data
    assert data == {"on_behalf": True, "row": data["row"]}  # "row": where it left the dossier (§29)
    d2 = dossier_at(world, "appraisal")
    d2 = services.dossier_stop(actor=world.hung, dossier=d2, row_version=d2.row_version, reason="Tranh chấp")
    assert d2.status == DvcqgStatus.STOPPED
    assert d2.steps.get(seq=2).status == StepStatus.CANCELLED


# --- transactional outbox -------------------------------------------------------------------------


def test_jobs_are_enqueued_with_the_change(world: World) -> None:
    d = dossier_at(world, "received")
    names = set(Job.objects.filter(payload__dossier_id=d.pk).values_list("name", flat=True))
    # SMS and Zalo are off in tests.
    assert names == {DOSSIER_SYNC, APPLICANT_EMAIL, APPLICANT_INBOX, AGGREGATES}
    sync = Job.objects.get(name=DOSSIER_SYNC, payload__dossier_id=d.pk)
    assert sync.payload["snapshot"]["data"]["MaHoSo"] == d.code
    assert sync.payload["snapshot"]["data"]["TrangThaiHoSo"] == 2


def test_rolled_back_transition_leaves_no_job_and_no_event(world: World) -> None:
    d = dossier_at(world, "received")
    jobs, events = Job.objects.count(), DossierEvent.objects.count()

    class Boom(Exception):
        pass

    def forward_then_fail() -> None:
        with transaction.atomic():
            services.dossier_forward(actor=world.lan, dossier=d, row_version=d.row_version)
            raise Boom

    with pytest.raises(Boom):
        forward_then_fail()
    assert (Job.objects.count(), DossierEvent.objects.count()) == (jobs, events)
    assert Dossier.objects.get(pk=d.pk).state == DossierState.ACCEPTED


def test_failure_after_the_first_job_rolls_back_everything(world: World, monkeypatch) -> None:
    d = dossier_at(world, "received")
    jobs = Job.objects.count()
    real = events.job_enqueue_many

    def enqueue_then_fail(requests, **kwargs):
        real(requests, **kwargs)  # both jobs of the event (sync + notification) are inserted, then it fails
        if any(r.name == APPLICANT_EMAIL for r in requests):
            raise RuntimeError("notification backend exploded")

    monkeypatch.setattr(events, "job_enqueue_many", enqueue_then_fail)
    with pytest.raises(RuntimeError):
        services.dossier_request_supplement(
            actor=world.lan, dossier=d, row_version=d.row_version, items=["Giấy tờ"], reason="Thiếu"
        )
    assert Job.objects.count() == jobs
    fresh = Dossier.objects.get(pk=d.pk)
    assert fresh.state == DossierState.ACCEPTED
    assert fresh.event_count == d.event_count
    assert not fresh.pauses.exists()


# --- complete dossiers only (issue 8 point 9) -----------------------------------------------------


def test_counter_receipt_missing_a_required_component_is_refused_and_creates_nothing(world: World) -> None:
    optional = world.procedure.documents.get(order=2)
    required = world.procedure.documents.get(order=1)
    for components in (
        [],  # nothing ticked: the dossier of the issue
        [services.ComponentData(document_id=optional.pk, paper_presented=True)],
        [services.ComponentData(document_id=required.pk, paper_presented=False)],  # listed, not shown
    ):
        with pytest.raises(services.DossierInvalid) as exc:
            dossier_receive_at_counter(world, components=components)
        assert exc.value.errors["components.document_1"] == (
            "Thiếu thành phần bắt buộc: Đơn đề nghị (mẫu 01)."
        )
        assert "1. Đơn đề nghị (mẫu 01)" in exc.value.errors["components"]
        assert "mẫu 02" in exc.value.errors["components"]
    assert not Dossier.objects.exists()
    assert not DossierCodeCounter.objects.exists()
    assert not Job.objects.exists()


def test_counter_receipt_with_the_required_scan_only_is_complete(world: World, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    required = world.procedure.documents.get(order=1)
    scan = SimpleUploadedFile("don.pdf", upload_files.pdf_bytes(), content_type="application/pdf")
    d = dossier_receive_at_counter(
        world, components=[services.ComponentData(document_id=required.pk, file=scan)]
    )
    assert d.state == DossierState.ACCEPTED


def test_online_submission_missing_a_required_component_is_refused(world: World) -> None:
    with pytest.raises(services.DossierInvalid) as exc:
        dossier_submit(world, components=[])
    assert set(exc.value.errors) == {"components", "components.document_1"}
    assert not Dossier.objects.exists()
    # Online the applicant's list is the submission: listing the document is providing it.
    required = world.procedure.documents.get(order=1)
    d = dossier_submit(world, components=[services.ComponentData(document_id=required.pk)])
    assert d.state == DossierState.SUBMITTED


def test_procedure_without_catalogue_documents_needs_one_named_component(world: World) -> None:
    procedure = procedure_with_process(documents=False)
    with pytest.raises(services.DossierInvalid) as exc:
        dossier_receive_at_counter(world, procedure=procedure, components=[])
    assert exc.value.errors == {
        "components": "Danh mục chưa công bố thành phần hồ sơ của thủ tục này: vui lòng ghi tên ít nhất "
        "một giấy tờ người nộp đã nộp."
    }
    d = dossier_receive_at_counter(
        world,
        procedure=procedure,
        components=[services.ComponentData(name="Tờ khai đề nghị", paper_presented=True)],
    )
    assert [c.name for c in d.components.all()] == ["Tờ khai đề nghị"]


# --- procedures without a processing time (issue 8 point 13) --------------------------------------


def test_online_submission_is_closed_for_a_procedure_without_processing_time(world: World) -> None:
    procedure = procedure_with_process(timed=False)
    with pytest.raises(services.DossierInvalid) as exc:
        dossier_submit(world, procedure=procedure)
    assert set(exc.value.errors) == {"procedure"}
    assert "chưa được công bố thời hạn giải quyết" in exc.value.errors["procedure"]
    assert "nộp hồ sơ trực tiếp" in exc.value.errors["procedure"]
    assert not Dossier.objects.exists()


def test_counter_receipt_without_processing_time_requires_an_appointment_and_reason(world: World) -> None:
    procedure = procedure_with_process(timed=False)
    with pytest.raises(services.DossierInvalid) as exc:
        dossier_receive_at_counter(world, procedure=procedure)
    assert set(exc.value.errors) == {"appointment_at", "appointment_reason"}
    cases = {
        vn(2026, 3, 2, 8): "phải sau thời điểm tiếp nhận",  # earlier today (now is Monday 09:00)
        vn(2026, 3, 7, 10): "không phải ngày làm việc",  # Saturday
        vn(2026, 3, 9, 20): "Giờ hẹn trả phải trong giờ làm việc (08:00–12:00, 13:00–17:00).",
        vn(2099, 12, 31, 10): "Ngày hẹn trả quá xa: không được sau 02/03/2027",  # a typing slip
    }
    for appointment, message in cases.items():
        with pytest.raises(services.DossierInvalid) as exc:
            dossier_receive_at_counter(
                world, procedure=procedure, appointment_at=appointment, appointment_reason="Theo quy định"
            )
        assert message in exc.value.errors["appointment_at"]
    assert not Dossier.objects.exists()


def test_counter_receipt_without_processing_time_records_the_appointment(world: World) -> None:
    procedure = procedure_with_process(timed=False)
    reason = "Theo Điều 5 Nghị định 61/2018, thời hạn 5 ngày làm việc do lãnh đạo phường quyết định."
    d = dossier_receive_at_counter(
        world, procedure=procedure, appointment_at=vn(2026, 3, 9, 16), appointment_reason=f"  {reason} "
    )
    d.refresh_from_db()
    assert d.due_at == d.original_due_at == vn(2026, 3, 9, 16)
    assert d.appointment_reason == reason
    event = DossierEvent.objects.get(dossier=d, seq=1)
    assert event.data["appointment_set_by_officer"] is True
    assert event.data["appointment_reason"] == reason
    assert event.data["due_at"] == "2026-03-09T16:00:00+07:00"
    # The due time works like any other: overdue once it has passed.
    from motcua.dossiers import deadlines

    assert Dossier.objects.filter(deadlines.overdue_q(now=vn(2026, 3, 9, 17))).get() == d
    assert not Dossier.objects.filter(deadlines.overdue_q(now=vn(2026, 3, 9, 15))).exists()


def test_appointment_is_refused_for_a_procedure_with_processing_time(world: World) -> None:
    with pytest.raises(services.DossierInvalid) as exc:
        dossier_receive_at_counter(world, appointment_at=vn(2026, 3, 9, 16), appointment_reason="x")
    assert set(exc.value.errors) == {"appointment_at"}


def test_supplement_restarts_an_appointed_dossier_with_its_full_appointed_time(world: World) -> None:
    procedure = procedure_with_process(timed=False)
    d = dossier_receive_at_counter(
        world, procedure=procedure, appointment_at=vn(2026, 3, 4, 9), appointment_reason="Hai ngày làm việc"
    )
    d = dossier_advance(world, d, to="appraisal")
    with time_machine.travel(vn(2026, 3, 3, 9), tick=False):
        d = services.dossier_request_supplement(
            actor=world.minh,
            dossier=d,
            row_version=d.row_version,
            items=[services.RequestedItem("Bản sao giấy khai sinh")],
            reason="Thiếu giấy tờ",
        )
    with time_machine.travel(vn(2026, 3, 10, 9), tick=False):
        d = services.dossier_receive_supplement(
            actor=world.lan, dossier=d, row_version=d.row_version, components=[], note=""
        )
    # Two working days again from Tuesday 10/3 09:00.
    assert d.due_at == vn(2026, 3, 12, 9)
