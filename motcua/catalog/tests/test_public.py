"""Public pages and API show what a citizen should read: no internal data notes, no other provinces."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import Procedure
from motcua.catalog.public import citizen_text
from motcua.catalog.tests.factories import ProcedureFactory, ProcedureFeeFactory

# Internal notes of the real catalogue (data/catalog/detailed) that reached the public pages.
INTERNAL = [
    ("1.001193", "nên unit để null"),
    ("1.013225", "cấp xã lấy theo Quyết định 2809"),
    ("1.013225", "Đồng Nai"),
    ("2.000286", "Cao Bằng"),
    ("2.000286", "Đồng Nai"),
    ("1.004944", "Cao Bằng"),
    ("1.001699", "Đồng Nai"),
    ("2.002755", "Sơn La"),
    ("1.013978", "không có trong nguồn"),
    ("1.004222", "bản ghi chuẩn hóa"),
]


# The 31 procedures with full details (data/catalog/detailed) and wordings of provenance: the labels of
# ``ProcessSource`` and attributions to the website a value was copied from.
DETAILED = sorted(
    p.stem for p in (Path(settings.PROJECT_DIR) / "data" / "catalog" / "detailed").glob("*.json")
)
PROVENANCE = [
    "Quy trình 5 bước mặc định",
    "Quy trình được phê duyệt",
    "(dữ liệu)",
    "Nhập tay",
    "theo Cổng",
    "trích từ Cổng",
]


@pytest.mark.parametrize(
    ("text", "public"),
    [
        (
            "Tổng thời gian giải quyết TTHC: 25 ngày làm việc (cấp xã 10 ngày làm việc; cấp tỉnh 15 ngày "
            "làm việc) theo quy trình nội bộ liên thông của tỉnh Cao Bằng.",
            "Tổng thời gian giải quyết TTHC: 25 ngày làm việc (cấp xã 10 ngày làm việc; cấp tỉnh 15 ngày "
            "làm việc).",
        ),
        (
            "25 ngày làm việc kể từ ngày nhận được hồ sơ hợp lệ (thời hạn hiện hành được nêu trong phương án "
            "đơn giản hóa của tỉnh Đồng Nai năm 2025, đề xuất giảm còn 23 ngày làm việc).",
            "25 ngày làm việc kể từ ngày nhận được hồ sơ hợp lệ.",
        ),
        (
            "Nguồn không liệt kê đầy đủ thành phần; khi nộp qua mạng phải là văn bản điện tử.",
            "khi nộp qua mạng phải là văn bản điện tử.",
        ),
        ("Nguồn ghi đơn vị thời hạn là '1 ngày' nên unit để null.", ""),
        ("Xác nhận nguồn gốc sử dụng đất; hỗ trợ từ nguồn kinh phí địa phương.", None),
        ("Luật Hộ tịch 2014", None),
        (
            "07 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ "
            "(theo bản ghi chuẩn hóa từ Cổng DVC Bộ Công an).",
            "07 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
        ),
        ("Chủ tịch UBND cấp xã xác thực và chuẩn hoá thông tin với CSDL quốc gia về dân cư.", None),
        # Where the value was copied from is not a rule (1.001193's exemption); a channel "trên Cổng" is.
        (
            "Miễn phí theo Cổng DVCQG. Luật Hộ tịch 2014 Điều 11: miễn lệ phí đăng ký khai sinh đúng hạn.",
            "Miễn phí. Luật Hộ tịch 2014 Điều 11: miễn lệ phí đăng ký khai sinh đúng hạn.",
        ),
        ("Mức thu 50.000 đồng, lấy từ Cổng Dịch vụ công quốc gia.", "Mức thu 50.000 đồng."),
        ("Nộp trực tuyến trên Cổng Dịch vụ công quốc gia hoặc trực tiếp tại Bộ phận Một cửa.", None),
    ],
)
def test_citizen_text(text: str, public: str | None) -> None:
    assert citizen_text(text) == (text if public is None else public)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("real_catalogue")
class TestRealCatalogue:
    @pytest.mark.parametrize(("code", "note"), INTERNAL)
    def test_internal_notes_are_not_on_the_public_page_or_api(self, client: Client, code: str, note: str):
        """Issue 8 point 17: "Nguồn ghi … nên unit để null", "… tỉnh Đồng Nai", "… tỉnh Cao Bằng"."""
        page = client.get(reverse("catalog:procedure_detail", args=[code]))
        assert page.status_code == 200
        assert note not in page.content.decode()
        api = client.get(f"/api/v1/procedures/{code}")
        assert api.status_code == 200
        assert note not in api.content.decode()
        assert "notes" not in api.json()

    @pytest.mark.parametrize("code", DETAILED)
    def test_no_provenance_on_the_public_page_or_api(self, client: Client, code: str):
        """How the catalogue was built (default or data process, the website a value was copied from) is
        not for citizens: the process reads as Quảng Ninh's electronic process."""
        page = client.get(reverse("catalog:procedure_detail", args=[code]))
        assert page.status_code == 200
        html = page.content.decode()
        api = client.get(f"/api/v1/procedures/{code}").content.decode()
        for wording in PROVENANCE:
            assert wording not in html, (code, wording)
            assert wording not in api, (code, wording)
        if Procedure.objects.get(code=code).processes.filter(is_current=True).exists():
            assert "Quy trình điện tử áp dụng tại tỉnh Quảng Ninh" in html

    def test_the_exemption_reads_as_a_rule(self, client: Client):
        html = client.get(reverse("catalog:procedure_detail", args=["1.001193"])).content.decode()
        assert "Miễn phí." in html
        assert "Luật Hộ tịch 2014 Điều 11" in html

    def test_the_notes_stay_visible_to_admins(self, admin_client: Client):
        procedure = Procedure.objects.get(code="1.001193")
        url = reverse("admin:catalog_procedure_change", args=[procedure.pk])
        html = admin_client.get(url).content.decode()
        assert "nên unit để null" in html
        assert "nội bộ, không công khai" in html

    def test_fee_alternatives_are_shown_as_alternatives(self, client: Client):
        html = client.get(reverse("catalog:procedure_detail", args=["1.004222"])).content.decode()
        assert "không cộng dồn" in html
        assert "Khi nộp trực tiếp" in html
        assert "Khi nộp trực tuyến" in html
        assert "30.000" not in html
        fees = client.get("/api/v1/procedures/1.004222").json()["fees"]
        assert [(f["amount_vnd"], f["channel"]) for f in fees] == [(20_000, "counter"), (10_000, "online")]
        assert all("note" not in f for f in fees)

    def test_a_per_page_rate_shows_its_scale(self, client: Client):
        html = client.get(reverse("catalog:procedure_detail", args=["2.000815"])).content.decode()
        assert "2.000 đồng (mỗi trang)" in html
        assert "tối đa thu không quá 200.000 đồng/bản" in html

    def test_a_procedure_of_another_province_is_hidden_and_explained(self, client: Client):
        procedure = Procedure.objects.get(code="1.006666")  # "… trên địa bàn tỉnh Thanh Hóa."
        assert procedure.applies_here is False
        page = client.get(reverse("catalog:procedure_detail", args=[procedure.code]))
        assert page.status_code == 404
        assert "không áp dụng và không được tiếp nhận tại tỉnh Quảng Ninh" in page.content.decode()
        api = client.get(f"/api/v1/procedures/{procedure.code}")
        assert api.status_code == 404
        assert "không áp dụng tại Quảng Ninh" in api.json()["detail"]
        listed = client.get("/api/v1/procedures", {"q": "Thanh Hóa"}).json()["items"]
        assert not [item for item in listed if "Thanh Hóa" in item["name"]]
        search = client.get(reverse("catalog:procedure_search"), {"q": "đê kè Thanh Hóa"}).content.decode()
        assert f"/thu-tuc/{procedure.code}/" not in search


def test_an_address_in_another_province_is_kept() -> None:
    text = "Nộp hồ sơ tại Cục Lãnh sự, số 40 Trần Phú, Ba Đình, Hà Nội."
    assert citizen_text(text) == text


@pytest.mark.django_db
def test_fees_in_english_once_chosen_and_vietnamese_in_the_api(client: Client) -> None:
    """The fee section's own words follow the page's language; fee names and case names are data."""
    procedure = ProcedureFactory(service_level="full_online")
    ProcedureFeeFactory(
        procedure=procedure, name="Lệ phí - nộp trực tiếp", amount_vnd=20_000, channel="counter"
    )
    ProcedureFeeFactory(
        procedure=procedure, name="Lệ phí - nộp trực tuyến", amount_vnd=10_000, channel="online"
    )
    ProcedureFeeFactory(procedure=procedure, name="Phí sao chụp", amount_vnd=2_000, basis="per_page", note="")
    ProcedureFeeFactory(
        procedure=procedure,
        name="Phí cấp lại",
        amount_vnd=None,
        conditional=True,
        case_name="trường hợp cấp lại",
    )
    url = reverse("catalog:procedure_detail", args=[procedure.code])
    vietnamese = client.get(url).content.decode()
    for text in (
        "không cộng dồn",
        "Khi nộp trực tiếp",
        "2.000 đồng (mỗi trang)",
        "Chỉ thu trường hợp cấp lại",
    ):
        assert text in vietnamese, text

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(url).content.decode()
    for english in (
        "are not added up",
        "When submitted in person",
        "When submitted online",
        "2,000 VND (per page)",
        "Charged only: trường hợp cấp lại",  # the case name is the catalogue's
        "Amount not published",
        # No processing time published: online submission is not offered yet.
        "Online submission not yet available",
    ):
        assert english in html, english
    for text in (
        "không cộng dồn",
        "Khi nộp",
        "mỗi trang",
        "Chỉ thu",
        "Chưa công bố mức thu",
        "Chưa nhận hồ sơ",
    ):
        assert text not in html, text

    fees = client.get(f"/api/v1/procedures/{procedure.code}").json()["fees"]
    assert [f["applies_when"] for f in fees] == [
        "Khi nộp trực tiếp",
        "Khi nộp trực tuyến",
        "",
        "Chỉ thu trường hợp cấp lại",
    ]


@pytest.mark.django_db
def test_exemptions_and_the_not_here_page_in_english(client: Client) -> None:
    """Issue 8 point 19: "Miễn, giảm:" and the heading "Thủ tục không áp dụng tại Quảng Ninh" were left
    in Vietnamese on English pages. The exemption's text itself is the catalogue's data."""
    procedure = ProcedureFactory(service_level="full_online")
    ProcedureFeeFactory(procedure=procedure, name="Lệ phí", amount_vnd=20_000, exemption="Người có công")
    elsewhere = ProcedureFactory(applies_here=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("catalog:procedure_detail", args=[procedure.code])).content.decode()
    assert "Exemptions and reductions: Người có công" in html
    assert "Miễn, giảm" not in html
    response = client.get(reverse("catalog:procedure_detail", args=[elsewhere.code]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Procedure not applicable in Quang Ninh</h1>" in page
    assert "không áp dụng tại Quảng Ninh" not in page
