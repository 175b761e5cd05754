"""Where the signing keys live — kho khóa ký số: one interface, two real implementations.

``KeyStore.signer(SignerRef)`` gives a pyHanko ``Signer`` for a leader (their personal certificate) or a
unit (the organisation's seal certificate):

* ``FileKeyStore`` — PKCS#8 key files and certificates of the development PKI (``motcua pki init``);
* ``Pkcs11KeyStore`` — an HSM, a USB token or a remote signing service through its PKCS#11 library
  (tested against SoftHSM2): the key and its certificate are objects on the token labelled
  ``leader-<username>`` / ``unit-<agency code>``; the private key never leaves the device.

Before signing, ``certificate_usable`` refuses an expired, not yet valid or revoked certificate with a
Vietnamese message (pyHanko would sign with it; the verification would then fail).
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from asn1crypto import cms, pem
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from django.utils import timezone
from pyhanko.keys import load_cert_from_pemder
from pyhanko.sign import signers

from motcua.signing.errors import SigningRefused


@dataclass(frozen=True)
class SignerRef:
    """Whose key: a leader by username, or a unit's seal by agency code."""

    kind: str  # "leader" | "unit"
    key: str

    @property
    def label(self) -> str:
        return f"{self.kind}-{self.key}"

    @property
    def who(self) -> str:
        return f"lãnh đạo «{self.key}»" if self.kind == "leader" else f"đơn vị mã {self.key}"


class _FrozenSignedAttributes(signers.Signer):
    """Hands pyHanko its signed attributes re-read from their DER encoding, byte for byte the same.

    asn1crypto re-encodes a structure built in Python on every access (its "mutated" flag is never
    cleared), and pyHanko reaches the signed attributes — with the nested signing-certificate-v2
    attribute — several times while it signs and packs the CMS: half of a bare signature's time.
    """

    async def signed_attrs(self, *args: Any, **kwargs: Any) -> cms.CMSAttributes:
        attributes = await super().signed_attrs(*args, **kwargs)
        return cms.CMSAttributes.load(attributes.dump())


class FileSigner(_FrozenSignedAttributes, signers.SimpleSigner):
    """pyHanko's in-memory signer (a key file) with the signed attributes above."""


@functools.cache
def _pkcs11_signer_class() -> Callable[..., signers.Signer]:
    from pyhanko.sign.pkcs11 import PKCS11Signer

    class Pkcs11Signer(_FrozenSignedAttributes, PKCS11Signer):
        """pyHanko's PKCS#11 signer with the signed attributes above."""

    return Pkcs11Signer


class KeyStore(Protocol):
    """Gives a pyHanko signer for a leader or a unit; ``SigningRefused`` when it has none."""

    def signer(self, ref: SignerRef) -> signers.Signer: ...


def _certs(path: Path) -> list[asn1_x509.Certificate]:
    return [load_cert_from_pemder(str(path))] if path.exists() else []


def crl_revoked_serials(paths: list[Path]) -> set[int]:
    """Serial numbers listed in the revocation lists (DER or PEM) that exist."""
    serials: set[int] = set()
    for path in paths:
        if not path.exists():
            continue
        data = path.read_bytes()
        if pem.detect(data):
            _, _, data = pem.unarmor(data)
        crl = asn1_crl.CertificateList.load(data)
        for entry in crl["tbs_cert_list"]["revoked_certificates"] or []:
            serials.add(int(entry["user_certificate"].native))
    return serials


def certificate_usable(
    cert: asn1_x509.Certificate | None, *, ref: SignerRef, now: datetime, revoked: set[int]
) -> None:
    """``SigningRefused`` (Vietnamese) for a certificate outside its validity or on a revocation list."""
    if cert is None:
        raise SigningRefused(f"Không đọc được chứng thư số của {ref.who}.")
    validity = cert["tbs_certificate"]["validity"]
    not_before, not_after = validity["not_before"].native, validity["not_after"].native
    # The certificate's instants are UTC; the official reads the Vietnamese day.
    not_before_day = f"{timezone.localtime(not_before):%d/%m/%Y}"
    not_after_day = f"{timezone.localtime(not_after):%d/%m/%Y}"
    if now < not_before:
        raise SigningRefused(
            f"Chứng thư số của {ref.who} chưa có hiệu lực (hiệu lực từ {not_before_day}); không thể ký số."
        )
    if now > not_after:
        raise SigningRefused(
            f"Chứng thư số của {ref.who} đã hết hạn ngày {not_after_day}; vui lòng gia hạn "
            "chứng thư số trước khi ký."
        )
    if cert.serial_number in revoked:
        raise SigningRefused(f"Chứng thư số của {ref.who} đã bị thu hồi; không thể ký số.")


class FileKeyStore:
    """The development PKI's files: ``leaders/<username>.key|.crt``, ``units/<code>.key|.crt``, ``ca.crt``.

    Loaded signers are kept per process (a key file is parsed once) and reloaded when the bytes of the
    key, its certificate or the chain files change: they are read and hashed on each call (a few
    kilobytes, microseconds), which no clock tick or rewrite in place can fool as modification times can.
    """

    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        self._cache: dict[str, tuple[bytes, signers.SimpleSigner]] = {}
        self._lock = threading.Lock()

    def _path(self, ref: SignerRef) -> Path:
        folder = "leaders" if ref.kind == "leader" else "units"
        return self.dir / folder / f"{ref.key}.key"

    def signer(self, ref: SignerRef) -> signers.Signer:
        key_path = self._path(ref)
        cert_path = key_path.with_suffix(".crt")
        chain = [p for p in (self.dir / "ca.crt", self.dir / "root.crt") if p.exists()]
        try:
            stamp = _files_digest([key_path, cert_path, *chain])
        except FileNotFoundError:
            stamp = None
        if stamp is None:
            raise SigningRefused(
                f"Chưa có khóa ký số cho {ref.who} (chạy «motcua pki init» để cấp chứng thư thử nghiệm)."
            )
        with self._lock:
            cached = self._cache.get(ref.label)
            if cached is not None and cached[0] == stamp:
                return cached[1]
        loaded = signers.SimpleSigner.load(
            str(key_path), str(cert_path), ca_chain_files=tuple(str(p) for p in chain)
        )
        if loaded is None:
            raise SigningRefused(f"Không đọc được khóa ký số của {ref.who}.")
        signer = FileSigner(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
        )
        with self._lock:
            self._cache[ref.label] = (stamp, signer)
        return signer


def _files_digest(paths: list[Path]) -> bytes:
    digest = hashlib.sha256()
    for path in paths:
        data = path.read_bytes()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.digest()


class Pkcs11KeyStore:
    """Keys on a PKCS#11 token: key and certificate labelled ``<kind>-<key>`` (``SignerRef.label``).

    One session per process, opened on first use and kept (logging in to a token is slow; an HSM
    limits sessions). pyHanko's ``PKCS11Signer`` pulls the certificate from the token and signs on it.
    """

    def __init__(
        self, *, lib: str, token_label: str, pin: str, ca_chain: list[asn1_x509.Certificate]
    ) -> None:
        self.lib, self.token_label, self.pin = lib, token_label, pin
        self.ca_chain = ca_chain
        self._session: object | None = None
        self._lock = threading.Lock()

    def _open(self) -> object:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import open_pkcs11_session

        if self._session is None:
            try:
                self._session = open_pkcs11_session(
                    self.lib, token_criteria=TokenCriteria(label=self.token_label), user_pin=self.pin
                )
            except Exception as exc:  # the PKCS#11 library raises its own kinds
                raise SigningRefused(f"Không mở được thiết bị ký số (PKCS#11): {exc}") from exc
        return self._session

    def signer(self, ref: SignerRef) -> signers.Signer:
        with self._lock:
            session = self._open()
        signer = _pkcs11_signer_class()(
            session,
            cert_label=ref.label,
            key_label=ref.label,
            ca_chain=self.ca_chain,
            # Hash here, sign the digest on the token (CKM_ECDSA): many tokens (SoftHSM2 among them) have
            # no hash-and-sign ECDSA mechanism, and the digest is all that needs to stay secret-free.
            use_raw_mechanism=True,
        )
        try:
            _ = signer.signing_cert
        except Exception as exc:
            raise SigningRefused(f"Thiết bị ký số không có khóa «{ref.label}» cho {ref.who}.") from exc
        return signer

    def close(self) -> None:
        with self._lock:
            if self._session is not None:
                self._session.close()  # type: ignore[attr-defined]
                self._session = None


_STORE: KeyStore | None = None
_STORE_KEY: tuple[object, ...] | None = None


def key_store() -> KeyStore:
    """The configured store (settings ``MOTCUA_SIGNING_KEY_STORE`` …), one per process and settings."""
    from django.conf import settings

    global _STORE, _STORE_KEY
    key = (
        settings.MOTCUA_SIGNING_KEY_STORE,
        str(settings.MOTCUA_SIGNING_KEY_DIR),
        settings.MOTCUA_SIGNING_PKCS11_LIB,
        settings.MOTCUA_SIGNING_PKCS11_TOKEN_LABEL,
    )
    if _STORE is None or key != _STORE_KEY:
        directory = Path(settings.MOTCUA_SIGNING_KEY_DIR)
        if settings.MOTCUA_SIGNING_KEY_STORE == "pkcs11":
            chain = [*_certs(directory / "ca.crt"), *_certs(directory / "root.crt")]
            _STORE = Pkcs11KeyStore(
                lib=settings.MOTCUA_SIGNING_PKCS11_LIB,
                token_label=settings.MOTCUA_SIGNING_PKCS11_TOKEN_LABEL,
                pin=settings.MOTCUA_SIGNING_PKCS11_PIN,
                ca_chain=chain,
            )
        else:
            _STORE = FileKeyStore(directory)
        _STORE_KEY = key
    return _STORE


@contextmanager
def key_store_override(store: KeyStore) -> Iterator[None]:
    """Use ``store`` for the duration (tests, the benchmark)."""
    global _STORE, _STORE_KEY
    saved = _STORE, _STORE_KEY
    from django.conf import settings

    _STORE = store
    _STORE_KEY = (
        settings.MOTCUA_SIGNING_KEY_STORE,
        str(settings.MOTCUA_SIGNING_KEY_DIR),
        settings.MOTCUA_SIGNING_PKCS11_LIB,
        settings.MOTCUA_SIGNING_PKCS11_TOKEN_LABEL,
    )
    try:
        yield
    finally:
        _STORE, _STORE_KEY = saved
