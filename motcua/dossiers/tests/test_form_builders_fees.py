"""Form 01 item 7 (phí, lệ phí): the fee due as received, never 0 for an unknown amount nor a sum."""

from __future__ import annotations

import pytest

from motcua.dossiers import form_builders as fb
from motcua.dossiers.tests.factories import World
from motcua.dossiers.tests.test_services_receipt_fees import THUONG_TRU, receive, with_schedule


@pytest.mark.parametrize(
    ("lines", "text"),
    [
        (THUONG_TRU, "20.000 đồng"),
        ([{"name": "Lệ phí", "amount_vnd": None, "note": ""}], "Chưa công bố mức thu"),
        ([{"name": "Lệ phí", "amount_vnd": 0, "note": ""}], "Miễn phí"),
        (
            [
                {"name": "Phí A", "amount_vnd": 30000, "note": ""},
                {"name": "Phí B", "amount_vnd": None, "note": ""},
            ],
            "Tạm tính: 30.000 đồng (có khoản chưa công bố mức thu)",
        ),
    ],
)
def test_receipt_fee_text(world: World, lines, text: str) -> None:
    d = receive(world, with_schedule(lines))
    assert fb.receipt_form_build(dossier=d, tracking_url="http://x/").fee_text == text
