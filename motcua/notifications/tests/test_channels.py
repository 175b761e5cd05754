"""SMS (eSMS) and Zalo ZNS to the applicant, through the real job delivery, against the stand-in process."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import World, dossier_at
from motcua.jobs import delivery
from motcua.jobs.models import Job, JobStatus
from motcua.nationalportal.subscribers import DOSSIER_SYNC
from motcua.notifications import channels
from motcua.notifications.models import ChannelDelivery, DeliveryStatus
from motcua.notifications.subscribers import APPLICANT_EMAIL, APPLICANT_INBOX, APPLICANT_SMS, APPLICANT_ZALO

pytestmark = pytest.mark.django_db(transaction=True)


def _jobs(d: Dossier, name: str) -> list[Job]:
    return list(Job.objects.filter(name=name, payload__dossier_id=d.pk).order_by("pk"))


def _run(jobs: list[Job]) -> list[str]:
    return delivery.jobs_run_due(job_ids=[job.pk for job in jobs])


def _mine(standins: Any, service: str, d: Dossier) -> list[dict[str, Any]]:
    def mentions(row: dict[str, Any]) -> bool:
        content = row["content"]
        return (
            d.code in (content.get("Content") or "")
            or content.get("template_data", {}).get("dossier_code") == d.code
        )

    return [row for row in standins.messages(service) if mentions(row)]


def test_one_job_per_channel_and_none_for_a_channel_switched_off(
    world: World, standins_on: Any, settings: Any
) -> None:
    d = dossier_at(world, "received")
    # The notification channels among the event's jobs (other extensions subscribe to it too).
    assert {job.name for job in Job.objects.filter(payload__dossier_id=d.pk)} >= {
        APPLICANT_EMAIL,
        APPLICANT_SMS,
        APPLICANT_ZALO,
        APPLICANT_INBOX,
        DOSSIER_SYNC,
    }
    settings.MOTCUA_ZALO_BACKEND = "none"
    d = dossier_at(world, "received")
    assert not Job.objects.filter(payload__dossier_id=d.pk, name=APPLICANT_ZALO).exists()
    assert Job.objects.filter(payload__dossier_id=d.pk, name=APPLICANT_SMS).exists()


def test_receipt_goes_by_sms_and_zalo_once(world: World, standins_on: Any) -> None:
    d = dossier_at(world, "received")
    assert _run(_jobs(d, APPLICANT_SMS) + _jobs(d, APPLICANT_ZALO)) == ["done", "done"]
    (sms,) = _mine(standins_on, "sms", d)
    assert sms["recipient"] == "0912345678"
    assert sms["content"]["Brandname"] == "QUANGNINH"
    assert f"Ho so {d.code} da duoc tiep nhan." in sms["content"]["Content"]
    assert "Hen tra:" in sms["content"]["Content"]
    (zns,) = _mine(standins_on, "zns", d)
    assert zns["recipient"] == "84912345678"
    assert zns["content"]["template_data"]["customer_name"] == "Nguyễn Văn An"
    assert zns["content"]["template_data"]["status"] == "đã được tiếp nhận"
    assert {row.status for row in ChannelDelivery.objects.filter(dossier_code=d.code)} == {
        DeliveryStatus.SENT
    }


def test_a_done_job_run_again_sends_nothing(world: World, standins_on: Any) -> None:
    d = dossier_at(world, "received")
    jobs = _jobs(d, APPLICANT_SMS)
    _run(jobs)
    Job.objects.filter(pk=jobs[0].pk).update(status=JobStatus.PENDING, run_after=jobs[0].run_after)
    assert _run(jobs) == ["done"]
    assert len(_mine(standins_on, "sms", d)) == 1


def _crash_after_send(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker dies after the provider accepted the message, before 'sent' is written."""
    real = channels._mark

    def crash(key: str, status: DeliveryStatus, **kwargs: Any) -> None:
        if status == DeliveryStatus.SENT:
            monkeypatch.setattr(channels, "_mark", real)
            raise SystemExit("killed")
        real(key, status, **kwargs)

    monkeypatch.setattr(channels, "_mark", crash)


def test_sms_retry_after_a_crash_between_send_and_mark_sends_once(
    world: World, standins_on: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = dossier_at(world, "received")
    (job,) = _jobs(d, APPLICANT_SMS)
    _crash_after_send(monkeypatch)
    with pytest.raises(SystemExit):
        _run([job])
    assert ChannelDelivery.objects.get(key=job.idempotency_key).status == DeliveryStatus.SENDING
    # The lease of the killed worker's job runs out; the next worker takes it over and sends again with
    # the same RequestId: the provider drops the copy.
    Job.objects.filter(pk=job.pk).update(run_after=job.run_after)
    assert _run([job]) == ["done"]
    assert len(_mine(standins_on, "sms", d)) == 1
    row = ChannelDelivery.objects.get(key=job.idempotency_key)
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 2)


def test_zalo_retry_after_a_crash_is_not_sent_twice(
    world: World, standins_on: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = dossier_at(world, "received")
    (job,) = _jobs(d, APPLICANT_ZALO)
    _crash_after_send(monkeypatch)
    with pytest.raises(SystemExit):
        _run([job])
    Job.objects.filter(pk=job.pk).update(run_after=job.run_after)
    assert _run([job]) == ["done"]
    assert len(_mine(standins_on, "zns", d)) == 1
    assert ChannelDelivery.objects.get(key=job.idempotency_key).status == DeliveryStatus.UNCERTAIN


def test_provider_down_fails_the_attempt_and_the_retry_sends(
    world: World, standins_on: Any, settings: Any
) -> None:
    d = dossier_at(world, "received")
    (job,) = _jobs(d, APPLICANT_ZALO)
    settings.MOTCUA_ZALO_URL = "http://127.0.0.1:9/zalo"
    assert _run([job]) == ["failed attempt 1"]
    assert ChannelDelivery.objects.get(key=job.idempotency_key).status == DeliveryStatus.FAILED
    settings.MOTCUA_ZALO_URL = f"{standins_on.url}/zalo"
    Job.objects.filter(pk=job.pk).update(run_after=job.run_after)
    assert _run([job]) == ["done"]
    assert len(_mine(standins_on, "zns", d)) == 1


def test_wrong_credentials_are_rejected_for_good(world: World, standins_on: Any, settings: Any) -> None:
    settings.MOTCUA_SMS_SECRET_KEY = "wrong"
    d = dossier_at(world, "received")
    (job,) = _jobs(d, APPLICANT_SMS)
    assert _run([job]) == ["done"]
    assert ChannelDelivery.objects.get(key=job.idempotency_key).status == DeliveryStatus.REJECTED
    assert _mine(standins_on, "sms", d) == []


@pytest.mark.parametrize(
    ("raw", "national", "international"),
    [
        ("0912 345 678", "0912345678", "84912345678"),
        ("+84912345678", "0912345678", "84912345678"),
        ("024 3825 1234", None, None),
        ("", None, None),
    ],
)
def test_phone_forms(raw: str, national: str | None, international: str | None) -> None:
    assert channels.phone_national(raw) == national
    assert channels.phone_international(raw) == international
