"""The action registry (dossiers.actions): one spec per action, strict schemas, one dispatch."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.dossiers import actions
from motcua.dossiers.errors import (
    DossierActionNotAllowed,
    DossierConflict,
    DossierError,
    DossierInvalid,
    DossierPermissionDenied,
)
from motcua.dossiers.models import Dossier, DossierEvent, DossierState
from motcua.dossiers.rules import Action
from motcua.dossiers.tests.factories import World, dossier_at


def _forbids_extras(schema: dict[str, Any], definitions: dict[str, Any]) -> bool:
    """Every object in the JSON schema (the body and the items of its lists) refuses unknown keys."""
    if "$ref" in schema:
        return _forbids_extras(definitions[schema["$ref"].rsplit("/", 1)[-1]], definitions)
    if schema.get("type") == "object" and schema.get("additionalProperties") is not False:
        return False
    nested = [*schema.get("properties", {}).values(), *schema.get("anyOf", [])]
    if "items" in schema:
        nested.append(schema["items"])
    return all(_forbids_extras(child, definitions) for child in nested)


def test_every_action_has_exactly_one_spec():
    names = [spec.action for spec in actions.action_specs()]
    # The engine's own actions, plus the extensions' (each naming the engine action whose rule it uses).
    assert sorted(spec.action for spec in actions.action_specs() if spec.rule is None) == sorted(Action)
    assert all(spec.rule in Action for spec in actions.action_specs() if spec.rule is not None)
    assert len(names) == len(set(names))
    for action in Action:
        assert actions.action_spec(action).action == action


def test_an_extension_action_is_registered_once_after_the_action_whose_rule_it_shares():
    from motcua.signing.actions import SIGN_RESULT_SPEC

    names = [str(spec.action) for spec in actions.action_specs()]
    assert names.index("sign_result") == names.index("record_signature") + 1
    actions.action_register(SIGN_RESULT_SPEC)  # the same spec again (a re-imported app): nothing
    assert [str(spec.action) for spec in actions.action_specs()] == names
    other = actions.ActionSpec(
        "sign_result", "Khác", actions.ActionIn, SIGN_RESULT_SPEC.service, rule=Action.RECORD_SIGNATURE
    )
    with pytest.raises(ValueError, match="already registered"):
        actions.action_register(other)
    nameless = actions.ActionSpec("ky_khac", "Khác", actions.ActionIn, SIGN_RESULT_SPEC.service)
    with pytest.raises(ValueError, match="names the engine action"):
        actions.action_register(nameless)


@pytest.mark.parametrize("spec", actions.action_specs(), ids=lambda spec: str(spec.action))
def test_every_schema_forbids_extras_and_asks_for_the_version(spec: actions.ActionSpec):
    schema = spec.schema.model_json_schema()
    assert _forbids_extras(schema, schema.get("$defs", {}))
    assert "row_version" in schema["required"]
    assert spec.label
    assert spec.button
    if spec.rule is None:  # the engine's own: services.dossier_<verb>
        assert spec.service.__name__ == f"dossier_{spec.action}"


def test_labels_are_unique():
    labels = [spec.label for spec in actions.action_specs()]
    assert len(labels) == len(set(labels))


def test_applicant_is_an_audience_of_withdraw_and_supplement_only():
    for_applicant = {
        spec.action for spec in actions.action_specs() if actions.Audience.APPLICANT in spec.audience
    }
    assert for_applicant == {Action.WITHDRAW, Action.RECEIVE_SUPPLEMENT}


def test_unknown_action_is_invalid():
    with pytest.raises(DossierInvalid) as exc:
        actions.action_spec("teleport")
    assert "Không có thao tác «teleport»" in exc.value.errors["action"]


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (DossierConflict(current_version=3), 409, "conflict"),
        (DossierActionNotAllowed("x"), 409, "action_not_allowed"),
        (DossierPermissionDenied("x"), 403, "permission_denied"),
        (DossierInvalid({"reason": "x"}), 400, "invalid"),
        (DossierError("x"), 400, "error"),
    ],
)
def test_default_error_answers(error: DossierError, status: int, code: str):
    answer = actions.action_spec(Action.ACCEPT).error_answer(error)
    assert (answer.status, answer.code) == (status, code)


def test_an_action_may_override_an_error_answer():
    spec = actions.ActionSpec(
        Action.ACCEPT,
        "Tiếp nhận hồ sơ",
        actions.AcceptIn,
        actions.action_spec(Action.ACCEPT).service,
        errors={DossierActionNotAllowed: actions.ErrorAnswer(422, "too_late")},
    )
    assert spec.error_answer(DossierActionNotAllowed("x")) == actions.ErrorAnswer(422, "too_late")
    assert spec.error_answer(DossierConflict()) == actions.ErrorAnswer(409, "conflict")


def _unchanged(d: Dossier, events: int) -> None:
    fresh = Dossier.objects.get(pk=d.pk)
    assert fresh.row_version == d.row_version
    assert fresh.state == d.state
    assert DossierEvent.objects.filter(dossier=d).count() == events


def test_perform_refuses_unknown_fields_and_changes_nothing(world: World):
    d = dossier_at(world, "submitted")
    events = DossierEvent.objects.filter(dossier=d).count()
    with pytest.raises(DossierInvalid) as exc:
        actions.action_perform(
            action=Action.ACCEPT,
            actor=world.lan,
            dossier=d,
            data={"row_version": d.row_version, "note": "thêm"},
        )
    assert exc.value.errors == {"note": "Trường này không được chấp nhận."}
    _unchanged(d, events)


def test_perform_translates_bad_input(world: World):
    d = dossier_at(world, "appraisal")
    events = DossierEvent.objects.filter(dossier=d).count()
    with pytest.raises(DossierInvalid) as exc:
        actions.action_perform(
            action=Action.REQUEST_SUPPLEMENT,
            actor=world.minh,
            dossier=d,
            data={"row_version": "mới", "items": [{"name": ""}], "reason": "x" * 2001},
        )
    assert exc.value.errors == {
        "row_version": "Phải là một số nguyên.",
        "items.0.name": "Vui lòng nhập thông tin này.",
        "reason": "Dài quá 2000 ký tự.",
    }
    _unchanged(d, events)


def test_perform_resolves_references_with_field_errors(world: World):
    d = dossier_at(world, "received")
    events = DossierEvent.objects.filter(dossier=d).count()
    with pytest.raises(DossierInvalid) as exc:
        actions.action_perform(
            action=Action.FORWARD,
            actor=world.lan,
            dossier=d,
            data={"row_version": d.row_version, "assignee": "khong-ai"},
        )
    assert exc.value.errors == {"assignee": "Không có cán bộ có tên đăng nhập «khong-ai»."}
    _unchanged(d, events)
    d = actions.action_perform(
        action=Action.FORWARD,
        actor=world.lan,
        dossier=d,
        data={"row_version": d.row_version, "assignee": world.minh.username, "note": "Đủ"},
    )
    assert d.current_step is not None
    assert d.current_step.assignee_id == world.minh.pk


def test_a_channel_lists_and_takes_what_its_audience_may(world: World):
    """What a citizen channel (portal, kiosk) does: offer the applicant's actions, take one."""
    d = dossier_at(world, "submitted")
    offered = actions.action_specs_available(actor=world.an, dossier=d, audience=actions.Audience.APPLICANT)
    assert [spec.action for spec in offered] == [Action.WITHDRAW]
    d = actions.action_perform(
        action=offered[0].action,
        actor=world.an,
        dossier=d,
        data={"row_version": d.row_version, "reason": "Nộp nhầm thủ tục"},
    )
    assert d.state == DossierState.WITHDRAWN
    official = actions.action_specs_available(
        actor=world.lan, dossier=dossier_at(world, "submitted"), audience=actions.Audience.OFFICIAL
    )
    assert {spec.action for spec in official} == {Action.ACCEPT, Action.REFUSE, Action.WITHDRAW}


def test_a_channel_passing_files_gets_the_engines_upload_check(world: World, settings, tmp_path):
    """Any channel (API, portal) handing files to ``action_perform`` goes through core.uploads: a zip
    named .pdf is refused under the component's input path and nothing is written."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.core.tests import upload_files

    settings.MEDIA_ROOT = tmp_path
    d = dossier_at(world, "supplement")
    events = DossierEvent.objects.filter(dossier=d).count()
    data = {"row_version": d.row_version, "components": [{"name": "Bản sao sổ hộ khẩu"}], "note": ""}
    archive = SimpleUploadedFile("so-ho-khau.pdf", upload_files.zip_bytes(), "application/pdf")
    with pytest.raises(DossierInvalid) as exc:
        actions.action_perform(
            action=Action.RECEIVE_SUPPLEMENT,
            actor=world.lan,
            dossier=d,
            data=data,
            files={"components.0": archive},
        )
    assert exc.value.errors == {
        "components.0": "Tệp «so-ho-khau.pdf» không phải tệp PDF, JPG hoặc PNG "
        "(hệ thống xét nội dung tệp, không xét đuôi tên tệp)."
    }
    _unchanged(d, events)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    scan = SimpleUploadedFile("so-ho-khau.pdf", upload_files.image_bytes("PNG"), "application/pdf")
    d = actions.action_perform(
        action=Action.RECEIVE_SUPPLEMENT, actor=world.lan, dossier=d, data=data, files={"components.0": scan}
    )
    stored = d.components.get(name="Bản sao sổ hộ khẩu")
    assert stored.file.name.endswith(".png")
