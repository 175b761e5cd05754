"""``check --deploy`` refuses the sandbox bank and its credentials in production."""

from __future__ import annotations

from typing import Any

from motcua.payments.checks import check_payment_gateways


def _ids(errors: list[Any]) -> list[str]:
    return sorted(error.id for error in errors)


def test_the_development_defaults_point_at_the_sandbox_bank_and_are_refused(settings: Any) -> None:
    settings.MOTCUA_PAYMENT_GATEWAYS = ["vnpay", "dvcqg"]
    assert _ids(check_payment_gateways(None)) == [
        "motcua.E021",
        "motcua.E021",
        "motcua.E022",
        "motcua.E023",
        "motcua.E024",
    ]


def test_real_gateways_with_their_own_credentials_pass(settings: Any) -> None:
    settings.MOTCUA_PAYMENT_GATEWAYS = ["vnpay", "dvcqg"]
    settings.MOTCUA_VNPAY_URL = "https://pay.vnpay.vn/vpcpay.html"
    settings.MOTCUA_VNPAY_API_URL = "https://merchant.vnpay.vn/merchant_webapi/api/transaction"
    settings.MOTCUA_VNPAY_TMN_CODE, settings.MOTCUA_VNPAY_HASH_SECRET = "QNINH001", "a-real-secret"
    settings.MOTCUA_DVCQG_PAYMENT_URL = "https://thanhtoan.dichvucong.gov.vn"
    settings.MOTCUA_DVCQG_PAYMENT_CLIENT_ID, settings.MOTCUA_DVCQG_PAYMENT_SECRET = "qn", "another-secret"
    assert check_payment_gateways(None) == []


def test_only_the_offered_gateways_are_checked_and_unknown_ones_named(settings: Any) -> None:
    settings.MOTCUA_PAYMENT_GATEWAYS = ["dvcqg", "momo"]
    settings.MOTCUA_DVCQG_PAYMENT_URL = "https://thanhtoan.dichvucong.gov.vn"
    settings.MOTCUA_DVCQG_PAYMENT_CLIENT_ID, settings.MOTCUA_DVCQG_PAYMENT_SECRET = "qn", "another-secret"
    (error,) = check_payment_gateways(None)
    assert error.id == "motcua.E020"
    assert "momo" in error.msg
