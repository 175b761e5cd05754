"""Search ranking on a small realistic catalogue (factories), normalisation, filters, invalidation."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.catalog.search import (
    IndexRow,
    SearchIndex,
    index_invalidate,
    normalize_query,
    procedure_search,
    tokenize,
)
from motcua.catalog.tests.factories import ProcedureFactory, realistic_catalogue
from motcua.core.services import reference_data_changed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index():
    # The index is per process; tests roll their data back, so start and end with a clean slate.
    index_invalidate()
    yield
    index_invalidate()


@pytest.fixture
def catalogue() -> dict[str, Procedure]:
    return realistic_catalogue()


def codes(query: str, n: int = 5, **filters) -> list[str]:
    ids = procedure_search(query=query, limit=n, **filters).ids
    by_id = Procedure.objects.in_bulk(ids)
    return [by_id[i].code for i in ids]


# ---- normalisation ------------------------------------------------------------------------------


def test_tokenize_folds_accents_and_unifies_i_y_after_consonants():
    assert tokenize("Đăng kí") == tokenize("đăng ký") == tokenize("DANG KY") == ["dang", "ki"]
    assert tokenize("lí lịch") == tokenize("lý lịch")
    assert tokenize("quí") == tokenize("quý")
    # y after a vowel is a different letter there: giấy ≠ giải, tây ≠ tài.
    assert tokenize("giấy") == ["giay"]
    assert tokenize("tây") == ["tay"]
    assert tokenize("y tế") == ["y", "te"]


def test_normalize_query_matches_nfd_input():
    nfd = "đăng ký khai sinh".encode().decode()  # NFC literal
    import unicodedata

    assert normalize_query(unicodedata.normalize("NFD", nfd)) == normalize_query(nfd) == "dang ki khai sinh"


# ---- ranking ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "dang ky khai sinh",
        "đăng kí khai sinh",
        "Đăng ký khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "khai sinh",
        "khai snh",  # typo: missing letter in a 4-letter syllable
        "dang ki khai sinh",
        "thủ tục đăng ký khai sinh",
        "khaisinh",  # typed without the space
        "ddawng kys khai sinh",  # Telex with the Vietnamese keyboard off
        "  khai   sinh  ",
    ],
)
def test_birth_registration_first(catalogue, query):
    assert codes(query)[0] == "1.001193"


def test_birth_registration_neighbours_follow(catalogue):
    top = codes("dang ky khai sinh", n=4)
    assert top[0] == "1.001193"
    # Names containing the whole phrase come before the much more popular copy-of-certificate one.
    assert set(top[1:4]) <= {"1.004884", "2.000528", "1.003583", "2.002621", "2.000986"}
    assert "2.000635" not in top


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tam tru", "1.004194"),
        ("dang ki tam tru", "1.004194"),
        ("đăng ký tạm trú", "1.004194"),
        ("tạm trú", "1.004194"),
        ("thuong tru", "1.004222"),
        ("ket hon", "1.000894"),
        ("đăng ký kết hôn", "1.000894"),
        ("dang ky ket hom", "1.000894"),  # typo in a 3-letter syllable
        ("ket hoon", "1.000894"),  # Telex "oo"
        ("ho kinh doanh", "1.001612"),
        ("thanh lap ho kinh doanh", "1.001612"),
        ("khai tu", "1.000656"),
        ("dang ky khai tu", "1.000656"),
        ("dang ky xe", "1.012575"),
        ("bang lai xe", "3.000347"),
        ("giay phep lai xe", "3.000347"),
        ("so do", "1.012783"),
        ("bhxh", "1.002759"),
    ],
)
def test_common_queries(catalogue, query, expected):
    assert codes(query)[0] == expected


def test_building_permit_results_are_building_permits(catalogue):
    top = codes("giay phep xay dung", n=3)
    assert set(top) == {"1.013225", "1.009122", "1.005126"}


def test_known_last_word_is_not_taken_as_prefix_when_it_matches(catalogue):
    # "xe" exists as a word: "xét tuyển" must not be in the results.
    assert "1.001942" not in codes("dang ky xe", n=50)
    # "khai tu": "thủ tục" must not match "tu" by prefix, so khai sinh is not a result.
    assert "1.001193" not in codes("khai tu", n=50)


def test_live_search_prefix_of_last_word(catalogue):
    assert codes("dang ky khai s")[0] == "1.001193"
    assert codes("giay phep xay d", n=3)[0] in {"1.013225", "1.009122", "1.005126"}
    assert codes("tam t")[0] == "1.004194"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("1.004194", ["1.004194"]),
        (" 1.004194 ", ["1.004194"]),
        ("1.004194.000.00.00.H49", ["1.004194"]),
        ("004194", ["1.004194", "2.004194"]),
        ("1.0011", ["1.001193"]),
    ],
)
def test_codes(catalogue, query, expected):
    assert codes(query, n=len(expected)) == expected


def test_code_query_total_is_code_hits(catalogue):
    assert procedure_search(query="1.004194").total == 1


def test_word_query_requires_every_word_when_possible(catalogue):
    result = procedure_search(query="khai sinh", limit=100)
    names = Procedure.objects.in_bulk(result.ids)
    assert all("khai sinh" in normalize_query(p.name) for p in names.values())


def test_nonsense_finds_nothing(catalogue):
    assert procedure_search(query="qqqq zzzz").total == 0


def test_field_label_words_match_with_lower_weight(catalogue):
    # "ho tich" is the field of the birth/marriage procedures, not in most of their names.
    top = codes("ho tich", n=3)
    assert top[0] == "2.000635"  # the one name that says "hộ tịch" wins
    assert len(procedure_search(query="ho tich").ids) > 5


# ---- filters, order, pagination -----------------------------------------------------------------


def test_empty_query_is_popularity_order(catalogue):
    result = procedure_search(query="", limit=3)
    assert result.total == len(catalogue)
    assert codes("", n=3) == ["1.004194", "1.004222", "1.012575"]


def test_filters(catalogue):
    commune = codes("khai sinh", n=50, level="commune")
    assert "2.000635" in commune  # level "both" counts as commune too
    assert all(catalogue[c].level in {"commune", "both"} for c in commune)
    assert codes("tam tru", n=50, level="central") == ["1.002755", "1.010028", "1.003460"]
    assert codes("", n=50, service_level="partial_online") == ["1.004222", "1.003460"]
    field_id = catalogue["1.004194"].field_id
    assert set(codes("", n=50, field_id=field_id)) == {"1.004194", "1.002755", "1.010028", "1.004222"}
    assert codes("tam tru", n=5, field_id=field_id, level="commune") == ["1.004194"]


def test_inactive_procedures_are_not_found(catalogue):
    Procedure.objects.filter(code="1.001193").update(is_active=False, updated_at=timezone.now())
    reference_data_changed()  # update() sends no signal: bulk writers restamp themselves
    assert "1.001193" not in codes("khai sinh", n=50)
    assert "1.001193" not in codes("", n=100)


def test_pagination_is_consistent(catalogue):
    full = procedure_search(query="dang ky", limit=100)
    pages = [procedure_search(query="dang ky", offset=o, limit=4) for o in range(0, full.total, 4)]
    assert all(p.total == full.total for p in pages)
    assert [i for p in pages for i in p.ids] == full.ids
    assert procedure_search(query="dang ky", offset=full.total + 10).ids == []


def test_long_query_may_miss_one_word(catalogue):
    # A name pasted with an extra word still finds the procedure.
    assert codes("thủ tục đăng ký khai sinh cho trẻ")[0] in {"1.001193", "2.002621", "2.000986"}
    assert procedure_search(query="thủ tục đăng ký khai sinh cho trẻ").total > 0


# ---- index build and invalidation ---------------------------------------------------------------

RENAMED = {"name": "Gia hạn thị thực", "search_text": "gia han thi thuc"}


def test_index_build_from_rows_without_database():
    index = SearchIndex.build(
        [
            IndexRow(
                1, "1.000001", "Đăng ký khai sinh", "dang ky khai sinh ho tich", 5, 1, "commune", "", True
            ),
            IndexRow(2, "1.000002", "Đăng ký khai tử", "dang ky khai tu ho tich", 9, 1, "commune", "", True),
        ]
    )
    assert index.search("khai sinh").ids == [1]
    assert index.search("").ids == [2, 1]
    assert index.search("ho tich").total == 2


def test_orm_save_invalidates_in_process(catalogue):
    assert codes("khai sinh")[0] == "1.001193"
    ProcedureFactory(code="1.777777", name="Đăng ký khai sinh", popularity=10**9)
    assert codes("khai sinh")[0] == "1.777777"


def test_stale_until_invalidated_then_fresh(catalogue, settings):
    settings.CATALOG_SEARCH_CHECK_SECONDS = 3600  # no periodic database check in this test
    assert codes("tam tru")[0] == "1.004194"
    # A write that bypasses signals (as bulk imports do) leaves this process's index stale…
    Procedure.objects.filter(code="1.004194").update(**RENAMED, updated_at=timezone.now())
    assert codes("tam tru")[0] == "1.004194"
    # …until the writer restamps, as the importer does after its bulk writes.
    reference_data_changed()
    assert "1.004194" not in codes("tam tru", n=50)


def test_a_write_committed_by_another_process_is_seen_at_the_next_stamp_check(catalogue, settings):
    settings.CATALOG_SEARCH_CHECK_SECONDS = 0  # read the stamp on every search
    assert codes("tam tru")[0] == "1.004194"
    # Another process wrote and restamped (its signals or importer): nothing happened in this one.
    Procedure.objects.filter(code="1.004194").update(**RENAMED)
    reference_data_changed()
    assert "1.004194" not in codes("tam tru", n=50)


def test_the_stamp_check_is_throttled(catalogue, settings, django_assert_num_queries):
    settings.CATALOG_SEARCH_CHECK_SECONDS = 3600
    procedure_search(query="khai sinh")  # builds the index
    with django_assert_num_queries(0):
        procedure_search(query="khai sinh")
        procedure_search(query="tam tru", level="commune", offset=20)


@pytest.mark.django_db(transaction=True)  # committed: the stamp is read, not the transaction's own view
def test_an_unchanged_stamp_keeps_the_index(catalogue, settings, django_assert_num_queries):
    settings.CATALOG_SEARCH_CHECK_SECONDS = 0
    procedure_search(query="khai sinh")
    with django_assert_num_queries(1):  # the stamp, no rebuild
        procedure_search(query="khai sinh")


def test_a_transaction_searches_its_own_writes_once_per_write(catalogue, django_assert_num_queries):
    procedure_search(query="khai sinh")
    with django_assert_num_queries(0):  # built once for this (test) transaction's writes
        procedure_search(query="khai sinh")
    ProcedureFactory(code="1.777777", name="Đăng ký khai sinh", popularity=10**9)
    assert codes("khai sinh")[0] == "1.777777"
