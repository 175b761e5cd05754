"""What verification trusts: roots (``MOTCUA_SIGNING_TRUST_ROOTS``) and revocation lists (``…_CRLS``).

Development default: the root and the CA's revocation list of ``motcua pki init``. Files are parsed
once per process and again when their bytes change (``pki revoke`` rewrites the list): each
verification reads and hashes them (≈ 1 ms per megabyte of CRL) rather than trusting modification
times, which a rewrite within one clock tick leaves unchanged.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko_certvalidator import ValidationContext

from motcua.signing.pades import validation_context

_lock = threading.Lock()
_Material = tuple[list[asn1_x509.Certificate], list[asn1_crl.CertificateList], list[asn1_x509.Certificate]]
_cache: dict[bytes, _Material] = {}


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


def _der_list(data: bytes) -> list[bytes]:
    if pem.detect(data):
        return [der for _, _, der in pem.unarmor(data, multiple=True)]
    return [data]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _material() -> _Material:
    roots, crls, others = (
        [_read(p) for p in paths] for paths in (trust_root_paths(), crl_paths(), _intermediate_paths())
    )
    digest = hashlib.sha256()
    for data in (*roots, b"", *crls, b"", *others):
        digest.update(len(data).to_bytes(8, "big") + data)
    key = digest.digest()
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    material = (
        [asn1_x509.Certificate.load(der) for data in roots if data for der in _der_list(data)],
        [asn1_crl.CertificateList.load(der) for data in crls if data for der in _der_list(data)],
        [asn1_x509.Certificate.load(der) for data in others if data for der in _der_list(data)],
    )
    with _lock:
        _cache.clear()
        _cache[key] = material
    return material


def context_factory() -> ValidationContext:
    """A fresh validation context on the cached material (0.2 ms).

    Not itself cached: it fixes the validation time when created and keeps the paths and revocation
    results of the validation it served.
    """
    roots, crls, others = _material()
    return validation_context(trust_roots=roots, crls=crls, others=others)


def trust_configured() -> bool:
    return bool(_material()[0])
