"""Fixtures of the assistant tests: a small realistic catalogue (the birth-registration neighbours),
one fully detailed procedure, a commune centre, and a clean rate-limit cache."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings

from motcua.assistant.selectors import faq_cache_clear
from motcua.catalog.models import Procedure, ServiceLevel
from motcua.catalog.search import index_invalidate
from motcua.catalog.services.vocabulary import search_terms_load
from motcua.catalog.tests.factories import (
    FieldFactory,
    ProcedureDocumentFactory,
    ProcedureFactory,
    ProcedureFeeFactory,
    ProcessDefinitionFactory,
    ProcessStepFactory,
    realistic_catalogue,
)
from motcua.org.models import Unit
from motcua.org.tests.factories import UnitFactory
from motcua.worktime.models import TimeUnit
from tests.caching import cache_clear_if_database


@pytest.fixture(autouse=True)
def _clean_cache(request: pytest.FixtureRequest):
    cache_clear_if_database(request)
    index_invalidate()
    faq_cache_clear()
    yield
    cache_clear_if_database(request)
    index_invalidate()
    faq_cache_clear()


@pytest.fixture
def catalogue(db: None) -> dict[str, Procedure]:
    """The realistic catalogue; 1.001193 (đăng ký khai sinh) completed with published details so that
    it is open to online submission, as in the real catalogue."""
    procedures = realistic_catalogue()
    # The vocabulary every installation has (the catalogue import adds it): what people say → catalogue words.
    search_terms_load(path=settings.PROJECT_DIR / "data" / "catalog" / "vocabulary.json")
    birth = procedures["1.001193"]
    Procedure.objects.filter(pk=birth.pk).update(
        service_level=ServiceLevel.FULL_ONLINE,
        processing_time_amount=Decimal("3"),
        processing_time_unit=TimeUnit.WORKING_DAYS,
        processing_time_text="Ngay trong ngày tiếp nhận hồ sơ; trường hợp cần xác minh thì không quá "
        "03 ngày làm việc",
        implementing_agency="Ủy ban nhân dân cấp xã",
        competent_authority="Ủy ban nhân dân cấp xã",
        legal_basis=["Luật Hộ tịch số 60/2014/QH13"],
        has_details=True,
    )
    ProcedureDocumentFactory(procedure=birth, order=1, name="Tờ khai đăng ký khai sinh", copies="1 bản chính")
    ProcedureDocumentFactory(procedure=birth, order=2, name="Giấy chứng sinh", copies="1 bản chính")
    ProcedureFeeFactory(procedure=birth, order=1, name="Lệ phí đăng ký khai sinh đúng hạn", amount_vnd=0)
    ProcedureFeeFactory(procedure=birth, order=2, name="Lệ phí đăng ký khai sinh quá hạn", amount_vnd=8_000)
    process = ProcessDefinitionFactory(procedure=birth, total_amount=Decimal("3"))
    ProcessStepFactory(process=process, order=1, name="Tiếp nhận hồ sơ")
    ProcessStepFactory(process=process, order=2, name="Thẩm định, trả kết quả")
    birth.refresh_from_db()
    procedures["1.001193"] = birth
    return procedures


@pytest.fixture
def bare(db: None) -> Procedure:
    """A procedure whose record publishes nothing but its name (the catalogue has many)."""
    procedure: Procedure = ProcedureFactory.create(
        code="1.888888",
        name="Cấp giấy phép khai thác cát sỏi lòng sông",
        field=FieldFactory(name="Khoáng sản"),
    )
    return procedure


@pytest.fixture
def hong_gai(db: None) -> Unit:
    centre: Unit = UnitFactory.create(
        commune_centre=True,
        name="Trung tâm Phục vụ hành chính công phường Hồng Gai",
        address="Số 1 đường Bến Đoan, phường Hồng Gai, tỉnh Quảng Ninh",
        phone="0203 3825 111",
    )
    return centre
