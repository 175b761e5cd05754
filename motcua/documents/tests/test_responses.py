from __future__ import annotations

from urllib.parse import unquote

from motcua.documents.responses import pdf_response


def test_inline_pdf_with_ascii_and_utf8_filenames():
    response = pdf_response(b"%PDF-1.7 test", "Giấy tiếp nhận 000.22.07.H49-261122-0007")
    disposition = response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.7 test"
    assert response["Content-Length"] == str(len(b"%PDF-1.7 test"))
    assert disposition.startswith("inline; ")
    assert 'filename="Giay-tiep-nhan-000.22.07.H49-261122-0007.pdf"' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "Giấy tiếp nhận 000.22.07.H49-261122-0007.pdf"
    disposition.encode("ascii")  # a header value must be pure ASCII
    assert response["Cache-Control"] == "private, no-store"


def test_hostile_filename_cannot_break_the_header_or_name_a_path():
    response = pdf_response(b"%PDF", '../../etc/passwd";\r\nX-Evil: 1 Đơn.PDF')
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition
    assert "\n" not in disposition
    ascii_part = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert "/" not in ascii_part
    assert ascii_part.endswith(".pdf")
    assert ascii_part.count(".pdf") == 1
    unicode_part = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert "/" not in unicode_part
    assert '"' not in unicode_part
    assert unicode_part.endswith("Đơn.PDF")


def test_empty_filename_gets_a_default():
    assert 'filename="bieu-mau.pdf"' in pdf_response(b"%PDF", "  ")["Content-Disposition"]
