"""Proactive service: reminders before a stored document expires, once per (document, expiry date)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from motcua.catalog.models import Procedure, ServiceLevel
from motcua.core.tests.upload_files import pdf_bytes
from motcua.datastore.models import StoredDocument
from motcua.datastore.renewals import REMINDER_JOB, renewal_reminders_enqueue
from motcua.datastore.services import stored_document_upload, stored_result_record
from motcua.dossiers.tests.factories import dossier_at, world_build
from motcua.jobs import delivery
from motcua.jobs.models import Job, JobStatus
from motcua.portal.models import SubmissionDraft

TODAY = date(2026, 6, 1)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MOTCUA_RENEWAL_REMINDER_DAYS = 30
    settings.MOTCUA_PUBLIC_BASE_URL = "https://dichvucong.quangninh.gov.vn"
    return world_build()


def _pending() -> list[int]:
    return list(Job.objects.filter(name=REMINDER_JOB, status=JobStatus.PENDING).values_list("pk", flat=True))


def test_one_reminder_per_document_and_expiry(world):
    pdf = SimpleUploadedFile("gp.pdf", pdf_bytes(), content_type="application/pdf")
    soon = stored_document_upload(
        owner=world.an, name="Giấy phép", file=pdf, valid_until=TODAY + timedelta(days=10)
    )
    pdf = SimpleUploadedFile("gp2.pdf", pdf_bytes(), content_type="application/pdf")
    stored_document_upload(
        owner=world.an, name="Giấy phép khác", file=pdf, valid_until=TODAY + timedelta(days=90)
    )
    assert renewal_reminders_enqueue(today=TODAY) == 1
    assert renewal_reminders_enqueue(today=TODAY) == 0  # the same day again
    assert renewal_reminders_enqueue(today=TODAY + timedelta(days=1)) == 0  # the next day
    assert delivery.jobs_run_due(job_ids=_pending()) == ["done"]
    (message,) = mail.outbox
    assert message.to == [world.an.email]
    assert "hết hiệu lực ngày 11/06/2026" in message.body
    # Renewed: a new expiry date is a new reminder.
    StoredDocument.objects.filter(pk=soon.pk).update(valid_until=TODAY + timedelta(days=20))
    assert renewal_reminders_enqueue(today=TODAY) == 1


def test_result_reminder_starts_the_renewal_prefilled(world, client):
    dossier = dossier_at(world, "returned")
    Procedure.objects.filter(pk=dossier.procedure_id).update(service_level=ServiceLevel.FULL_ONLINE)
    result = stored_result_record(dossier_id=dossier.pk)
    StoredDocument.objects.filter(pk=result.pk).update(valid_until=TODAY + timedelta(days=5))
    out = io.StringIO()
    with time_machine.travel(datetime(2026, 6, 1, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False):
        call_command("send_renewal_reminders", stdout=out)
    assert "1 thư mới" in out.getvalue()
    assert delivery.jobs_run_due(job_ids=_pending()) == ["done"]
    link = f"/nop-truc-tuyen/{dossier.procedure.code}?gia-han={result.pk}"
    assert f"https://dichvucong.quangninh.gov.vn{link}" in mail.outbox[0].body
    client.force_login(world.an)
    assert 'name="gia-han"' in client.get(link).content.decode()
    client.post(reverse("portal:submit_start", args=[dossier.procedure.code]), {"gia-han": str(result.pk)})
    draft = SubmissionDraft.objects.get(owner=world.an)
    assert draft.answers["noi_dung"].startswith(f"Đề nghị gia hạn, cấp lại: {result.name}")
