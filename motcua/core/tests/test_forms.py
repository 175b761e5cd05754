"""Rules every form obeys (core.forms): control characters refused, tab and new lines kept."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms


def test_every_form_text_field_refuses_control_characters_but_keeps_tab_and_new_lines() -> None:
    class NoteForm(forms.Form):
        title = forms.CharField()
        note = forms.CharField(widget=forms.Textarea)

    ok = NoteForm({"title": "Tờ khai", "note": "Dòng 1\r\n\tDòng 2"})
    assert ok.is_valid(), ok.errors
    bad = NoteForm({"title": "Tờ\x1b[31m khai", "note": "chuông\x07"})
    assert not bad.is_valid()
    message = "Không được chứa ký tự điều khiển (chỉ cho phép xuống dòng và tab)."
    assert bad.errors == {"title": [message], "note": [message]}


@pytest.mark.django_db
def test_forms_the_project_did_not_write_refuse_them_too() -> None:
    """The admin's login form: Django's own form, same rule (defined before the app registry is ready).
    (The admin's login page itself now sends to the officials' sign-in: motcua.signin.)"""
    from django.contrib.admin.forms import AdminAuthenticationForm

    form = AdminAuthenticationForm(None, data={"username": "quantri\x1b", "password": "x"})
    assert not form.is_valid()
    assert form.errors["username"] == ["Không được chứa ký tự điều khiển (chỉ cho phép xuống dòng và tab)."]


def test_installing_the_rule_twice_runs_it_once() -> None:
    from motcua.core.forms import form_text_controls_refused

    installed: Any = forms.CharField.run_validators
    form_text_controls_refused()
    assert forms.CharField.run_validators is installed
