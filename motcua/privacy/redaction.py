"""Personal data kept out of logs and error reports.

- ``redact``: identity numbers (CCCD, 12 digits; old ID cards, 9 digits), tax codes, Vietnamese phone
  numbers and e-mail addresses in a text replaced by a placeholder.
- ``PersonalDataLogFilter``: a logging filter (``settings.LOGGING``) passing every record's message
  through ``redact`` — a developer's ``logger.info("SMS tới %s", phone)`` writes ``[số điện thoại]``.
- ``PersonalDataExceptionReporterFilter`` (``DEFAULT_EXCEPTION_REPORTER_FILTER``): the error page and
  the report e-mail hide every POST value and the local variables that hold an applicant's data.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

# Order matters: e-mails first (their local part may hold digits), tax codes of dependent units
# (their 10 first digits would pass for a phone), then phones (a leading 0 / +84 and
# 9–10 digits, spaces or dots allowed between groups), then the bare runs of digits.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[thư điện tử]"),
    # Tax code (10 digits, optionally «-» and 3), CCCD (12), old ID card (9): whole runs of digits only,
    # so dossier codes (000.22.07.H49-251122-0007), amounts with separators and years are left alone.
    (re.compile(r"(?<![\w.-])\d{10}-\d{3}(?![\w])"), "[mã số thuế]"),
    (
        re.compile(r"(?<![\w.])(?:\+84|84|0)(?:[\s.-]?\d){9,10}(?![\d])"),
        "[số điện thoại]",
    ),
    (re.compile(r"(?<![\w.-])(?:\d{12}|\d{10}|\d{9})(?![\w-])"), "[số định danh]"),
)


def redact(text: str) -> str:
    """``text`` with identity numbers, phone numbers and e-mail addresses replaced by placeholders."""
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text


class PersonalDataLogFilter(logging.Filter):
    """Redact the formatted message of every record; the record is always kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


# Local variables (in any frame of a traceback) whose values are an applicant's data or carry it.
_PERSONAL_NAMES = re.compile(
    r"(?i)(applicant|personal_id|id_number|identity|phone|email|e_mail|address|birth|full_name|"
    r"so_cuoi|verifier|answers|payload|cleaned_data|person|subject|tax_code|ma_so)"
)


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, active in development too, hiding all POST values and personal variables."""

    def is_active(self, request: HttpRequest | None) -> bool:
        return True

    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, Any]:
        # Every form of the system may carry an applicant's data: no POST value is worth that risk in
        # an e-mail. The names stay, which is what a developer needs to reproduce.
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        cleansed = []
        for name, value in variables:
            if _PERSONAL_NAMES.search(name):
                value = self.cleansed_substitute
            elif isinstance(value, str):
                value = redact(value)
            cleansed.append((name, value))
        return cleansed
