"""The back office's action forms give the registry's input (dossiers.actions) and take its errors."""

from __future__ import annotations

import pytest

from motcua.backoffice import forms
from motcua.backoffice.views import ACTION_FORMS
from motcua.dossiers import actions
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.tests.factories import World, dossier_at


def test_every_registry_action_has_a_form():
    # The engine's actions each have theirs; an extension's (e.g. sign_result) is a one-click button.
    assert set(ACTION_FORMS) == {spec.action for spec in actions.action_specs() if spec.rule is None}


def test_forward_form_gives_the_schema_its_username(world: World):
    d = dossier_at(world, "received")
    form = forms.ForwardForm(
        {"row_version": d.row_version, "assignee": world.minh.pk, "note": "Đủ"}, dossier=d
    )
    assert form.is_valid(), form.errors
    data = form.action_data()
    assert data == {"row_version": d.row_version, "assignee": world.minh.username, "note": "Đủ"}
    body = actions.action_input(actions.action_spec("forward"), data)
    assert isinstance(body, actions.ForwardIn)


def test_request_payment_form_gives_one_fee_and_shows_its_errors(world: World):
    d = dossier_at(world, "appraisal")
    form = forms.RequestPaymentForm(
        {"row_version": d.row_version, "fee_name": "Lệ phí", "amount_vnd": "50000", "reason": ""}, dossier=d
    )
    assert form.is_valid(), form.errors
    assert form.action_data()["fees"] == [{"name": "Lệ phí", "amount_vnd": 50000}]
    # A registry error on the fee lands on the form field that took it.
    assert form.error_field("fees.0.amount_vnd") == "amount_vnd"
    assert form.error_field("reason") == "reason"
    assert form.error_field("fees") is None
    with pytest.raises(DossierInvalid) as exc:
        actions.action_perform(
            action="request_payment",
            actor=world.minh,
            dossier=d,
            data={**form.action_data(), "fees": [{"name": "Lệ phí", "amount_vnd": 0}]},
        )
    assert exc.value.errors == {"fees.0.amount_vnd": "Phải lớn hơn 0."}
