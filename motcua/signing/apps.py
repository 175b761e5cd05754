from __future__ import annotations

from django.apps import AppConfig


class SigningConfig(AppConfig):
    """Electronic results — ký số kết quả: PAdES signatures, the development PKI, verification."""

    name = "motcua.signing"
    label = "signing"
    verbose_name = "Ký số kết quả"

    def ready(self) -> None:
        # The action "Ký số kết quả" joins the engine's registry here, before any URL (the API's
        # per-action operations) is loaded.
        from motcua.signing.actions import sign_result_register

        sign_result_register()
