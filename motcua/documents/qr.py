"""QR code (mã QR) that links a printed receipt to the public dossier-tracking page.

Generated in pure Python with ``segno`` as SVG and handed to typst as bytes: typst's own QR packages
download from the typst package registry at compile time, which production servers (and this
workplace) cannot reach, and a vector image stays sharp at any print resolution.
"""

from __future__ import annotations

import io
from functools import lru_cache
from urllib.parse import urlsplit

import segno


def tracking_url_check(url: str) -> str:
    """Return ``url`` if it is an absolute http(s) URL, else raise ``ValueError``.

    The URL becomes a clickable link in the PDF, so a ``javascript:`` or ``file:`` URL must never
    get through, whatever the caller passes.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"Địa chỉ tra cứu hồ sơ phải là URL http(s) tuyệt đối, nhận được {url!r}")
    return url


# Choosing the best of the eight QR masks in pure Python is the costliest step of a receipt (~5-10 ms);
# reprints of the same receipt reuse the result.
@lru_cache(maxsize=256)
def qr_svg(url: str) -> str:
    """SVG text of a QR code encoding ``url`` (error correction M, standard 4-module quiet zone).

    Level M survives a crease or a smudge on a paper receipt while keeping the code small enough for a
    2.5 cm print; the quiet zone is drawn as part of the image so the layout cannot crowd it.
    """
    code = segno.make(tracking_url_check(url), error="m", micro=False, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", border=4, xmldecl=False, svgclass=None, lineclass=None)
    return out.getvalue().decode("ascii")
