"""A small reader of gettext .po files for the catalogue tests (no gettext tools, no dependency).

It reads what ``makemessages`` writes: comments and flags, ``msgctxt``, ``msgid``, ``msgid_plural``,
``msgstr`` / ``msgstr[n]``, continuation lines; obsolete entries (``#~``) are kept apart.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def po_entries(path: Path) -> list[Entry]:
    """Every entry of ``path`` but the header (the entry whose msgid is empty)."""
    entries: list[Entry] = []
    entry = Entry()
    # The keyword the last continuation line belongs to: ("msgid", None) or ("msgstr", n).
    current: tuple[str, int | None] | None = None
    seen_keyword = False

    def finish() -> None:
        nonlocal entry, current, seen_keyword
        if seen_keyword and (entry.msgid or entry.msgctxt):
            entries.append(entry)
        entry, current, seen_keyword = Entry(), None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].strip()
            if not line:
                continue
        elif line.startswith("#,"):
            if seen_keyword:
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        elif not line or line.startswith("#"):
            if seen_keyword and not line:
                finish()
            continue
        if line.startswith('"'):
            _append(entry, current, ast.literal_eval(line))
            continue
        keyword, _space, value = line.partition(" ")
        text = ast.literal_eval(value)
        if keyword in ("msgctxt", "msgid") and seen_keyword and current and current[0] == "msgstr":
            finish()
        seen_keyword = True
        if keyword.startswith("msgstr["):
            current = ("msgstr", int(keyword[7:-1]))
        elif keyword == "msgstr":
            current = ("msgstr", 0)
        else:
            current = (keyword, None)
        _append(entry, current, text, start=True)
    finish()
    return entries


def _append(entry: Entry, current: tuple[str, int | None] | None, text: str, start: bool = False) -> None:
    if current is None:
        raise ValueError(f"continuation line outside an entry: {text!r}")
    keyword, index = current
    if keyword == "msgstr":
        assert index is not None
        entry.msgstr[index] = ("" if start else entry.msgstr.get(index, "")) + text
    elif keyword == "msgid":
        entry.msgid = ("" if start else entry.msgid) + text
    elif keyword == "msgid_plural":
        entry.msgid_plural = ("" if start else entry.msgid_plural or "") + text
    elif keyword == "msgctxt":
        entry.msgctxt = ("" if start else entry.msgctxt or "") + text
    else:
        raise ValueError(f"unknown keyword {keyword!r}")
