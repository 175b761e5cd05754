"""The one decision of whether a procedure takes online submissions (procedure page and wizard)."""

from __future__ import annotations

import pytest

from motcua.catalog.models import Procedure, ProcessDefinition, ServiceLevel
from motcua.catalog.selectors import procedure_get, procedure_online_eligibility
from motcua.dossiers.tests.factories import procedure_with_process


def _full(**kwargs) -> Procedure:
    procedure = procedure_with_process(**kwargs)
    Procedure.objects.filter(pk=procedure.pk).update(service_level=ServiceLevel.FULL_ONLINE)
    return procedure_get(code=procedure.code)


@pytest.mark.django_db
def test_full_online_with_complete_data_is_open(django_assert_num_queries):
    procedure = _full()
    with django_assert_num_queries(0):  # reads what procedure_get prefetched
        eligibility = procedure_online_eligibility(procedure)
    assert eligibility.allowed
    assert eligibility.mode == "full"


@pytest.mark.django_db
def test_partial_online_explains_what_is_done_in_person():
    procedure = _full()
    procedure.service_level = ServiceLevel.PARTIAL_ONLINE
    eligibility = procedure_online_eligibility(procedure)
    assert eligibility.mode == "partial"
    assert not eligibility.allowed
    assert "trực tiếp tại Bộ phận tiếp nhận" in eligibility.reason


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"service_level": ServiceLevel.OFFLINE}, "chưa cung cấp dịch vụ công trực tuyến"),
        ({"service_level": ""}, "chưa cung cấp dịch vụ công trực tuyến"),
        ({"is_active": False}, "không còn áp dụng"),
        ({"applies_here": False}, "không còn áp dụng"),
    ],
)
def test_closed_procedures_say_why(change, says):
    procedure = _full()
    for key, value in change.items():
        setattr(procedure, key, value)
    eligibility = procedure_online_eligibility(procedure)
    assert eligibility.mode == "closed"
    assert says in eligibility.reason


@pytest.mark.django_db
def test_incomplete_data_closes_online_submission():
    assert "thành phần hồ sơ" in procedure_online_eligibility(_full(documents=False)).reason
    untimed = _full(timed=False)
    assert "thời hạn giải quyết" in procedure_online_eligibility(untimed).reason
    assert "Trung tâm Phục vụ hành chính công" in procedure_online_eligibility(untimed).reason  # where to go
    no_process = _full()
    ProcessDefinition.objects.filter(procedure=no_process).delete()
    assert "quy trình" in procedure_online_eligibility(procedure_get(code=no_process.code)).reason
