"""Internal processes: derived five steps, budget sums, actor mapping, versioning."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.catalog.models import Level, Procedure, ProcessDefinition, ProcessSource
from motcua.catalog.services import (
    NOT_COUNTED,
    Budget,
    BudgetProblem,
    BudgetUnitError,
    ProcessDefinitionError,
    ProcessSpec,
    budget_problems_text,
    catalog_import,
    process_actor_map,
    process_definition_activate,
    process_definition_build,
    process_definition_derive,
    process_definition_draft_create,
    process_definition_from_data,
    process_definition_validate,
    process_step_budgets_sum,
)
from motcua.catalog.tests.test_import_fixtures import REAL_DATA, detailed, row, write_catalog
from motcua.org.models import Role, UnitKind
from motcua.worktime.models import TimeUnit

D = Decimal
WD, WH, CD, H, SAME = (
    TimeUnit.WORKING_DAYS,
    TimeUnit.WORKING_HOURS,
    TimeUnit.CALENDAR_DAYS,
    TimeUnit.HOURS,
    TimeUnit.SAME_DAY,
)


def _budgets(amount: str | None, unit: str, level: str = Level.COMMUNE) -> list[tuple[Decimal | None, str]]:
    spec = process_definition_derive(level=level, total=Budget(None if amount is None else D(amount), unit))
    return [(s.duration_amount, s.duration_unit) for s in spec.steps]


# --- derivation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("25", [("0.5", WD), ("23", WD), ("1", WD), ("0.5", WD)]),
        ("15", [("0.5", WD), ("13", WD), ("1", WD), ("0.5", WD)]),
        ("5", [("0.5", WD), ("3", WD), ("1", WD), ("0.5", WD)]),
        ("3", [("0.5", WD), ("1", WD), ("1", WD), ("0.5", WD)]),
        ("2", [("0.25", WD), ("1", WD), ("0.5", WD), ("0.25", WD)]),
        ("1", [("1", WH), ("4", WH), ("2", WH), ("1", WH)]),
        ("0.5", [("0.5", WH), ("2", WH), ("1", WH), ("0.5", WH)]),
    ],
)
def test_derived_working_days(amount: str, expected: list[tuple[str, str]]) -> None:
    budgets = _budgets(amount, WD)
    assert budgets[:4] == [(D(a), u) for a, u in expected]
    assert budgets[4] == (D(0), NOT_COUNTED)  # return of the result is not counted
    total = process_step_budgets_sum(budgets=[Budget(a, u) for a, u in budgets], unit=WD)
    assert total == D(amount)


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        ("4", WH, ["0.5", "2", "1", "0.5"]),
        ("8", WH, ["1", "4", "2", "1"]),
        ("24", WH, ["4", "8", "8", "4"]),  # 3 working days expressed in hours
        ("12", H, ["1.5", "6", "3", "1.5"]),
        ("1", H, ["0", "0.75", "0.25", "0"]),  # shares under a quarter hour floor to 0
        # Calendar days only whole (the worktime engine rejects fractions): one day each, appraisal
        # first, then approval, receipt, signing; the appraisal takes the rest.
        ("15", CD, ["1", "12", "1", "1"]),
        ("4", CD, ["1", "1", "1", "1"]),
        ("3", CD, ["1", "1", "1", "0"]),
        ("2", CD, ["0", "1", "1", "0"]),
        ("1", CD, ["0", "1", "0", "0"]),
    ],
)
def test_derived_hours_and_calendar_days(amount: str, unit: str, expected: list[str]) -> None:
    budgets = _budgets(amount, unit)
    assert [a for a, _ in budgets[:4]] == [D(x) for x in expected]
    # Shares that round to nothing are not counted rather than zero deadlines.
    assert [u for a, u in budgets[:4]] == [unit if a else NOT_COUNTED for a, _ in budgets[:4]]
    assert process_step_budgets_sum(budgets=[Budget(a, u) for a, u in budgets], unit=unit) == D(amount)


def test_derived_same_day_and_unknown() -> None:
    same_day = process_definition_derive(level=Level.COMMUNE, total=Budget(None, SAME))
    assert [(s.duration_amount, s.duration_unit) for s in same_day.steps[:4]] == [(None, SAME)] * 4
    assert (same_day.total_amount, same_day.total_unit) == (None, SAME)
    assert (
        process_definition_validate(total=Budget(None, SAME), budgets=[s.budget for s in same_day.steps])
        == []
    )

    unknown = process_definition_derive(level=Level.PROVINCE, total=None)
    assert [(s.duration_amount, s.duration_unit) for s in unknown.steps] == [(None, "")] * 4 + [
        (D(0), NOT_COUNTED)
    ]
    assert (unknown.total_amount, unknown.total_unit) == (None, "")
    assert process_definition_validate(total=None, budgets=[s.budget for s in unknown.steps]) == []


def test_derived_actors_follow_the_level() -> None:
    commune = process_definition_derive(level=Level.COMMUNE, total=Budget(D(3), WD))
    assert [s.name for s in commune.steps] == [
        "Tiếp nhận hồ sơ",
        "Thẩm định",
        "Phê duyệt",
        "Ký số",
        "Trả kết quả",
    ]
    assert [(s.actor_unit_kind, s.actor_role) for s in commune.steps] == [
        (UnitKind.COMMUNE_CENTRE, Role.RECEPTION),
        (UnitKind.COMMUNE_COMMITTEE, Role.SPECIALIST),
        (UnitKind.COMMUNE_COMMITTEE, Role.LEADER),
        (UnitKind.COMMUNE_COMMITTEE, Role.CLERK),
        (UnitKind.COMMUNE_CENTRE, Role.RECEPTION),
    ]
    both = process_definition_derive(level=Level.BOTH, total=None)
    assert both.steps[0].actor_unit_kind == UnitKind.COMMUNE_CENTRE
    for level in (Level.PROVINCE, Level.CENTRAL, ""):
        spec = process_definition_derive(level=level, total=None)
        assert [s.actor_unit_kind for s in spec.steps] == [
            UnitKind.PROVINCE_CENTRE,
            UnitKind.DEPARTMENT,
            UnitKind.DEPARTMENT,
            UnitKind.DEPARTMENT,
            UnitKind.PROVINCE_CENTRE,
        ]


@given(
    amount=st.decimals(min_value=D("0.01"), max_value=D("3650"), places=2),
    unit=st.sampled_from([WD, WH, CD, H]),
)
def test_derived_budgets_always_sum_exactly_and_are_never_negative(amount: Decimal, unit: str) -> None:
    if unit == CD:
        amount = max(amount.to_integral_value(), D(1))  # the engine counts calendar days only whole
    spec = process_definition_derive(level=Level.COMMUNE, total=Budget(amount, unit))
    assert all(s.duration_amount is not None and s.duration_amount >= 0 for s in spec.steps)
    assert all(
        s.duration_amount == s.duration_amount.quantize(D("0.01")) for s in spec.steps if s.duration_amount
    )
    assert (
        process_definition_validate(total=Budget(amount, unit), budgets=[s.budget for s in spec.steps]) == []
    )


# --- sums and validation (pure) ---------------------------------------------------------------------


def test_budgets_sum_converts_working_days_and_hours_only() -> None:
    budgets = [Budget(D("0.5"), WD), Budget(D(4), WH), Budget(D(0), NOT_COUNTED)]
    assert process_step_budgets_sum(budgets=budgets, unit=WD) == D(1)
    assert process_step_budgets_sum(budgets=budgets, unit=WH) == D(8)
    with pytest.raises(BudgetUnitError):
        process_step_budgets_sum(budgets=[Budget(D(1), H)], unit=WD)  # clock hours are not working time
    with pytest.raises(BudgetUnitError):
        process_step_budgets_sum(budgets=[Budget(D(1), CD)], unit=WD)
    assert process_step_budgets_sum(budgets=[Budget(None, WD)], unit=WD) is None


@pytest.mark.parametrize(
    ("total", "budgets", "problem"),
    [
        (Budget(D(3), WD), [Budget(D(1), WD), Budget(D(1), WD)], "khác thời hạn"),
        (Budget(D(3), WD), [Budget(D(1), WD), Budget(D(2), CD)], "không quy đổi được"),
        (Budget(D(3), WD), [Budget(D(3), WD), Budget(D(1), NOT_COUNTED)], "không tính thời gian"),
        (Budget(D(3), WD), [Budget(D(-1), WD), Budget(D(4), WD)], "âm"),
        (Budget(D(3), WD), [Budget(None, WD), Budget(D(3), WD)], "Thiếu thời gian"),
        (Budget(D(3), WD), [Budget(D(3), "fortnight")], "không hợp lệ"),
        (Budget(None, SAME), [Budget(D(2), WH)], "không quy đổi được"),
        (Budget(D(3), WD), [], "không có bước"),
    ],
)
def test_validate_reports_problems(total: Budget, budgets: list[Budget], problem: str) -> None:
    problems = process_definition_validate(total=total, budgets=budgets)
    assert any(problem in p.message for p in problems), problems


@pytest.mark.parametrize(
    ("total", "budgets", "text"),
    [
        (
            Budget(D(7), WD),
            [Budget(D(50), WD), Budget(D(2), WD)],
            "Tổng thời gian các bước (52 ngày làm việc) khác thời hạn giải quyết (7 ngày làm việc)",
        ),
        (
            Budget(D(1), WD),
            [Budget(D("1.5"), WD)],
            "Tổng thời gian các bước (1,5 ngày làm việc) khác thời hạn giải quyết (1 ngày làm việc)",
        ),
        (
            Budget(D(3), WD),
            [Budget(D(7), WD), Budget(D(-4), WD)],
            "bước 2: Thời gian của bước không được âm: -4 ngày",
        ),
        (
            Budget(D(3), WD),
            [Budget(D(3), WD), Budget(D(1), NOT_COUNTED)],
            "bước 2: Bước không tính thời gian",
        ),
        (Budget(None, SAME), [Budget(D(1), SAME)], "bước 1: Bước “trong ngày” không nhập số lượng"),
        (
            Budget(D(3), WD),
            [Budget(D(1), WD), Budget(D(2), CD)],
            "không quy đổi được ngày sang ngày làm việc",
        ),
    ],
)
def test_problems_read_in_vietnamese_with_unit_labels(
    total: Budget, budgets: list[Budget], text: str
) -> None:
    """The admin shows these to province staff: Vietnamese units and decimal comma, no English glosses
    or internal codes such as ``working_days`` / ``not_counted``."""
    shown = budget_problems_text(process_definition_validate(total=total, budgets=budgets))
    assert text in shown
    assert not re.search(r"[a-z]+_[a-z]+|\((?:step|negative|same|not|cannot|rejected)", shown), shown


def test_validate_accepts_mixed_working_units() -> None:
    budgets = [Budget(D(4), WH), Budget(D("2.5"), WD), Budget(D(0), NOT_COUNTED)]
    assert process_definition_validate(total=Budget(D(3), WD), budgets=budgets) == []


def test_problems_text_numbers_steps_from_one() -> None:
    problems = [BudgetProblem(None, "Tổng sai"), BudgetProblem(1, "Thời gian âm")]
    assert budget_problems_text(problems) == "Tổng sai; bước 2: Thời gian âm"
    assert str(ProcessDefinitionError(problems)) == budget_problems_text(problems)
    assert budget_problems_text([]) == ""


@pytest.mark.parametrize(
    ("total_amount", "total_unit"), [(D(3), WD), (D(4), WD), (None, ""), (D(3), "fortnight")]
)
def test_spec_problems_validate_the_steps_against_the_total(
    total_amount: Decimal | None, total_unit: str
) -> None:
    derived = process_definition_derive(level=Level.COMMUNE, total=Budget(D(3), WD))
    spec = ProcessSpec(
        source=derived.source, total_amount=total_amount, total_unit=total_unit, steps=derived.steps
    )
    assert spec.problems() == process_definition_validate(
        total=Budget(total_amount, total_unit) if total_unit else None,
        budgets=[s.budget for s in derived.steps],
    )


def test_working_days_convert_at_the_configured_schedule(settings) -> None:
    budgets = [Budget(D(1), WD), Budget(D(2), WH)]
    assert process_step_budgets_sum(budgets=budgets, unit=WH) == D(10)
    settings.WORKTIME = {**settings.WORKTIME, "PERIODS": [("07:00", "11:00")], "HOURS_PER_DAY": 4}
    assert process_step_budgets_sum(budgets=budgets, unit=WH) == D(6)


# --- actor mapping ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "task", "label", "level", "expected"),
    [
        (
            "Bộ phận tiếp nhận và trả kết quả tại TTPVHCC tỉnh; TTPVHCC các xã, phường",
            "",
            "Bước 1 (cấp xã)",
            "both",
            (UnitKind.COMMUNE_CENTRE, Role.RECEPTION),
        ),
        (
            "Bộ phận một cửa tại Trung tâm PVHCC cấp tỉnh và cấp xã",
            "",
            "B1",
            "province",
            (UnitKind.PROVINCE_CENTRE, Role.RECEPTION),
        ),
        (
            "Lãnh đạo Phòng Văn hoá - Xã hội",
            "",
            "B2",
            "both",
            (UnitKind.COMMUNE_COMMITTEE, Role.DIVISION_HEAD),
        ),
        ("Công chức Văn hoá - Xã hội", "", "B3", "both", (UnitKind.COMMUNE_COMMITTEE, Role.SPECIALIST)),
        ("Lãnh đạo UBND xã, phường", "", "B5", "both", (UnitKind.COMMUNE_COMMITTEE, Role.LEADER)),
        ("Văn thư UBND xã, phường", "", "B6", "both", (UnitKind.COMMUNE_COMMITTEE, Role.CLERK)),
        (
            "Lãnh đạo Phòng BTXH và Trẻ em - Sở Y tế",
            "",
            "Bước 1 (cấp tỉnh)",
            "both",
            (UnitKind.DEPARTMENT, Role.DIVISION_HEAD),
        ),
        (
            "Chuyên viên Phòng BTXH và Trẻ em - Sở Y tế",
            "",
            "",
            "both",
            (UnitKind.DEPARTMENT, Role.SPECIALIST),
        ),
        ("Lãnh đạo Sở Y tế", "", "", "both", (UnitKind.DEPARTMENT, Role.LEADER)),
        ("Văn thư Sở Y tế", "", "", "both", (UnitKind.DEPARTMENT, Role.CLERK)),
        (
            "Người đứng đầu Cơ sở trợ giúp xã hội",
            "",
            "Bước 6 (cấp tỉnh)",
            "both",
            (UnitKind.DEPARTMENT, Role.LEADER),
        ),
        (
            "Viên chức Cơ sở trợ giúp xã hội",
            "",
            "Bước 5 (cấp tỉnh)",
            "both",
            (UnitKind.DEPARTMENT, Role.SPECIALIST),
        ),
        (
            "UBND tỉnh (Văn phòng UBND tỉnh)",
            "Thẩm định và phê duyệt Quyết định",
            "B5",
            "both",
            (UnitKind.PROVINCE_COMMITTEE, Role.LEADER),
        ),
        (
            "Sở Nội vụ (liên thông qua Trung tâm PVHCC)",
            "Tiếp nhận, thẩm định, trình UBND tỉnh",
            "B4",
            "both",
            (UnitKind.DEPARTMENT, Role.SPECIALIST),
        ),
        ("Chỉ huy Công an cấp xã", "", "", "commune", (UnitKind.COMMUNE_COMMITTEE, Role.DIVISION_HEAD)),
        (
            "Cán bộ Công an cấp xã được phân công",
            "",
            "",
            "commune",
            (UnitKind.COMMUNE_COMMITTEE, Role.SPECIALIST),
        ),
        (
            "Chủ tịch UBND cấp xã, cơ quan, tổ chức, cá nhân có thẩm quyền",
            "",
            "",
            "both",
            (UnitKind.COMMUNE_COMMITTEE, Role.LEADER),
        ),
        (
            "Sở Y tế; Cơ quan Công an các cấp; UBND xã, phường",
            "Trả kết quả (không tính thời gian)",
            "",
            "both",
            (UnitKind.COMMUNE_CENTRE, Role.RECEPTION),
        ),
        (
            "Nơi tiếp nhận thông tin (Tổng đài quốc gia bảo vệ trẻ em, UBND cấp xã)",
            "",
            "",
            "both",
            (UnitKind.COMMUNE_CENTRE, Role.RECEPTION),
        ),
        (
            "Lãnh đạo Trung tâm Phục vụ hành chính công tỉnh",
            "",
            "",
            "province",
            (UnitKind.PROVINCE_CENTRE, Role.LEADER),
        ),
    ],
)
def test_actor_keyword_rules(
    actor: str, task: str, label: str, level: str, expected: tuple[str, str]
) -> None:
    assert process_actor_map(actor=actor, task=task, step_label=label, level=level) == expected


def _real(code: str) -> dict:
    return json.loads((REAL_DATA / "detailed" / f"{code}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("code", ["1.004944", "1.004946", "2.000286", "2.001661", "2.002755", "3.000527"])
def test_real_processes_are_valid_and_fully_mapped(code: str) -> None:
    record = _real(code)
    total = Budget(D(str(record["processing_time"]["amount"])), record["processing_time"]["unit"])
    spec = process_definition_from_data(level=record["level"], total=total, steps=record["internal_process"])
    assert len(spec.steps) == len(record["internal_process"])
    assert process_definition_validate(total=total, budgets=[s.budget for s in spec.steps]) == []
    assert all(s.actor_unit_kind in UnitKind.values and s.actor_role in Role.values for s in spec.steps)


def test_real_process_2000286_mapping() -> None:
    record = _real("2.000286")
    total = Budget(D(25), WD)
    spec = process_definition_from_data(level="both", total=total, steps=record["internal_process"])
    assert len(spec.steps) == 14
    assert process_step_budgets_sum(budgets=[s.budget for s in spec.steps], unit=WD) == D(25)
    commune = [s for s in spec.steps if "cấp xã" in s.name]
    province = [s for s in spec.steps if "cấp tỉnh" in s.name]
    assert sum(s.duration_amount or 0 for s in commune) == 10
    assert sum(s.duration_amount or 0 for s in province) == 15
    assert [s.actor_role for s in commune] == [
        Role.RECEPTION,
        Role.DIVISION_HEAD,
        Role.SPECIALIST,
        Role.DIVISION_HEAD,
        Role.LEADER,
        Role.CLERK,
    ]
    assert {s.actor_unit_kind for s in province} == {UnitKind.DEPARTMENT}
    assert spec.steps[-1].duration_unit == NOT_COUNTED
    assert spec.steps[-1].actor_role == Role.RECEPTION


def test_real_emergency_process_in_clock_hours() -> None:
    record = _real("1.004946")
    spec = process_definition_from_data(
        level="both", total=Budget(D(12), H), steps=record["internal_process"]
    )
    assert process_step_budgets_sum(budgets=[s.budget for s in spec.steps], unit=H) == D(12)
    assert spec.steps[-1].duration_unit == NOT_COUNTED


# --- versioning (database) --------------------------------------------------------------------------


@pytest.fixture
def procedure(tmp_path) -> Procedure:
    catalog_import(path=write_catalog(tmp_path, [row("1.000001")], [detailed("1.000001")]))
    return Procedure.objects.get(code="1.000001")


@pytest.mark.django_db
def test_build_is_idempotent_and_a_change_makes_a_new_version(procedure: Procedure) -> None:
    assert process_definition_build(procedure=procedure) is None  # same content as imported
    procedure.processing_time_amount = D(10)
    procedure.save()

    new = process_definition_build(procedure=procedure)

    assert new is not None
    assert new.version == 2
    assert new.is_current
    old = ProcessDefinition.objects.get(procedure=procedure, version=1)
    assert not old.is_current
    assert old.total_amount == 3
    assert [s.duration_amount for s in old.steps.order_by("order")][:4] == [D("0.5"), D(1), D(1), D("0.5")]
    assert process_definition_build(procedure=procedure) is None


@pytest.mark.django_db
def test_draft_activate_and_manual_versions_survive_reimport(
    procedure: Procedure, tmp_path, django_assert_max_num_queries
) -> None:
    draft = process_definition_draft_create(procedure=procedure)
    assert (draft.version, draft.is_current, draft.source) == (2, False, ProcessSource.MANUAL)
    assert process_definition_draft_create(procedure=procedure) == draft  # one draft at a time
    # Savepoint, lock, the definitions, release: whether one is a draft costs no query of its own.
    with django_assert_max_num_queries(4):
        assert process_definition_draft_create(procedure=procedure) == draft

    step = draft.steps.get(order=2)
    step.duration_amount = D(5)
    step.save()
    with pytest.raises(ProcessDefinitionError):
        process_definition_activate(definition=draft)  # 0.5 + 5 + 1 + 0.5 ≠ 3
    assert ProcessDefinition.objects.get(procedure=procedure, is_current=True).version == 1

    step.duration_amount = D("0.5")
    step.save()
    draft.steps.filter(order=3).update(duration_amount=D("1.5"))
    process_definition_activate(definition=draft)
    assert ProcessDefinition.objects.get(procedure=procedure, is_current=True).version == 2
    with pytest.raises(ValueError, match="bản nháp"):
        process_definition_activate(definition=draft)

    # A re-import with changed time keeps the manual process (reported), never overwrites it.
    write_catalog(
        tmp_path,
        [row("1.000001")],
        [
            {
                **detailed("1.000001"),
                "processing_time": {"amount": 5, "unit": "working_days", "text": "05 ngày làm việc"},
            }
        ],
    )
    report = catalog_import(path=tmp_path)
    assert report.processes_kept_manual == 1
    assert report.processes_created == 0
    assert ProcessDefinition.objects.get(procedure=procedure, is_current=True).version == 2


@pytest.mark.django_db
def test_activation_needs_the_statutory_time_and_records_who(procedure: Procedure) -> None:
    from motcua.org.tests.factories import UserFactory

    editor = UserFactory.create(username="ba_hoa")
    draft = process_definition_draft_create(procedure=procedure, editor=editor)
    assert draft.drafted_by == editor
    # The steps sum to the draft's own total of 5 days, but the procedure's time is 3 days.
    ProcessDefinition.objects.filter(pk=draft.pk).update(total_amount=D(5))
    draft.steps.filter(order=2).update(duration_amount=D(3))
    with pytest.raises(ProcessDefinitionError, match="khác thời hạn giải quyết của thủ tục"):
        process_definition_activate(definition=draft, editor=editor)
    assert ProcessDefinition.objects.get(procedure=procedure, is_current=True).version == 1

    # The same 3 days written as 24 working hours (8 h a day) is the statutory time.
    ProcessDefinition.objects.filter(pk=draft.pk).update(
        total_amount=D(24), total_unit=TimeUnit.WORKING_HOURS
    )
    draft.steps.filter(order=2).update(duration_amount=D(1))
    activated = process_definition_activate(definition=draft, editor=editor)
    assert (activated.is_current, activated.activated_by) == (True, editor)
    assert activated.activated_at is not None
