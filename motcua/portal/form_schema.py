"""Online forms from JSON Schema — tờ khai điện tử: checking a definition, rendering, validating answers.

A definition is a JSON Schema (draft 2020-12) of one flat object — each property a string (optionally
``format: date`` / ``email``, ``enum``, ``maxLength``, ``minLength``, ``pattern``), an integer, a
number or a boolean — plus UI hints ``{"order": [...], "fields": {name: {"label", "help", "widget",
"pattern_message"}}}``. Pages render it server-side with the matching HTML attributes (required,
maxlength, pattern, type, min, max), so the browser checks first; the server checks again with
``jsonschema`` and answers one Vietnamese message per field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import QueryDict
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from motcua.core.text import nfc

TYPES = frozenset({"string", "integer", "number", "boolean"})
WIDGETS = frozenset({"text", "textarea", "select", "radio", "date", "email", "tel", "number", "checkbox"})
MAX_TEXT = 2000  # a string without maxLength is capped here (the dossier's summary limit)

GENERIC_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["noi_dung"],
    "properties": {
        "noi_dung": {
            "type": "string",
            "title": "Nội dung yêu cầu giải quyết",
            "minLength": 5,
            "maxLength": 2000,
        }
    },
}
GENERIC_UI: dict[str, Any] = {
    "order": ["noi_dung"],
    "fields": {
        "noi_dung": {
            "widget": "textarea",
            "help": "Tóm tắt việc Ông/Bà đề nghị cơ quan giải quyết (trích yếu hồ sơ).",
        }
    },
}


def schema_errors(schema: Any, ui: Any) -> list[str]:
    """Why a definition cannot be used (Vietnamese, for the admin); [] when it is fine."""
    if not isinstance(schema, dict):
        return ["Lược đồ phải là một đối tượng JSON."]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(map(str, exc.path)) or "gốc"
        return [f"Lược đồ không phải JSON Schema hợp lệ: {exc.message} (tại {where})."]
    errors: list[str] = []
    if (
        schema.get("type") != "object"
        or not isinstance(schema.get("properties"), dict)
        or not schema["properties"]
    ):
        return ['Lược đồ phải có "type": "object" và ít nhất một trường trong "properties".']
    properties: dict[str, Any] = schema["properties"]
    for name, prop in properties.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", name):
            errors.append(f"Tên trường «{name}» chỉ gồm chữ thường không dấu, số và dấu gạch dưới.")
        if not isinstance(prop, dict) or prop.get("type") not in TYPES:
            errors.append(f"Trường «{name}»: kiểu phải là một trong string, integer, number, boolean.")
    for name in schema.get("required", []):
        if name not in properties:
            errors.append(f"Trường bắt buộc «{name}» không có trong properties.")
    if not isinstance(ui, dict):
        return [*errors, "Gợi ý hiển thị phải là một đối tượng JSON."]
    order = ui.get("order", [])
    if not isinstance(order, list) or any(n not in properties for n in order):
        errors.append('"order" phải là danh sách tên trường có trong properties.')
    fields = ui.get("fields", {})
    if not isinstance(fields, dict):
        errors.append('"fields" phải là một đối tượng JSON.')
    else:
        for name, hints in fields.items():
            if name not in properties:
                errors.append(f"Gợi ý hiển thị cho trường «{name}» không có trong properties.")
            elif not isinstance(hints, dict) or hints.get("widget", "text") not in WIDGETS:
                errors.append(f"Trường «{name}»: widget phải là một trong {', '.join(sorted(WIDGETS))}.")
    return errors


@dataclass(frozen=True)
class FormField:
    """One field as the template renders it."""

    name: str
    label: str
    help: str
    widget: str
    input_type: str
    required: bool
    value: Any
    error: str
    prefilled: bool
    attrs: dict[str, Any]
    choices: list[str]

    @property
    def html_id(self) -> str:
        return f"f-{self.name}"


def _label(name: str, prop: dict[str, Any], hints: dict[str, Any]) -> str:
    return str(hints.get("label") or prop.get("title") or name)


def _widget(prop: dict[str, Any], hints: dict[str, Any]) -> str:
    if hints.get("widget"):
        return str(hints["widget"])
    if "enum" in prop:
        return "select"
    if prop.get("type") == "boolean":
        return "checkbox"
    if prop.get("type") in ("integer", "number"):
        return "number"
    if prop.get("format") in ("date", "email"):
        return str(prop["format"])
    return "text"


def _ordered(schema: dict[str, Any], ui: dict[str, Any]) -> list[str]:
    order = [n for n in ui.get("order", []) if n in schema["properties"]]
    return order + [n for n in schema["properties"] if n not in order]


def form_fields(
    schema: dict[str, Any], ui: dict[str, Any], *, values: dict[str, Any], errors: dict[str, str]
) -> list[FormField]:
    """The fields in display order, with their HTML validation attributes."""
    required = set(schema.get("required", []))
    fields: list[FormField] = []
    hints_all = ui.get("fields", {})
    for name in _ordered(schema, ui):
        prop, hints = schema["properties"][name], hints_all.get(name, {})
        widget = _widget(prop, hints)
        attrs: dict[str, Any] = {}
        if prop.get("type") == "string":
            attrs["maxlength"] = prop.get("maxLength", MAX_TEXT)
            if "minLength" in prop:
                attrs["minlength"] = prop["minLength"]
            if "pattern" in prop and widget not in ("textarea", "select", "radio", "date"):
                attrs["pattern"] = prop["pattern"]
        if prop.get("type") in ("integer", "number"):
            for key, attr in (("minimum", "min"), ("maximum", "max")):
                if key in prop:
                    attrs[attr] = prop[key]
            attrs["step"] = "1" if prop["type"] == "integer" else "any"
        input_type = {"date": "date", "email": "email", "tel": "tel", "number": "number"}.get(widget, "text")
        fields.append(
            FormField(
                name=name,
                label=_label(name, prop, hints),
                help=str(hints.get("help") or prop.get("description") or ""),
                widget=widget,
                input_type=input_type,
                required=name in required,
                value=values.get(name, ""),
                error=errors.get(name, ""),
                prefilled=False,
                attrs=attrs,
                choices=[str(c) for c in prop.get("enum", [])],
            )
        )
    return fields


def answers_from_post(schema: dict[str, Any], data: QueryDict) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed answers from a posted form (blank → absent) and the fields that could not be read."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, prop in schema["properties"].items():
        kind = prop.get("type")
        if kind == "boolean":
            answers[name] = data.get(name) in ("on", "true", "1")
            continue
        raw = nfc(data.get(name, ""))
        if not raw:
            continue
        if kind == "integer":
            try:
                answers[name] = int(raw)
            except ValueError:
                errors[name] = "Vui lòng nhập một số nguyên."
        elif kind == "number":
            try:
                answers[name] = float(raw.replace(",", "."))
            except ValueError:
                errors[name] = "Vui lòng nhập một số."
        else:
            answers[name] = raw
    return answers, errors


def _message(error: Any, schema: dict[str, Any], ui: dict[str, Any]) -> tuple[str, str]:
    """(field, Vietnamese message) for one jsonschema error."""
    hints_all = ui.get("fields", {})
    if error.validator == "required":
        name = re.findall(r"'([^']+)'", error.message)[0]
        prop = schema["properties"].get(name, {})
        return name, f"Vui lòng nhập {_label(name, prop, hints_all.get(name, {})).lower()}."
    name = str(error.path[0]) if error.path else ""
    prop = schema["properties"].get(name, {})
    label = _label(name, prop, hints_all.get(name, {}))
    value = error.validator_value
    messages = {
        "maxLength": f"{label} dài quá {value} ký tự.",
        "minLength": f"{label} phải có ít nhất {value} ký tự.",
        "pattern": hints_all.get(name, {}).get("pattern_message") or f"{label} không đúng định dạng.",
        "enum": f"{label}: vui lòng chọn một giá trị trong danh sách.",
        "minimum": f"{label} không được nhỏ hơn {value}.",
        "maximum": f"{label} không được lớn hơn {value}.",
        "format": f"{label} không đúng định dạng"
        + (" ngày (ngày/tháng/năm)." if value == "date" else " thư điện tử." if value == "email" else "."),
        "type": f"{label} không đúng kiểu dữ liệu.",
    }
    return name, messages.get(error.validator, f"{label} không hợp lệ.")


def answers_validate(schema: dict[str, Any], ui: dict[str, Any], answers: dict[str, Any]) -> dict[str, str]:
    """Server-side validation: one Vietnamese message per field ({} when the answers are valid)."""
    errors: dict[str, str] = {}
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    for error in sorted(validator.iter_errors(answers), key=lambda e: list(e.path)):
        name, message = _message(error, schema, ui)
        errors.setdefault(name, message)
    for name, value in answers.items():  # strings without maxLength: still capped
        if isinstance(value, str) and len(value) > MAX_TEXT and name not in errors:
            errors[name] = f"{_label(name, schema['properties'].get(name, {}), {})} dài quá {MAX_TEXT} ký tự."
    for name, value in answers.items():  # a date format the checker accepts must also be a real date
        if schema["properties"].get(name, {}).get("format") == "date" and name not in errors:
            try:
                date.fromisoformat(str(value))
            except ValueError:
                errors[name] = f"{_label(name, schema['properties'][name], {})} không đúng định dạng ngày."
    return errors


def answers_summary(schema: dict[str, Any], ui: dict[str, Any], answers: dict[str, Any]) -> str:
    """The answers as "label: value" lines — the dossier's summary (trích yếu), capped at MAX_TEXT."""
    lines = []
    for name in _ordered(schema, ui):
        if name not in answers or answers[name] in ("", None):
            continue
        value = answers[name]
        if isinstance(value, bool):
            value = "Có" if value else "Không"
        if len(schema["properties"]) == 1:
            lines.append(str(value))
        else:
            lines.append(
                f"{_label(name, schema['properties'][name], ui.get('fields', {}).get(name, {}))}: {value}"
            )
    return "\n".join(lines)[:MAX_TEXT]
