"""What verification trusts: roots (``MOTCUA_SIGNING_TRUST_ROOTS``) and revocation lists (``…_CRLS``).

Development default: the root and the CA's revocation list of ``motcua pki init``. Files are read once
per process and re-read when they change (``pki revoke`` rewrites the list).
"""

from __future__ import annotations

import threading
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko_certvalidator import ValidationContext

from motcua.signing.pades import validation_context

_lock = threading.Lock()
_cache: dict[
    tuple[tuple[str, float], ...],
    tuple[list[asn1_x509.Certificate], list[bytes], list[asn1_x509.Certificate]],
] = {}


def trust_root_paths() -> list[Path]:
    configured = settings.MOTCUA_SIGNING_TRUST_ROOTS
    return (
        [Path(p) for p in configured] if configured else [Path(settings.MOTCUA_SIGNING_KEY_DIR) / "root.crt"]
    )


def crl_paths() -> list[Path]:
    configured = settings.MOTCUA_SIGNING_CRLS
    return [Path(p) for p in configured] if configured else [Path(settings.MOTCUA_SIGNING_KEY_DIR) / "ca.crl"]


def _intermediate_paths() -> list[Path]:
    return [Path(settings.MOTCUA_SIGNING_KEY_DIR) / "ca.crt"]


def _der_list(path: Path) -> list[bytes]:
    data = path.read_bytes()
    if pem.detect(data):
        return [der for _, _, der in pem.unarmor(data, multiple=True)]
    return [data]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


def _material() -> tuple[list[asn1_x509.Certificate], list[bytes], list[asn1_x509.Certificate]]:
    roots, crls, others = trust_root_paths(), crl_paths(), _intermediate_paths()
    key = tuple((str(p), _mtime(p)) for p in (*roots, *crls, *others))
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    material = (
        [asn1_x509.Certificate.load(der) for p in roots if p.exists() for der in _der_list(p)],
        [der for p in crls if p.exists() for der in _der_list(p)],
        [asn1_x509.Certificate.load(der) for p in others if p.exists() for der in _der_list(p)],
    )
    with _lock:
        _cache.clear()
        _cache[key] = material
    return material


def context_factory() -> ValidationContext:
    """A fresh validation context (pyHanko keeps per-validation state in it) on the cached material."""
    roots, crls, others = _material()
    return validation_context(trust_roots=roots, crls=crls, others=others)


def trust_configured() -> bool:
    return bool(_material()[0])
