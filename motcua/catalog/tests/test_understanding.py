"""Finding procedures from everyday Vietnamese (catalog.understanding, procedure_understand) on the
real catalogue with the committed vocabulary (both imported by ``real_catalogue``)."""

from __future__ import annotations

import json
import tracemalloc

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import Procedure, SearchTerm
from motcua.catalog.search import get_engine, procedure_search, procedure_understand
from motcua.catalog.services.vocabulary import search_terms_load
from motcua.catalog.understanding import UnderstandIndex
from motcua.core.services import reference_data_changed

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.usefixtures("real_catalogue")]

BIRTH = {"1.001193", "2.000986", "2.002621"}
PASSPORT = {"1.001456", "1.001471"}
VOCABULARY = django_settings.PROJECT_DIR / "data" / "catalog" / "vocabulary.json"


@pytest.fixture(autouse=True)
def _no_periodic_check(settings):
    settings.CATALOG_SEARCH_CHECK_SECONDS = 3600


def top(text: str, n: int = 3) -> list[str]:
    return [m.code for m in procedure_understand(text, limit=n)]


def search_codes(query: str, n: int = 5) -> list[str]:
    ids = procedure_search(query=query, limit=n).ids
    by_id = Procedure.objects.in_bulk(ids)
    return [by_id[i].code for i in ids]


# ---- the examples of issue 11 -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "làm giấy khai sinh cho con",
        "giấy khai sinh",
        "khai sihn",
        "con tôi mới sinh được 1 tuần, giờ muốn làm giấy tờ cho cháu thì làm thế nào",
    ],
)
def test_birth_registration_from_everyday_words(text):
    assert top(text)[0] in BIRTH


def test_passport_for_a_holiday_abroad():
    assert top("Làm hộ chiếu để đi du lịch nước ngoài")[0] in PASSPORT


# ---- folding, typos, filler, stories ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["đăng ký kết hôn", "dang ky ket hon", "DANG KY KET HON", "ddawng kys keets hoon", "dang ki ket hon"],
)
def test_accents_case_and_telex_do_not_matter(text):
    assert top(text)[0] == "1.000894"


@pytest.mark.parametrize("text", ["tam truu", "khaisinh", "ket hno"])
def test_typos_are_corrected_to_known_words(text):
    assert top(text), text


def test_filler_words_change_nothing():
    bare = top("đăng ký tạm trú")
    assert bare[0] == "1.004194"
    assert top("cho em hỏi với ạ, tôi muốn đăng ký tạm trú thì phải làm sao ở đâu ạ")[0] == bare[0]


def test_a_story_finds_the_death_registration():
    assert top("mẹ em qua đời tuần trước, gia đình cần làm thủ tục gì")[0] in {"1.000656", "2.002622"}


def test_a_very_long_message_is_cut_not_refused():
    assert top("tôi muốn đăng ký tạm trú " + "rồi sao nữa " * 400)[0] == "1.004194"


# ---- vocabulary ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("làm sổ đỏ lần đầu", {"1.013978"}),
        ("đổi GPLX", {"3.000347"}),
        ("làm CCCD lần đầu cho con", {"2.000200", "1.001247"}),
        ("mở quán cà phê", {"1.001612"}),
        ("rút BHXH một lần", {"1.001613"}),
        ("xin lý lịch tư pháp", {"3.000333"}),
    ],
)
def test_vocabulary_maps_colloquial_words_to_the_catalogue(text, expected):
    assert top(text)[0] in expected


def test_a_phrase_with_two_readings_offers_both():
    assert {"1.001612", "2.000117"} <= set(top("mở quán ăn"))


def test_the_committed_vocabulary_is_loaded_once():
    entries = json.loads(VOCABULARY.read_text(encoding="utf-8"))
    assert len(entries) >= 150
    assert SearchTerm.objects.count() >= 150
    assert search_terms_load(path=VOCABULARY) == 0  # idempotent: stored entries are kept as edited


def test_deactivating_an_entry_takes_effect():
    assert top("cai nghiện")
    SearchTerm.objects.filter(phrase__in=["cai nghiện", "đi cai"]).update(is_active=False)
    reference_data_changed()  # update() sends no signal; the admin's save does (next test)
    phrases = get_engine().understand.phrases
    assert ("di", "cai") not in phrases
    assert ("cai", "nghien") not in phrases


def test_an_admin_edit_changes_the_results_through_the_reference_stamp():
    user = get_user_model().objects.create_superuser("le.thi.hoa", "hoa@example.vn", "mat-khau-dai-123")
    client = Client()
    client.force_login(user)
    get_engine()  # built before the edit
    assert not top("xin bìa xanh")
    response = client.post(
        reverse("admin:catalog_searchterm_add"),
        {
            "phrase": "bìa xanh",
            "expands_to": "hộ chiếu phổ thông",
            "kind": "colloquial",
            "note": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    term = SearchTerm.objects.get(phrase="bìa xanh")
    assert term.updated_by == user
    assert top("xin bìa xanh")[0] in PASSPORT  # no invalidate: the save restamped reference data


def test_admin_refuses_an_empty_expansion():
    user = get_user_model().objects.create_superuser("tran.van.nam", "nam@example.vn", "mat-khau-dai-123")
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("admin:catalog_searchterm_add"),
        {"phrase": "bìa xanh", "expands_to": " ;; ", "kind": "colloquial", "is_active": "on"},
    )
    assert response.status_code == 200
    assert not SearchTerm.objects.filter(phrase="bìa xanh").exists()


# ---- scope, confidence ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["thời tiết hôm nay thế nào", "hát một bài", "giá vàng hôm nay", "bạn là ai", "xin chào", "", "   "],
)
def test_out_of_scope_finds_nothing(text):
    assert procedure_understand(text) == []


def test_confidence_is_ordered_in_range_and_meaningful():
    clear = procedure_understand("đăng ký kết hôn", limit=5)
    assert all(0 <= m.confidence <= 1 for m in clear)
    assert [m.confidence for m in clear] == sorted((m.confidence for m in clear), reverse=True)
    assert clear[0].confidence >= 0.6
    # Two passport procedures differ only by the level: neither is certain.
    passport = procedure_understand("làm hộ chiếu", limit=3)
    assert passport[0].confidence < 0.6


def test_inactive_and_other_provinces_procedures_are_never_found():
    Procedure.objects.filter(code="1.000894").update(is_active=False)
    reference_data_changed()
    assert "1.000894" not in top("đăng ký kết hôn", 10)
    other = Procedure.objects.filter(applies_here=False).values_list("name", flat=True).first()
    assert other is not None
    assert not set(top(other, 10)) & set(
        Procedure.objects.filter(applies_here=False).values_list("code", flat=True)
    )


def test_a_code_in_the_message_names_the_procedure():
    assert procedure_understand("hồ sơ thủ tục 1.004194 nộp thế nào")[0].code == "1.004194"


# ---- the portal search box uses the same engine --------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("làm giấy khai sinh cho con", BIRTH),
        ("giấy khai sinh", BIRTH),
        ("khai sihn", BIRTH),
        ("Làm hộ chiếu để đi du lịch nước ngoài", PASSPORT),
    ],
)
def test_portal_search_finds_everyday_words(query, expected):
    assert search_codes(query)[0] in expected


def test_portal_search_keeps_the_name_order_for_a_name_being_typed():
    assert search_codes("Cấp bản sao Trích lục hộ tịch")[0] == "2.000635"
    assert search_codes("đăng ký khai s")[0] == "1.001193"


def test_portal_page_shows_the_understood_procedure(client):
    response = client.get(reverse("catalog:procedure_search"), {"q": "Làm hộ chiếu để đi du lịch nước ngoài"})
    assert response.status_code == 200
    assert "Cấp hộ chiếu phổ thông" in response.content.decode()


# ---- the index without a database, and its size -------------------------------------------------


def test_index_builds_from_rows_and_reports_its_memory():
    rows = list(Procedure.objects.values_list("id", "code", "name", "popularity", "is_active", "has_details"))
    tracemalloc.start()
    index = UnderstandIndex.build(rows, {}, [("so do", "giay chung nhan quyen su dung dat")])
    size, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert size > 0
    assert index.parse("sổ đỏ").readings
