"""The catalogues in motcua/locale: English complete and in step with the code, Vietnamese admin.

English is a real UI language once chosen (motcua/core/language.py decides when): every marked string
has a translation, the committed .mo files say what the .po files say, and ``make messages`` would
add nothing. The admin is Vietnamese-only: Django's own strings there must be Vietnamese too.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from motcua.catalog.search import index_invalidate
from motcua.core.tests.pofile import Entry, po_entries

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/tra-cuu", "/thu-tuc/?q=khai+sinh"]

# (Vietnamese source, English translation) pairs from base.html's header/nav.
NAV = [
    ("Bỏ qua, đến nội dung chính", "Skip to main content"),
    ("Trang chủ", "Home"),
    ("Tra cứu hồ sơ", "Track a dossier"),
    ("Điều hướng chính", "Main navigation"),
]
# The procedure search box (home page and /thu-tuc/).
SEARCH_BOX = [
    ("Tìm kiếm", "Search"),
    ("Ví dụ: đăng ký khai sinh, tạm trú, 1.004194", "E.g. birth registration, temporary residence, 1.004194"),
]


@pytest.fixture(autouse=True)
def _fresh_index():
    index_invalidate()
    yield
    index_invalidate()


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
DJANGO_DIR = Path(django.__file__).parent
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdr]|%[sd]|\{[a-z_0-9]*\}")


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_every_english_entry_is_translated():
    entries = po_entries(EN_PO)
    assert len(entries) > 150
    untranslated = [entry.msgid for entry in entries if not entry.translated]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    obsolete = [entry.msgid for entry in entries if entry.obsolete]
    assert not untranslated, f"chưa dịch (điền msgstr rồi chạy make messages): {untranslated}"
    assert not fuzzy, f"bản dịch 'fuzzy' (kiểm tra, bỏ cờ fuzzy): {fuzzy}"
    assert not obsolete, f"mục lỗi thời: {obsolete}"


def test_english_plurals_have_both_forms_and_keep_their_placeholders():
    for entry in po_entries(EN_PO):
        if entry.msgid_plural is not None:
            assert sorted(entry.msgstr) == [0, 1], entry.msgid
        for index, text in entry.msgstr.items():
            source = entry.msgid if index == 0 else (entry.msgid_plural or entry.msgid)
            assert _placeholders(text) == _placeholders(source), (entry.msgid, text)


@pytest.mark.parametrize(
    "po", sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")), ids=lambda path: "/".join(path.parts[-3:])
)
def test_committed_mo_says_what_the_po_says(po: Path):
    """A fresh clone uses the committed .mo (no gettext needed): it must be compiled from the .po."""
    with po.with_suffix(".mo").open("rb") as mo_file:
        catalog = gettext.GNUTranslations(mo_file)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in po_entries(po):
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected[msgid] = entry.msgstr[0]
        else:
            expected.update({(msgid, index): text for index, text in entry.msgstr.items()})
    compiled = {key: value for key, value in catalog.items() if key != ""}
    assert compiled == expected, f"{po}: chạy make messages để biên dịch lại .mo"


def _keys(entries: list[Entry]) -> set[tuple[str | None, str, str | None]]:
    return {entry.key for entry in entries}


def test_make_messages_would_add_or_drop_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Every string marked in the code and templates is in the English catalogue, and nothing else.

    ``make messages`` run on a copy of the sources into an empty locale directory: its msgids must be
    exactly the committed ones.
    """
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) is missing: .ci/run installs it")
        pytest.skip("GNU gettext (xgettext) is not installed (Debian: apt-get install gettext)")
    sources = tmp_path / "motcua"
    shutil.copytree(
        LOCALE_DIR.parent,
        sources,
        ignore=shutil.ignore_patterns("locale", "static", "__pycache__", "*.pyc", "*.mo"),
    )
    out = tmp_path / "locale"
    (out / "en" / "LC_MESSAGES").mkdir(parents=True)
    monkeypatch.chdir(sources)
    with override_settings(LOCALE_PATHS=[out]):
        # The same options as the Makefile's `messages` target.
        call_command(
            "makemessages", locale=["en"], no_obsolete=True, add_location="file", no_wrap=True, verbosity=0
        )
    extracted = _keys(po_entries(out / "en" / "LC_MESSAGES" / "django.po"))
    committed = _keys(po_entries(EN_PO))
    assert extracted - committed == set(), "chuỗi mới chưa có trong catalogue: chạy make messages rồi dịch"
    assert committed - extracted == set(), "chuỗi không còn dùng: chạy make messages"


def _django_msgids(*apps: str) -> set[str]:
    """The English texts of Django's own messages of these apps (as they appear untranslated)."""
    texts: set[str] = set()
    for app in apps:
        for entry in po_entries(DJANGO_DIR / app / "locale" / "en" / "LC_MESSAGES" / "django.po"):
            texts.add(entry.msgid)
            if entry.msgid_plural:
                texts.add(entry.msgid_plural)
    return texts


@pytest.mark.parametrize("app", ["contrib/admin", "contrib/auth", "contrib/contenttypes", "contrib/sessions"])
def test_every_admin_message_has_a_vietnamese_translation(app: str):
    """Django's vi catalogue lags behind its English one; locale/vi fills the gaps the admin shows."""
    ours = po_entries(LOCALE_DIR / "vi" / "LC_MESSAGES" / "django.po")
    django_vi = po_entries(DJANGO_DIR / app / "locale" / "vi" / "LC_MESSAGES" / "django.po")
    translated = {entry.key for entry in [*django_vi, *ours] if entry.translated}
    english = po_entries(DJANGO_DIR / app / "locale" / "en" / "LC_MESSAGES" / "django.po")
    missing = [entry.msgid for entry in english if entry.key not in translated]
    assert not missing, f"thiếu bản dịch tiếng Việt trong motcua/locale/vi: {missing}"


class _VisibleText(HTMLParser):
    """Text nodes and the attributes people read or hear (title, aria-label, placeholder, buttons)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        values = dict(attrs)
        for name in ("title", "aria-label", "placeholder"):
            if values.get(name):
                self.texts.append(str(values[name]))
        if tag == "input" and values.get("type") == "submit" and values.get("value"):
            self.texts.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


ADMIN_PAGES = [
    "/admin/",
    "/admin/org/unit/",
    "/admin/org/unit/add/",
    "/admin/catalog/procedure/",
    "/admin/dossiers/dossier/",
    "/admin/password_change/",
]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_are_vietnamese_through_and_through(admin_client, url: str):
    # English chosen on the public pages: the admin stays Vietnamese (motcua.core.language).
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = admin_client.get(url, headers={"accept-language": "en"})
    assert response.status_code == 200
    parser = _VisibleText()
    parser.feed(response.content.decode())
    english = _django_msgids("contrib/admin", "contrib/auth") | {"Select đơn vị to change"}
    # Texts that read the same in both languages (an abbreviation, a symbol) are not a finding.
    english -= {"OK", "URL", "ID", "UUID", "IPv4", "IPv6", "JSON", "Email", "—"}
    leaked = [text for text in parser.texts if text.rstrip(":").strip() in english or text in english]
    assert not leaked, f"{url}: chữ tiếng Anh trong trang quản trị: {leaked}"


def test_admin_changelist_title_is_fully_vietnamese(admin_client):
    html = admin_client.get("/admin/org/unit/").content.decode()
    assert "<title>Chọn đơn vị để thay đổi | motcua</title>" in html
    assert "Select đơn vị" not in html


def test_admin_javascript_catalogue_is_vietnamese(admin_client):
    script = admin_client.get("/admin/jsi18n/").content.decode()
    assert "Ch\\u1ee7 nh\\u1eadt" in script or "Chủ nhật" in script  # "Sunday" of the calendar widget


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_vietnamese_is_the_default(client, url):
    html = _get(client, url)
    assert '<html lang="vi">' in html
    for vietnamese, english in NAV:
        assert vietnamese in html
        assert english not in html


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_english_via_language_cookie(client, url):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _get(client, url)
    assert '<html lang="en">' in html
    for vietnamese, english in NAV:
        assert english in html
        assert vietnamese not in html


@pytest.mark.parametrize("url", ["/", "/thu-tuc/?q=khai+sinh"])
def test_search_box_in_english(client, url):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _get(client, url)
    for vietnamese, english in SEARCH_BOX:
        assert english in html
        assert vietnamese not in html


def test_tracking_form_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _get(client, "/tra-cuu")
    assert "Dossier code" in html
    assert "Mã hồ sơ" not in html


def test_set_language_switches_to_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/tra-cuu"})
    assert response.status_code == 302
    assert response["Location"] == "/tra-cuu"
    html = _get(client, "/tra-cuu")
    assert "Track a dossier" in html
    assert "Tra cứu hồ sơ" not in html

    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    html = _get(client, "/")
    assert "Trang chủ" in html
    assert "Skip to main content" not in html
