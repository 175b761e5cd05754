"""E-mail to the applicant, run through the real job delivery (the ``applicant_email`` subscriber)."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at
from motcua.jobs import delivery
from motcua.jobs.models import Job, JobStatus
from motcua.notifications import messages
from motcua.notifications.subscribers import APPLICANT_EMAIL


def _deliver_notifications(d: Dossier) -> list[Job]:
    """Run every pending notification job of ``d`` as a worker would; return them (done)."""
    jobs = list(Job.objects.filter(name=APPLICANT_EMAIL, payload__dossier_id=d.pk).order_by("pk"))
    pending = [job.pk for job in jobs if job.status == JobStatus.PENDING]
    assert delivery.jobs_run_due(job_ids=pending) == ["done"] * len(pending)
    return jobs


def test_online_submission_mails_the_applicant(world: World, settings) -> None:
    settings.MOTCUA_PUBLIC_BASE_URL = "https://dichvucong.quangninh.gov.vn"
    d = dossier_at(world, "submitted")
    (job,) = _deliver_notifications(d)
    (message,) = mail.outbox
    assert message.to == ["an@example.test"]
    assert message.subject == f"Hồ sơ {d.code} đã nộp trực tuyến, chờ tiếp nhận"
    assert message.body.startswith("Kính gửi Ông/Bà Nguyễn Văn An,\n\n")
    assert f"\nMã hồ sơ: {d.code}\n" in message.body
    assert f"https://dichvucong.quangninh.gov.vn/tra-cuu/{d.code}" in message.body
    assert world.procedure.name in message.body
    assert message.extra_headers["Message-ID"].startswith(f"<notifications.applicant_email.{d.pk}.1@")
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE


def test_supplement_request_lists_the_items_and_keeps_its_snapshot(world: World) -> None:
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_at(world, "appraisal")
        d = services.dossier_request_supplement(
            actor=world.minh,
            dossier=d,
            row_version=d.row_version,
            items=["Bản sao giấy khai sinh | bản chụp bị mờ"],
            reason="Thiếu giấy tờ",
        )
        # The applicant supplements before the worker gets to the message: it still tells the request.
        services.dossier_receive_supplement(actor=world.lan, dossier=d, row_version=d.row_version)
    mail.outbox.clear()
    _deliver_notifications(d)
    subjects = [m.subject for m in mail.outbox]
    assert f"Hồ sơ {d.code} cần bổ sung, hoàn thiện" in subjects
    assert f"Hồ sơ {d.code} đã nhận hồ sơ bổ sung" in subjects
    request = next(m for m in mail.outbox if "cần bổ sung" in m.subject)
    assert "Bản sao giấy khai sinh" in request.body
    assert "Lý do: Thiếu giấy tờ" in request.body


def test_counter_receipt_gives_the_appointment(world: World) -> None:
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_at(world, "received")
    mail.outbox.clear()
    _deliver_notifications(d)
    (message,) = mail.outbox
    assert "đã được tiếp nhận" in message.subject
    assert "Thời gian hẹn trả kết quả:" in message.body


def test_no_email_address_sends_nothing_and_completes_the_job(world: World) -> None:
    d = dossier_at(world, "submitted")
    Dossier.objects.filter(pk=d.pk).update(applicant_email="")
    mail.outbox.clear()
    (job,) = _deliver_notifications(d)
    assert mail.outbox == []
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE


def test_a_mail_server_failure_is_retried(world: World, settings) -> None:
    settings.EMAIL_BACKEND = "motcua.notifications.tests.test_subscribers.FailingBackend"
    d = dossier_at(world, "submitted")
    job = Job.objects.get(name=APPLICANT_EMAIL, payload__dossier_id=d.pk)
    assert delivery.jobs_run_due(job_ids=[job.pk]) == ["failed attempt 1"]
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING  # waiting for its next attempt, with backoff
    assert job.attempts == 1
    assert "máy chủ thư" in job.last_error


class FailingBackend:
    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: object) -> int:
        raise ConnectionError("máy chủ thư không phản hồi")


def test_the_letter_is_vietnamese_even_where_english_is_active(world: World) -> None:
    """An official may work in English (the cookie); the applicant's letter never changes language."""
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_at(world, "payment")
    mail.outbox.clear()
    with translation.override("en"):
        _deliver_notifications(d)
    request = next(m for m in mail.outbox if "nghĩa vụ tài chính" in m.subject)
    assert " đồng" in request.body
    assert "VND" not in request.body


class SMTPServer(socketserver.ThreadingTCPServer):
    """A minimal SMTP server on loopback: counts connections, keeps each message's recipients.

    ``close_after_message``: hang up after every message, as a server that drops idle connections does.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *, close_after_message: bool = False) -> None:
        self.connections = 0
        self.messages: list[str] = []
        self.close_after_message = close_after_message
        super().__init__(("127.0.0.1", 0), _SMTPSession)


class _SMTPSession(socketserver.StreamRequestHandler):
    server: SMTPServer

    def handle(self) -> None:
        self.server.connections += 1
        self._reply("220 test ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith("EHLO") or command.startswith("HELO"):
                self._reply("250 test")
            elif command.startswith("RCPT"):
                recipients.append(line.decode().split(":", 1)[1].strip())
                self._reply("250 OK")
            elif command == "DATA":
                self._reply("354 end with .")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                self.server.messages.extend(recipients)
                recipients = []
                self._reply("250 queued")
                if self.server.close_after_message:
                    return
            elif command == "QUIT":
                self._reply("221 bye")
                return
            else:  # MAIL, RSET, NOOP
                self._reply("250 OK")

    def _reply(self, text: str) -> None:
        self.wfile.write(f"{text}\r\n".encode())


@pytest.fixture
def smtp_server(settings) -> Iterator[Callable[..., SMTPServer]]:
    servers: list[SMTPServer] = []

    def start(**options: Any) -> SMTPServer:
        server = SMTPServer(**options)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address[:2]
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
    messages._smtp = None  # the kept connection belonged to this server


def test_the_worker_sends_every_message_over_one_smtp_connection(world: World, smtp_server) -> None:
    server = smtp_server()
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_at(world, "payment")
    jobs = _deliver_notifications(d)
    assert len(jobs) >= 2
    assert len(server.messages) == len(jobs)
    assert server.connections == 1


def test_a_connection_the_server_closed_is_opened_again(world: World, smtp_server) -> None:
    server = smtp_server(close_after_message=True)
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_at(world, "payment")
    jobs = _deliver_notifications(d)  # every job done at its first attempt
    assert len(server.messages) == len(jobs)
    assert server.connections == len(jobs)


def test_accepted_online_dossier_mails_form_01(world: World, settings) -> None:
    settings.MOTCUA_PUBLIC_BASE_URL = "https://dichvucong.quangninh.gov.vn"
    d = dossier_at(world, "submitted")
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    _deliver_notifications(d)
    submitted, accepted = mail.outbox
    assert submitted.attachments == []  # not received yet: no receipt to send
    ((name, content, mimetype),) = accepted.attachments
    assert name == f"mau-01-giay-tiep-nhan-{d.code}.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
