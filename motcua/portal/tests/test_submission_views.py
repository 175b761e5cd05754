"""The online submission wizard, page by page, as citizen An (and others who must not get in)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from motcua.catalog.models import Procedure, ServiceLevel
from motcua.datastore.models import DocumentOrigin, DocumentReuse, StoredDocument
from motcua.datastore.services import stored_document_upload
from motcua.dossiers.models import Dossier, DossierComponent, DvcqgStatus
from motcua.org.tests.factories import UserFactory
from motcua.portal.models import DraftStep, SubmissionDraft
from motcua.portal.tests.factories import APPLICANT_POST, draft_to_review, online_world, pdf_upload, step


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return online_world()


@pytest.fixture
def an(client, world):
    client.force_login(world.an)
    return world.an


def test_procedure_page_offers_online_submission_only_when_eligible(client, world):
    url = reverse("catalog:procedure_detail", args=[world.procedure.code])
    page = client.get(url).content.decode()
    assert reverse("portal:submit_start", args=[world.procedure.code]) in page
    Procedure.objects.filter(pk=world.procedure.pk).update(service_level=ServiceLevel.PARTIAL_ONLINE)
    page = client.get(url).content.decode()
    assert reverse("portal:submit_start", args=[world.procedure.code]) not in page
    assert "Thủ tục trực tuyến một phần" in page


def test_anonymous_goes_to_login_and_official_is_refused(client, world):
    url = reverse("portal:submit_start", args=[world.procedure.code])
    assert client.get(url)["Location"].startswith("/dang-nhap?next=")
    client.force_login(world.lan)
    assert client.get(url).status_code == 403


def test_ineligible_procedure_refused_with_the_same_reason(client, world, an):
    Procedure.objects.filter(pk=world.procedure.pk).update(service_level=ServiceLevel.OFFLINE)
    response = client.post(reverse("portal:submit_start", args=[world.procedure.code]))
    assert response.status_code == 403
    assert "chưa cung cấp dịch vụ công trực tuyến" in response.content.decode()
    assert not SubmissionDraft.objects.exists()


def test_applicant_step_prefilled_from_the_account(client, world, an):
    response = client.post(reverse("portal:submit_start", args=[world.procedure.code]))
    draft = SubmissionDraft.objects.get(owner=an)
    assert response["Location"] == step(draft, "nguoi-nop")
    page = client.get(step(draft, "nguoi-nop")).content.decode()
    assert "Tự động điền từ tài khoản định danh" in page
    assert f'value="{an.personal_id}"' in page
    assert f'value="{an.full_name}"' in page
    assert world.centre_a.name in page
    assert world.province_centre.name in page


def test_bad_applicant_input_gives_vietnamese_errors_and_changes_nothing(client, world, an):
    client.post(reverse("portal:submit_start", args=[world.procedure.code]))
    draft = SubmissionDraft.objects.get(owner=an)
    before = dict(draft.applicant)
    response = client.post(
        step(draft, "nguoi-nop"),
        APPLICANT_POST | {"name": "", "email": "khong-phai-email", "receiving_unit": str(world.commune_a.pk)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Vui lòng chọn nơi tiếp nhận hồ sơ" in page  # a committee is not a receiving centre
    assert 'aria-invalid="true"' in page
    draft.refresh_from_db()
    assert draft.applicant == before
    assert draft.step == DraftStep.APPLICANT
    assert draft.receiving_unit is None


def test_later_steps_wait_for_earlier_ones(client, world, an):
    client.post(reverse("portal:submit_start", args=[world.procedure.code]))
    draft = SubmissionDraft.objects.get(owner=an)
    assert client.get(step(draft, "xem-lai"))["Location"] == step(draft, "nguoi-nop")


def test_form_step_rejects_bad_answers(client, world, an):
    client.post(reverse("portal:submit_start", args=[world.procedure.code]))
    draft = SubmissionDraft.objects.get(owner=an)
    client.post(step(draft, "nguoi-nop"), APPLICANT_POST | {"receiving_unit": str(world.centre_a.pk)})
    page = client.get(step(draft, "to-khai")).content.decode()
    assert 'maxlength="2000"' in page
    assert 'minlength="5"' in page
    assert "required" in page
    response = client.post(step(draft, "to-khai"), {"noi_dung": "abc"})
    assert response.status_code == 400
    assert "Nội dung yêu cầu giải quyết phải có ít nhất 5 ký tự." in response.content.decode()
    draft.refresh_from_db()
    assert draft.answers == {}
    assert draft.step == DraftStep.FORM


def test_documents_step_refuses_non_pdf_and_missing_required(client, world, an):
    client.post(reverse("portal:submit_start", args=[world.procedure.code]))
    draft = SubmissionDraft.objects.get(owner=an)
    client.post(step(draft, "nguoi-nop"), APPLICANT_POST | {"receiving_unit": str(world.centre_a.pk)})
    client.post(step(draft, "to-khai"), {"noi_dung": "Đề nghị cấp giấy phép."})
    required = world.procedure.documents.get(required=True)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("don.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        step(draft, "giay-to"), {"action": f"upload:{required.pk}", f"file_{required.pk}": fake}
    )
    assert response.status_code == 400
    assert "không phải tệp PDF" in response.content.decode()
    assert not draft.components.exists()
    response = client.post(step(draft, "giay-to"), {"action": "next"})
    assert response.status_code == 400
    assert f"Vui lòng tải lên hoặc dùng lại giấy tờ: {required.name}" in response.content.decode()


def test_file_over_the_portal_limit_refused(client, world, an, settings):
    settings.MOTCUA_PORTAL_UPLOAD_MAX_BYTES = 100
    client.post(reverse("portal:submit_start", args=[world.procedure.code]))
    draft = SubmissionDraft.objects.get(owner=an)
    client.post(step(draft, "nguoi-nop"), APPLICANT_POST | {"receiving_unit": str(world.centre_a.pk)})
    client.post(step(draft, "to-khai"), {"noi_dung": "Đề nghị cấp giấy phép."})
    required = world.procedure.documents.get(required=True)
    response = client.post(
        step(draft, "giay-to"), {"action": f"upload:{required.pk}", f"file_{required.pk}": pdf_upload()}
    )
    assert response.status_code == 400
    assert "(giới hạn mỗi tệp)" in response.content.decode()


def test_review_shows_fee_and_submit_creates_one_dossier(client, world, an):
    draft = draft_to_review(client, world)
    assert draft.step == DraftStep.REVIEW
    page = client.get(step(draft, "xem-lai")).content.decode()
    assert "50.000" in page
    assert "Lệ phí cấp giấy phép" in page
    send = reverse("portal:submit_send", args=[world.procedure.code, draft.pk])
    first = client.post(send)
    second = client.post(send)  # double click / retry
    assert first.status_code == second.status_code == 302
    dossier = Dossier.objects.get(applicant_user=an)
    assert dossier.status == DvcqgStatus.NEW
    assert dossier.receiving_unit == world.centre_a
    assert dossier.summary == "Đề nghị cấp giấy phép thử nghiệm cho hộ gia đình."
    assert DossierComponent.objects.filter(dossier=dossier).exclude(file="").count() == 1
    done = client.get(first["Location"]).content.decode()
    assert dossier.code in done
    assert "Hẹn trả kết quả" in done
    # Submitted drafts leave the list and cannot be edited any more.
    assert client.get(step(draft, "nguoi-nop"))["Location"] == first["Location"]
    assert draft.procedure.name not in client.get(reverse("portal:drafts")).content.decode()


def test_reused_document_counted_and_offered(client, world, an):
    stored = stored_document_upload(owner=an, name="Giấy tờ chứng minh (nếu có)", file=pdf_upload("cm.pdf"))
    draft = draft_to_review(client, world)
    optional = world.procedure.documents.get(required=False)
    page = client.get(step(draft, "giay-to")).content.decode()
    assert "Dùng lại" in page
    assert f'value="{stored.pk}"' in page
    client.post(
        step(draft, "giay-to"), {"action": f"reuse:{optional.pk}", f"stored_{optional.pk}": str(stored.pk)}
    )
    client.post(step(draft, "giay-to"), {"action": "next"})
    client.post(reverse("portal:submit_send", args=[world.procedure.code, draft.pk]))
    dossier = Dossier.objects.get(applicant_user=an)
    reuse = DocumentReuse.objects.get(dossier=dossier)
    assert reuse.document == stored
    assert reuse.component_name == optional.name
    assert DossierComponent.objects.get(dossier=dossier, catalog_document=optional).file


def test_reusing_someone_elses_document_is_refused(client, world, an):
    other = UserFactory(citizen=True)
    theirs = stored_document_upload(owner=other, name="Giấy tờ chứng minh (nếu có)", file=pdf_upload())
    draft = draft_to_review(client, world)
    optional = world.procedure.documents.get(required=False)
    response = client.post(
        step(draft, "giay-to"), {"action": f"reuse:{optional.pk}", f"stored_{optional.pk}": str(theirs.pk)}
    )
    assert response.status_code == 400
    assert not draft.components.filter(document=optional).exists()


def test_another_citizen_cannot_open_or_submit_my_draft(client, world, an):
    draft = draft_to_review(client, world)
    client.force_login(UserFactory(citizen=True))
    for name in ("nguoi-nop", "to-khai", "giay-to", "xem-lai"):
        assert client.get(step(draft, name)).status_code == 404
    assert (
        client.post(reverse("portal:submit_send", args=[world.procedure.code, draft.pk])).status_code == 404
    )
    assert client.post(reverse("portal:draft_discard", args=[draft.pk])).status_code == 404
    assert not Dossier.objects.exists()


def test_drafts_list_resume_and_discard(client, world, an, django_assert_max_num_queries):
    for _ in range(3):
        client.post(reverse("portal:submit_start", args=[world.procedure.code]))  # resumes, no second draft
    draft = SubmissionDraft.objects.get(owner=an)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("portal:drafts")).content.decode()
    assert world.procedure.name in page
    assert step(draft, "nguoi-nop") in page
    assert 'href="/nop-truc-tuyen/dang-soan"' in client.get("/").content.decode()  # the navigation link
    client.post(reverse("portal:draft_discard", args=[draft.pk]))
    assert not SubmissionDraft.objects.exists()


def test_expired_drafts_are_not_listed(client, world, an):
    from datetime import timedelta

    from django.utils import timezone

    client.post(reverse("portal:submit_start", args=[world.procedure.code]))
    SubmissionDraft.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert world.procedure.name not in client.get(reverse("portal:drafts")).content.decode()
    from motcua.portal.services import drafts_expired_delete

    assert drafts_expired_delete(now=timezone.now()) == 1
    assert not SubmissionDraft.objects.exists()
    out = io.StringIO()
    call_command("expire_drafts", stdout=out)
    assert "đã xoá: 0" in out.getvalue()


def test_collected_documents_reach_the_store(client, world, an):
    from motcua.datastore.services import stored_documents_collect

    draft = draft_to_review(client, world)
    client.post(reverse("portal:submit_send", args=[world.procedure.code, draft.pk]))
    dossier = Dossier.objects.get(applicant_user=an)
    stored_documents_collect(dossier_id=dossier.pk)
    stored_documents_collect(dossier_id=dossier.pk)  # a retried job adds nothing
    doc = StoredDocument.objects.get(owner=an)
    component = DossierComponent.objects.exclude(file="").get(dossier=dossier)
    assert doc.origin == DocumentOrigin.DOSSIER
    assert doc.file.name == component.file.name


def test_form_01_reachable_from_the_success_page_once_accepted(client, world, an):
    from motcua.dossiers import services

    draft = draft_to_review(client, world)
    client.post(reverse("portal:submit_send", args=[world.procedure.code, draft.pk]))
    done = reverse("portal:submit_done", args=[world.procedure.code, draft.pk])
    dossier = Dossier.objects.get(applicant_user=an)
    url = reverse("portal:my_dossier_form_pdf", args=[dossier.code, "01"])
    page = client.get(done).content.decode()
    assert url not in page
    assert "sẽ có trong trang hồ sơ khi hồ sơ được tiếp nhận" in page
    services.dossier_accept(actor=world.lan, dossier=dossier, row_version=dossier.row_version)
    assert url in client.get(done).content.decode()
    pdf = client.get(url)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_procedure_form_rendered_with_html_validation_and_checked_on_the_server(client, world, an):
    import json

    from django.conf import settings as django_settings

    from motcua.portal.models import FormDefinition

    shipped = json.loads((django_settings.PROJECT_DIR / "data" / "forms" / "2.000986.json").read_text())
    FormDefinition.objects.create(procedure=world.procedure, schema=shipped["schema"], ui=shipped["ui"])
    client.post(reverse("portal:submit_start", args=[world.procedure.code]))
    draft = SubmissionDraft.objects.get(owner=an)
    client.post(step(draft, "nguoi-nop"), APPLICANT_POST | {"receiving_unit": str(world.centre_a.pk)})
    page = client.get(step(draft, "to-khai")).content.decode()
    assert 'pattern="^[0-9]{12}$"' in page
    assert 'type="date"' in page
    assert 'type="radio"' in page
    response = client.post(
        step(draft, "to-khai"),
        {
            "ho_ten_tre": "Nguyễn Bình An",
            "so_dinh_danh_me": "12345",
            "cap_the_bhyt": "on",
            "gioi_tinh_tre": "Nam",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Số định danh cá nhân của mẹ gồm đúng 12 chữ số." in page
    assert "Vui lòng nhập ngày sinh của trẻ." in page
    assert 'value="Nguyễn Bình An"' in page  # what was typed stays
    assert 'name="cap_the_bhyt" checked' in page
    draft.refresh_from_db()
    assert draft.answers == {}
    ok = {
        "ho_ten_tre": "Nguyễn Bình An",
        "ngay_sinh_tre": "2026-05-01",
        "gioi_tinh_tre": "Nam",
        "noi_sinh": "Bệnh viện Bãi Cháy",
        "ho_ten_me": "Trần Thị Mai",
        "noi_thuong_tru": "Tổ 1, khu 2, phường Hạ Long",
        "cap_the_bhyt": "on",
    }
    assert client.post(step(draft, "to-khai"), ok)["Location"] == step(draft, "giay-to")
    draft.refresh_from_db()
    assert draft.answers["cap_the_bhyt"] is True
    assert draft.form_version == 1


def test_applicant_step_prefilled_from_the_population_database(client, world, standins_on):
    """A citizen of the population database (stand-in process): name, date of birth and permanent
    address come from the registry, the number, phone and e-mail from the identity account; the
    lookup is audited as the wizard's."""
    from motcua.accounts.services import citizen_account_ensure
    from motcua.population.models import PopulationLookup

    citizen = citizen_account_ensure(
        personal_id="022090001234", full_name="Nguyen Van An", phone="0912345678"
    )
    client.force_login(citizen)
    client.post(reverse("portal:submit_start", args=[world.procedure.code]))
    draft = SubmissionDraft.objects.get(owner=citizen)
    assert draft.applicant["name"] == "Nguyễn Văn An"
    assert draft.applicant["birth_date"] == "1990-03-15"
    assert draft.applicant["address"].startswith("Số 12 đường Lê Thánh Tông")
    assert {"name", "birth_date", "address", "id_number", "phone"} <= set(draft.prefilled)
    page = client.get(step(draft, "nguoi-nop")).content.decode()
    assert "CSDL quốc gia về dân cư" in page
    lookup = PopulationLookup.objects.filter(personal_id="022090001234").latest("pk")
    assert lookup.actor_id == citizen.pk
