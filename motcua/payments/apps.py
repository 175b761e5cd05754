from __future__ import annotations

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Fees and online payment — thu phí, lệ phí và thanh toán trực tuyến (gateways, receipts)."""

    name = "motcua.payments"
    label = "payments"
    verbose_name = "Thanh toán phí, lệ phí"

    def ready(self) -> None:
        # The gateways' deploy checks (sandbox bank refused in production).
        from motcua.payments import checks  # noqa: F401
