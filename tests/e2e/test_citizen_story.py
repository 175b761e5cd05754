"""The citizen's whole story, in real browsers — hành trình đầy đủ của công dân trên cổng dịch vụ công.

No shortcut: nobody is signed in by a planted session cookie. The citizens log in through the sandbox
identity provider (``node sandbox/idp/server.js``, a real OpenID Connect provider process: authorization
code + PKCE, its own Vietnamese login and consent pages, sending the browser back to the live server's
callback); the officials log in at /can-bo/dang-nhap with their password. Each person has their own
browser context; the citizens use a phone (390 px), the officials a desktop.

    An (citizen)   logs in, stores a paper in «Kho dữ liệu», submits online: the applicant step is
                   prefilled, one document uploaded, the stored one reused («Dùng lại») → status 1
    Lan            accepts the online dossier (Tiếp nhận hồ sơ), forwards it to Minh
    Minh           asks for a supplement naming one paper
    An             reads it in «Thông báo» and «Hồ sơ của tôi», uploads the paper → processing again
    Minh, Hùng,    forward, approve, record the signature (with the signed result PDF when the form
    Hoa, Lan       asks for it), complete the result, return it at the counter
    An             downloads the result (or form 01 when the dossier keeps no result file), rates it
    Bình (citizen) logs in too: An's dossier is "not found" for her and absent from her list

The notification jobs are run by the test where the worker process would (``jobs_run_due``), so the
inbox is filled by the same code the worker runs.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pypdf import PdfWriter

from motcua.accounts.models import Account
from motcua.catalog.models import Procedure, ServiceLevel
from motcua.core.tests.upload_files import pdf_bytes
from motcua.datastore.models import DocumentReuse, StoredDocument
from motcua.dossiers.models import Dossier, DossierState, DvcqgStatus
from motcua.dossiers.services import ApplicantData
from motcua.dossiers.tests.factories import World, dossier_receive_at_counter
from motcua.feedback.models import Rating
from motcua.jobs import delivery
from motcua.jobs.models import Job
from motcua.notifications.subscribers import APPLICANT_INBOX
from tests.e2e.conftest import PHONE
from tests.e2e.support import Shots, act, field_in_open_form, in_ci, login, open_from_queue, page_width
from tests.sandbox_idp import DEMO_PASSWORD, SandboxIdp, demo_identities, idp_start

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - depends on the environment
    if in_ci():
        raise
    pytest.skip("e2e: thiếu gói Python `playwright` (pip install -e '.[dev]')", allow_module_level=True)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

AN = "022090001234"  # Nguyễn Văn An, data/demo/citizens.json
BINH = "022192004567"  # Trần Thị Bình, same household, not the applicant
DUNG = "022085002468"  # Lê Quang Dũng
REQUESTED = "Bản sao giấy khai sinh"
SIGNATURE_REFERENCE = "27/GP-UBND"
# What the parallel work on result files adds to "Ghi nhận chữ ký số" and to the citizen's page; the
# story uses them when they are there, and form 01 otherwise.
RESULT_FILE_LABEL = "Tệp kết quả đã ký số (PDF)"
RESULT_LINK = "Tải kết quả (PDF)"


@pytest.fixture(scope="module")
def live_idp(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxIdp]:
    """The sandbox provider, sending browsers back to this worker's live server."""
    idp = idp_start(
        redirect_uris=[f"{live_server.url}/dang-nhap/vneid/callback"],
        post_logout_redirect_uris=[f"{live_server.url}/"],
        log_dir=Path(tmp_path_factory.mktemp("idp")),
    )
    yield idp
    idp.stop()


@pytest.fixture
def story_world(e2e_world: World, live_idp: SandboxIdp, settings: Any) -> World:
    """The engine's test world, its procedure full-online, the portal's login on the sandbox provider."""
    settings.MOTCUA_OIDC_ISSUER = live_idp.issuer
    settings.MOTCUA_OIDC_CLIENT_ID = live_idp.client_id
    settings.MOTCUA_OIDC_CLIENT_SECRET = live_idp.client_secret
    Procedure.objects.filter(pk=e2e_world.procedure.pk).update(service_level=ServiceLevel.FULL_ONLINE)
    return e2e_world


def citizen_login(page: Page, identifier: str) -> str:
    """Log in through the provider's own pages as a person would; the name shown in the header."""
    name = str(demo_identities()[identifier]["full_name"])
    page.goto("/dang-nhap")
    page.get_by_role("link", name="Đăng nhập bằng tài khoản định danh điện tử (VNeID)").click()
    expect(page.get_by_text("Cổng định danh điện tử — môi trường thử nghiệm")).to_be_visible()
    page.get_by_label("Số định danh cá nhân hoặc mã số thuế (tổ chức)").fill(identifier)
    page.get_by_label("Mật khẩu", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chia sẻ thông tin")
    page.get_by_role("button", name="Đồng ý").click()
    # Back on our site (the phone's menu holds the account's name).
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("button", name="Menu").click()
    expect(nav.get_by_text(name)).to_be_visible()
    nav.get_by_role("button", name="Menu").click()
    return name


def open_my_dossiers(page: Page) -> None:
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Hồ sơ của tôi").click()
    expect(page.get_by_role("heading", level=1, name="Hồ sơ của tôi")).to_be_visible()


def inbox_deliver() -> None:
    """What the job worker would do next: deliver the applicants' inbox notifications now due."""
    delivery.jobs_run_due(job_ids=list(Job.objects.filter(name=APPLICANT_INBOX).values_list("pk", flat=True)))


def choose(page: Page, label: str, option: str) -> Callable[[], None]:
    """An action form's filler: pick ``option`` in the open form's select labelled ``label``."""

    def fill() -> None:
        field_in_open_form(page, label).select_option(label=option)

    return fill


def signed_result_pdf(code: str) -> bytes:
    """A small real PDF standing for the signed result (its metadata names the dossier)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"Giấy phép — hồ sơ {code}", "/Author": "UBND phường Hạ Long"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_citizen_logs_in_submits_answers_a_supplement_downloads_the_result_and_rates(
    story_world: World, new_page: Callable[..., Page], shots: Shots, tmp_path: Path
) -> None:
    world = story_world
    procedure = world.procedure
    required = procedure.documents.get(required=True)
    optional = procedure.documents.get(required=False)
    proof = tmp_path / "giay-to-chung-minh.pdf"
    proof.write_bytes(pdf_bytes(pages=2))
    application = tmp_path / "don-de-nghi.pdf"
    application.write_bytes(pdf_bytes())
    birth_certificate = tmp_path / "giay-khai-sinh.pdf"
    birth_certificate.write_bytes(pdf_bytes(pages=3))

    # --- 1. An logs in with the national identity, on his phone ---------------------------------------
    an = new_page(phone=True)
    name = citizen_login(an, AN)
    account = Account.objects.get(personal_id=AN)
    assert account.full_name == name

    # --- 2a. He keeps a paper in his data store ------------------------------------------------------
    an.goto("/kho-du-lieu")
    expect(an.get_by_role("heading", level=1, name="Kho dữ liệu điện tử")).to_be_visible()
    an.get_by_label("Loại giấy tờ").fill(optional.name)
    an.get_by_label("Cơ quan cấp").fill("UBND phường Hạ Long")
    an.get_by_label("Tệp (PDF, JPEG, PNG; tối đa 10 MB)").set_input_files(str(proof))
    an.get_by_role("button", name="Lưu vào kho").click()
    expect(an.get_by_role("status")).to_contain_text(f"Đã lưu «{optional.name}» vào kho dữ liệu.")
    expect(an.get_by_role("listitem").filter(has_text=optional.name)).to_contain_text("UBND phường Hạ Long")
    assert page_width(an) <= PHONE["width"]
    shots.take(an, "an-kho-du-lieu")
    stored = StoredDocument.objects.get(owner=account)

    # --- 2b. …and submits the full-online procedure through the wizard ------------------------------
    an.goto(f"/thu-tuc/{procedure.code}")
    an.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    an.get_by_role("button", name="Bắt đầu soạn hồ sơ").click()
    expect(an.get_by_label("Họ và tên / Tên tổ chức")).to_have_value(name)
    expect(an.get_by_text("Tự động điền từ tài khoản định danh").first).to_be_visible()
    an.get_by_label("Số điện thoại").fill("0912345678")
    an.get_by_label("Thư điện tử").fill("nguyen.van.an@example.vn")
    an.get_by_label("Nơi tiếp nhận hồ sơ").select_option(label=world.centre_a.name)
    assert page_width(an) <= PHONE["width"]
    shots.take(an, "an-nguoi-nop")
    an.get_by_role("button", name="Lưu và tiếp tục").click()

    an.get_by_label("Nội dung yêu cầu giải quyết").fill("Đề nghị cấp giấy phép thử nghiệm cho hộ gia đình.")
    an.get_by_role("button", name="Lưu và tiếp tục").click()

    an.locator(f"#file-{required.pk}").set_input_files(str(application))
    an.locator(f"#doc-{required.pk}").get_by_role("button", name="Tải lên", exact=True).click()
    expect(an.locator(f"#doc-{required.pk}")).to_contain_text("Đã tải lên: don-de-nghi.pdf")
    an.locator(f"#doc-{optional.pk}").get_by_role("button", name="Dùng lại").click()
    expect(an.locator(f"#doc-{optional.pk}")).to_contain_text("Dùng lại từ kho dữ liệu")
    assert page_width(an) <= PHONE["width"]
    shots.take(an, "an-giay-to")
    an.get_by_role("button", name="Tiếp tục: xem lại hồ sơ").click()

    expect(an.get_by_text("Lệ phí cấp giấy phép: 50.000")).to_be_visible()
    expect(an.get_by_text(world.centre_a.name)).to_be_visible()
    shots.take(an, "an-xem-lai")
    an.get_by_role("button", name="Nộp hồ sơ").click()
    expect(an.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ trực tuyến")
    code = an.locator("[data-dossier-code]").inner_text().strip()
    shots.take(an, "an-da-nop")

    dossiers = Dossier.objects.filter(applicant_user=account)
    assert dossiers.count() == 1
    dossier = dossiers.get()
    assert dossier.code == code
    assert dossier.status == DvcqgStatus.NEW
    assert dossier.receiving_unit == world.centre_a
    reuse = DocumentReuse.objects.get(dossier=dossier)
    assert (reuse.document, reuse.component_name) == (stored, optional.name)

    # --- 3. Lan accepts the online dossier and forwards it; Minh asks for a supplement ---------------
    lan = new_page()
    login(lan, world.lan)
    open_from_queue(lan, code, tab="Chờ nhận")
    lan.get_by_role("button", name="Tiếp nhận hồ sơ", exact=True).click()
    expect(lan.get_by_role("status")).to_contain_text("Đã thực hiện «Tiếp nhận hồ sơ» cho hồ sơ")
    act(
        lan,
        "Chuyển bước tiếp theo",
        choose(lan, "Cán bộ xử lý bước tiếp theo", "Trần Văn Minh"),
    )
    shots.take(lan, "lan-tiep-nhan")

    minh = new_page()
    login(minh, world.minh)
    open_from_queue(minh, code)

    def supplement_request() -> None:
        field_in_open_form(minh, "Giấy tờ, nội dung cần bổ sung").fill(f"{REQUESTED} | Bản chứng thực")
        field_in_open_form(minh, "Lý do yêu cầu bổ sung").fill("Hồ sơ thiếu giấy khai sinh của người đề nghị")

    act(minh, "Yêu cầu bổ sung hồ sơ", supplement_request)
    shots.take(minh, "minh-yeu-cau-bo-sung")
    dossier.refresh_from_db()
    assert dossier.status == DvcqgStatus.SUPPLEMENT

    # --- 4. An reads the request and answers it: the clock restarts ----------------------------------
    inbox_deliver()
    an.goto("/")
    an.get_by_role("button", name="Menu").click()
    an.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name=re.compile(r"^Thông báo \(\d+ chưa đọc\)$")
    ).click()
    expect(an.get_by_role("heading", level=1, name="Thông báo")).to_be_visible()
    notice = an.get_by_role("link", name=f"Hồ sơ {code} cần bổ sung, hoàn thiện")
    expect(notice).to_be_visible()
    assert page_width(an) <= PHONE["width"]
    shots.take(an, "an-thong-bao")

    open_my_dossiers(an)
    row = an.get_by_role("listitem").filter(has_text=code)
    expect(row).to_contain_text("Yêu cầu bổ sung giấy tờ")
    row.get_by_role("link", name=procedure.name).click()
    expect(an.get_by_role("heading", level=1)).to_contain_text(code)
    supplement = an.get_by_role("region", name="Giấy tờ cần bổ sung")
    expect(supplement).to_contain_text(REQUESTED)
    assert page_width(an) <= PHONE["width"]
    shots.take(an, "an-yeu-cau-bo-sung")
    supplement.get_by_label(f"Tệp: {REQUESTED}").set_input_files(str(birth_certificate))
    supplement.get_by_role("button", name="Nộp hồ sơ bổ sung").click()
    expect(an.get_by_role("status").first).to_contain_text("Đã nộp hồ sơ bổ sung")
    expect(an.get_by_role("region", name="Giấy tờ cần bổ sung")).to_have_count(0)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.PROCESSING
    assert dossier.status == DvcqgStatus.IN_PROGRESS
    assert dossier.components.filter(is_supplement=True, name=REQUESTED).exclude(file="").count() == 1

    # --- 5. The officials finish ---------------------------------------------------------------------
    open_from_queue(minh, code)
    act(
        minh,
        "Chuyển bước tiếp theo",
        choose(minh, "Cán bộ xử lý bước tiếp theo", "Vũ Văn Hùng"),
    )
    hung = new_page()
    login(hung, world.hung)
    open_from_queue(hung, code)
    act(hung, "Phê duyệt", lambda: field_in_open_form(hung, "Ghi chú, ý kiến").fill("Đồng ý cấp phép."))

    hoa = new_page()
    login(hoa, world.hoa)
    open_from_queue(hoa, code, tab="Của đơn vị tôi")
    result_pdf = signed_result_pdf(code)
    result_path = tmp_path / "ket-qua-da-ky.pdf"
    result_path.write_bytes(result_pdf)
    uploaded_result = False

    def signature() -> None:
        nonlocal uploaded_result
        field_in_open_form(hoa, "Số, ký hiệu văn bản / mã tham chiếu chữ ký").fill(SIGNATURE_REFERENCE)
        result_file = field_in_open_form(hoa, RESULT_FILE_LABEL)
        if result_file.count():
            result_file.set_input_files(str(result_path))
            uploaded_result = True

    act(hoa, "Ghi nhận chữ ký số", signature)
    act(hoa, "Hoàn thành kết quả")
    shots.take(hoa, "hoa-hoan-thanh")

    open_from_queue(lan, code, tab="Của đơn vị tôi")
    act(
        lan,
        "Trả kết quả",
        # At the counter: the result recorded here was not signed in the system, and an online return
        # needs a verified electronic result (tests/e2e/test_signing_story.py signs and returns online).
        choose(lan, "Hình thức trả kết quả", "Trực tiếp tại quầy"),
    )
    shots.take(lan, "lan-tra-ket-qua")
    dossier.refresh_from_db()
    assert dossier.status == DvcqgStatus.RETURNED

    # --- 6. An downloads the result and rates the service -------------------------------------------
    an.reload()
    expect(an.locator(".track__status")).to_contain_text("Đã trả kết quả")
    result_link = an.get_by_role("link", name=RESULT_LINK)
    if uploaded_result:
        expect(an.get_by_role("region", name="Kết quả giải quyết")).to_be_visible()
        download = result_link.get_attribute("href")
        assert download
        response = an.request.get(download)  # the context's requests carry An's session cookie
        assert response.ok, response.status
        assert hashlib.sha256(response.body()).hexdigest() == hashlib.sha256(result_pdf).hexdigest()
    else:
        # No result file kept for the dossier: what An can download is the receipt (form 01).
        expect(result_link).to_have_count(0)
        form01 = an.get_by_role("link", name="Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01) (PDF)")
        download = form01.get_attribute("href")
        assert download
        response = an.request.get(download)
        assert response.ok, response.status
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF-")
    shots.take(an, "an-ket-qua")

    rating = an.get_by_role("region", name="Đánh giá mức độ hài lòng")
    rating.get_by_label("Rất hài lòng").check()
    rating.get_by_label("Ý kiến (không bắt buộc)").fill("Không phải đi lại lần nào")
    rating.get_by_role("button", name="Gửi đánh giá").click()
    expect(an.get_by_role("status").first).to_contain_text("Cảm ơn bạn đã đánh giá")
    recorded = an.get_by_role("region", name="Đánh giá mức độ hài lòng")
    expect(recorded).to_contain_text("Rất hài lòng")
    expect(recorded.get_by_role("button", name="Gửi đánh giá")).to_have_count(0)  # one rating only
    assert page_width(an) <= PHONE["width"]
    shots.take(an, "an-danh-gia")
    assert Rating.objects.filter(dossier=dossier).count() == 1
    assert Rating.objects.get(dossier=dossier).level == "rat_hai_long"

    # --- 7. Bình, another citizen, cannot see An's dossier -------------------------------------------
    binh = new_page(phone=True)
    citizen_login(binh, BINH)
    not_found = binh.goto(f"/ho-so-cua-toi/{code}")
    assert not_found is not None
    assert not_found.status == 404
    expect(binh.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
    expect(binh.locator("body")).not_to_contain_text(name)
    shots.take(binh, "binh-khong-tim-thay")
    assert binh.request.get(download).status == 404  # nor An's result / receipt
    open_my_dossiers(binh)
    expect(binh.get_by_text(code)).to_have_count(0)
    assert page_width(binh) <= PHONE["width"]


def test_a_counter_dossier_is_in_my_dossiers_at_first_login_and_still_there_after_logging_in_again(
    story_world: World, new_page: Callable[..., Page], shots: Shots
) -> None:
    """Dũng brought his papers to the counter before he ever used the portal: the dossier is his by
    his ID number, and logging out and in again finds the same account (linked by the ID number)."""
    world = story_world
    dung = demo_identities()[DUNG]
    counter = dossier_receive_at_counter(
        world,
        applicant=ApplicantData(
            name=str(dung["full_name"]),
            id_number=DUNG,
            phone=str(dung["phone"]),
            email="",
            address=str(dung["permanent_address"]),
        ),
        applicant_user=None,
    )

    page = new_page(phone=True)
    citizen_login(page, DUNG)
    open_my_dossiers(page)
    row = page.get_by_role("listitem").filter(has_text=counter.code)
    expect(row).to_contain_text("Được tiếp nhận")
    assert page_width(page) <= PHONE["width"]
    shots.take(page, "dung-ho-so-tai-quay")

    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("button", name="Menu").click()
    nav.get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("button", name="Đăng xuất khỏi Cổng định danh").click()
    nav.get_by_role("button", name="Menu").click()
    expect(nav.get_by_role("link", name="Đăng nhập")).to_be_visible()

    citizen_login(page, DUNG)
    open_my_dossiers(page)
    expect(page.get_by_role("listitem").filter(has_text=counter.code)).to_have_count(1)
    assert Account.objects.filter(personal_id=DUNG).count() == 1
