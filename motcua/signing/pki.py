"""The development PKI of the province — hạ tầng khóa công khai thử nghiệm.

``motcua pki init`` writes, under one directory (``MOTCUA_SIGNING_KEY_DIR``, default ``var/pki``):

* ``root.crt`` / ``root.key``: the province's root CA (10 years) — the default trust root of verification;
* ``ca.crt`` / ``ca.key``: the organisation CA it certifies, which issues every signer certificate and
  the revocation list ``ca.crl`` (``motcua pki revoke <serial>``);
* ``leaders/<username>.key|.crt``: one certificate per leader account (CN = name, O = unit, title), 2 years;
* ``units/<agency code>.key|.crt``: the organisation (seal) certificate of each unit with a leader, 2 years;
* ``tsa.key|.crt``: the time-stamp authority of the local stand-in (``/tsa``).

Keys are ECDSA P-256, PKCS#8 PEM without a password (development only: production keeps keys in an HSM
or USB token, reached through PKCS#11). Nothing here touches the database: callers pass names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT_YEARS = 10
CA_YEARS = 10
SIGNER_YEARS = 2
# Declared in every signer certificate (CRL distribution point): validators check revocation of a
# certificate that declares where its CRL is. Verification never fetches it (it reads ``ca.crl``).
CRL_URL = "http://pki.motcua.test/ca.crl"
_PROVINCE = "Tỉnh Quảng Ninh"


@dataclass(frozen=True)
class SignerIdentity:
    """Who a certificate names: a leader (person) or a unit (organisation seal)."""

    kind: str  # "leader" | "unit"
    key: str  # username or agency code: the file name
    common_name: str
    organisation: str
    title: str = ""


def _name(common_name: str, organisation: str = _PROVINCE, title: str = "") -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, _PROVINCE),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
    ]
    if title:
        parts.append(x509.NameAttribute(NameOID.TITLE, title[:64]))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(parts)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write(path: Path, key: ec.EllipticCurvePrivateKey | None, cert: x509.Certificate) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if key is not None:
        key_path = path.with_suffix(".key")
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        key_path.chmod(0o600)
    path.with_suffix(".crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _read(path: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = serialization.load_pem_private_key(path.with_suffix(".key").read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key, x509.load_pem_x509_certificate(path.with_suffix(".crt").read_bytes())


def _issue(
    *,
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    not_before: datetime,
    not_after: datetime,
    ca: bool,
    usage: str = "sign",
    crl_url: str | None = None,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer is not None else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    elif usage == "tsa":
        builder = builder.add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    else:
        # digitalSignature + nonRepudiation (content commitment): what a PAdES signer certificate carries.
        builder = builder.add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


class Pki:
    """The files of one development PKI directory."""

    def __init__(self, directory: Path | str) -> None:
        self.dir = Path(directory)

    # -- paths ---------------------------------------------------------------------------------------

    @property
    def root_cert_path(self) -> Path:
        return self.dir / "root.crt"

    @property
    def ca_cert_path(self) -> Path:
        return self.dir / "ca.crt"

    @property
    def crl_path(self) -> Path:
        return self.dir / "ca.crl"

    def signer_path(self, kind: str, key: str) -> Path:
        folder = "leaders" if kind == "leader" else "units"
        return self.dir / folder / f"{key}.crt"

    def exists(self) -> bool:
        return self.root_cert_path.exists() and (self.dir / "ca.key").exists()

    # -- creation -------------------------------------------------------------------------------------

    def init(self, *, now: datetime | None = None) -> None:
        """Root CA, organisation CA, TSA certificate and an empty revocation list (overwrites)."""
        now = now or datetime.now(UTC)
        start = now - timedelta(minutes=5)
        root_key, ca_key, tsa_key = _key(), _key(), _key()
        root = _issue(
            subject=_name(f"{_PROVINCE} — Root CA (thử nghiệm)"),
            key=root_key,
            issuer_key=root_key,
            issuer=None,
            not_before=start,
            not_after=start + timedelta(days=365 * ROOT_YEARS),
            ca=True,
        )
        ca = _issue(
            subject=_name(f"{_PROVINCE} — CA tổ chức (thử nghiệm)"),
            key=ca_key,
            issuer_key=root_key,
            issuer=root,
            not_before=start,
            not_after=start + timedelta(days=365 * CA_YEARS),
            ca=True,
        )
        tsa = _issue(
            subject=_name("Máy chủ cấp dấu thời gian (thử nghiệm)"),
            key=tsa_key,
            issuer_key=ca_key,
            issuer=ca,
            not_before=start,
            not_after=start + timedelta(days=365 * SIGNER_YEARS),
            ca=False,
            usage="tsa",
        )
        self.dir.mkdir(parents=True, exist_ok=True)
        _write(self.dir / "root.crt", root_key, root)
        _write(self.dir / "ca.crt", ca_key, ca)
        _write(self.dir / "tsa.crt", tsa_key, tsa)
        (self.dir / "revoked.json").write_text("[]")
        self.crl_write(now=now)

    def issue(
        self,
        identity: SignerIdentity,
        *,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
    ) -> x509.Certificate:
        """A new key and certificate for a leader or a unit, issued by the organisation CA (overwrites)."""
        ca_key, ca = _read(self.dir / "ca.crt")
        start = not_before or datetime.now(UTC) - timedelta(minutes=5)
        key = _key()
        cert = _issue(
            subject=_name(identity.common_name, identity.organisation, identity.title),
            key=key,
            issuer_key=ca_key,
            issuer=ca,
            not_before=start,
            not_after=not_after or start + timedelta(days=365 * SIGNER_YEARS),
            ca=False,
            crl_url=CRL_URL,
        )
        _write(self.signer_path(identity.kind, identity.key), key, cert)
        return cert

    def issue_missing(self, identities: Iterable[SignerIdentity]) -> int:
        """Certificates for the identities that have none yet; how many were issued."""
        issued = 0
        for identity in identities:
            if not self.signer_path(identity.kind, identity.key).exists():
                self.issue(identity)
                issued += 1
        return issued

    # -- revocation -----------------------------------------------------------------------------------

    def revoked(self) -> list[int]:
        path = self.dir / "revoked.json"
        return [int(s) for s in json.loads(path.read_text())] if path.exists() else []

    def revoke(self, serial: int, *, now: datetime | None = None) -> None:
        serials = sorted({*self.revoked(), serial})
        (self.dir / "revoked.json").write_text(json.dumps([str(s) for s in serials]))
        self.crl_write(now=now)

    def crl_write(self, *, now: datetime | None = None) -> x509.CertificateRevocationList:
        """The organisation CA's CRL (valid 30 days) listing every revoked serial."""
        now = now or datetime.now(UTC)
        ca_key, ca = _read(self.dir / "ca.crt")
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca.subject)
            .last_update(now - timedelta(minutes=5))
            .next_update(now + timedelta(days=30))
            .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
            )
        )
        for serial in self.revoked():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(now - timedelta(minutes=1))
                .build()
            )
        crl = builder.sign(ca_key, hashes.SHA256())
        self.crl_path.write_bytes(crl.public_bytes(serialization.Encoding.DER))
        return crl
