"""No personal data in logs, error reports or URLs."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter, get_default_exception_reporter_filter

from motcua.dossiers.tests.factories import World, dossier_at
from motcua.privacy.redaction import PersonalDataExceptionReporterFilter, PersonalDataLogFilter, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CCCD 022090001234 đã tra cứu", "CCCD [số định danh] đã tra cứu"),
        ("SMS tới 0912345678 [k]", "SMS tới [số điện thoại] [k]"),
        ("gọi +84 912 345 678 nhé", "gọi [số điện thoại] nhé"),
        ("máy bàn 0203.3835.123", "máy bàn [số điện thoại]"),
        ("thư an.nguyen+1@example.vn", "thư [thư điện tử]"),
        ("MST 0100109106-001", "MST [mã số thuế]"),
        ("CMND cũ 123456789", "CMND cũ [số định danh]"),
        # Not personal: dossier codes, amounts, years, ids, times.
        ("hồ sơ 000.22.07.H49-251122-0007", "hồ sơ 000.22.07.H49-251122-0007"),
        ("lệ phí 1.500.000 đồng năm 2026, job 12345", "lệ phí 1.500.000 đồng năm 2026, job 12345"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_the_log_filter_is_on_every_console_record() -> None:
    logging_config: dict[str, Any] = settings.LOGGING
    assert "personal_data" in logging_config["handlers"]["console"]["filters"]
    record = logging.LogRecord(
        "motcua.x", logging.INFO, __file__, 1, "SMS tới %s: %s", ("0912345678", "ok"), None
    )
    assert PersonalDataLogFilter().filter(record) is True
    assert record.getMessage() == "SMS tới [số điện thoại]: ok"


def _report(request: Any) -> str:
    applicant_id_number = "022090001234"  # noqa: F841 - a local the report must hide
    note = "gọi 0912345678"  # noqa: F841 - a string local: redacted
    try:
        raise ValueError("boom")
    except ValueError:
        return ExceptionReporter(request, *sys.exc_info()).get_traceback_text()


def test_error_reports_hide_post_values_and_personal_variables() -> None:
    assert isinstance(get_default_exception_reporter_filter(), PersonalDataExceptionReporterFilter)
    request = RequestFactory().post("/can-bo/tiep-nhan/x/", {"applicant_phone": "0987654321", "summary": "a"})
    text = _report(request)
    assert "applicant_phone" in text
    for secret in ("0987654321", "022090001234", "0912345678"):
        assert secret not in text


def test_tracking_digits_count_in_a_post_body_only(world: World) -> None:
    d = dossier_at(world, "received")
    client = Client()
    # ?ma=CODE (the receipt's QR code) goes to the dossier; the digits in a query string are ignored.
    response = client.get("/tra-cuu", {"ma": d.code, "so_cuoi": "1234"})
    assert response.status_code == 302
    assert response["Location"].endswith(d.code)
    assert "1234" not in response["Location"]


def test_the_api_searches_by_identity_number_in_a_post_body(world: World) -> None:
    from motcua.dossiers.tests.factories import APPLICANT
    from motcua.identity.services import api_token_create

    d = dossier_at(world, "received")
    _row, raw = api_token_create(user=world.lan, name="một cửa")
    response = Client().post(
        "/api/v1/dossiers/search",
        {"q": APPLICANT.id_number},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200
    assert [item["code"] for item in response.json()["items"]] == [d.code]
