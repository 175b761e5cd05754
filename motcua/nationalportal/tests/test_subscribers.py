"""DVCQG synchronisation as a subscriber: a snapshot per visible event, taken when the event happened."""

from __future__ import annotations

from motcua.dossiers import services
from motcua.dossiers.models import DvcqgStatus
from motcua.dossiers.tests.factories import World, dossier_at
from motcua.jobs import delivery
from motcua.jobs.models import Job, JobStatus
from motcua.nationalportal.subscribers import DOSSIER_SYNC


def _sync_jobs(dossier_id: int) -> list[Job]:
    return list(Job.objects.filter(name=DOSSIER_SYNC, payload__dossier_id=dossier_id).order_by("pk"))


def test_each_visible_event_is_synchronised_with_the_dossier_as_it_was_then(world: World) -> None:
    d = dossier_at(world, "appraisal")
    d = services.dossier_request_supplement(
        actor=world.minh, dossier=d, row_version=d.row_version, items=["Tờ khai"], reason="Thiếu"
    )
    services.dossier_receive_supplement(actor=world.lan, dossier=d, row_version=d.row_version)
    by_seq = {job.payload["event_seq"]: job.payload["snapshot"] for job in _sync_jobs(d.pk)}
    request, received = by_seq[d.event_count], by_seq[d.event_count + 1]
    assert request["service"] == "DongBoHoSoMC"
    assert request["data"]["TrangThaiHoSo"] == DvcqgStatus.SUPPLEMENT
    assert request["data"]["DanhSachHoSoBoSung"][0]["DanhSachGiayTo"] == ["Tờ khai"]
    assert request["data"]["DanhSachHoSoBoSung"][0]["NgayBoSung"] == ""
    assert received["data"]["TrangThaiHoSo"] == DvcqgStatus.IN_PROGRESS
    assert received["data"]["DanhSachHoSoBoSung"][0]["NgayBoSung"] != ""


def test_internal_hand_outs_are_not_sent(world: World) -> None:
    d = dossier_at(world, "received")
    before = len(_sync_jobs(d.pk))
    d = services.dossier_forward(actor=world.lan, dossier=d, row_version=d.row_version)
    services.dossier_claim(actor=world.minh, dossier=d, row_version=d.row_version)
    assert len(_sync_jobs(d.pk)) == before + 1  # the forward, not the claim


def test_the_sync_job_runs_to_completion(world: World) -> None:
    d = dossier_at(world, "submitted")
    (job,) = _sync_jobs(d.pk)
    assert delivery.jobs_run_due(job_ids=[job.pk]) == ["done"]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
