"""``ObjectChoiceField``: a choice among preloaded objects, cleaned to the object."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django import forms

from motcua.backoffice.forms import ObjectChoiceField, object_field


@dataclass(frozen=True)
class Thing:
    pk: int
    name: str


A, B = Thing(1, "Một"), Thing(2, "Hai")


class PickForm(forms.Form):
    required_pick = ObjectChoiceField(
        label_from=lambda t: t.name,
        error_messages={"required": "Vui lòng chọn."},
        invalid_choice="Lựa chọn không hợp lệ.",
    )
    optional_pick = ObjectChoiceField(label_from=lambda t: t.name, required=False, empty_label="— Không —")

    def __init__(self, *args: object, things: list[Thing], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        object_field(self, "required_pick").set_objects({t.pk: t for t in things})
        object_field(self, "optional_pick").set_objects({t.pk: t for t in things})


def test_choices_and_labels() -> None:
    form = PickForm(things=[A, B])
    assert list(form.fields["required_pick"].choices) == [(1, "Một"), (2, "Hai")]  # type: ignore[attr-defined]
    assert list(form.fields["optional_pick"].choices) == [("", "— Không —"), (1, "Một"), (2, "Hai")]  # type: ignore[attr-defined]


def test_cleans_to_the_object_and_empty_to_none() -> None:
    form = PickForm({"required_pick": "2", "optional_pick": ""}, things=[A, B])
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"required_pick": B, "optional_pick": None}


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "Vui lòng chọn."), ("3", "Lựa chọn không hợp lệ."), ("abc", "Lựa chọn không hợp lệ.")],
)
def test_required_and_invalid_messages(value: str, message: str) -> None:
    form = PickForm({"required_pick": value}, things=[A, B])
    assert not form.is_valid()
    assert form.errors["required_pick"] == [message]


def test_objects_are_per_form_instance() -> None:
    assert PickForm({"required_pick": "2"}, things=[A, B]).is_valid()
    assert not PickForm({"required_pick": "2"}, things=[A]).is_valid()
    assert PickForm({"required_pick": "1"}, things=[A]).is_valid()
