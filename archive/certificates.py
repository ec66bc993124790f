"""The archive's own signing certificate and the trust roots for pushed signatures.

* The archive seals the access copy of every pushed file with its own key
  (``settings.HEDANG_ARCHIVE_KEY`` / ``HEDANG_ARCHIVE_CERT``, PEM). For the embedded default
  ``manage.py create_archive_certificate`` makes a self-signed one under
  ``$HEDANG_DATA_DIR/keys/``; outside production it is also made on first use.
* Signatures in pushed PDFs are validated against the CA certificates in
  ``settings.HEDANG_TRUST_ROOTS_DIR`` (PEM or DER files, one or more certificates each) plus the
  archive's own certificate, so the archive's seal validates too. Nothing is ever fetched.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CERT_SUFFIXES = {".pem", ".crt", ".cer", ".der"}
DEFAULT_SUBJECT = "核档电子档案归档签章"

_lock = threading.Lock()
_signer_cache: dict[tuple, object] = {}
_roots_cache: dict[tuple, list[asn1_x509.Certificate]] = {}


class CertificateError(ImproperlyConfigured):
    """The archive certificate is missing or unusable."""


@dataclass(frozen=True)
class ArchiveCertificate:
    key_path: Path
    cert_path: Path
    subject: str
    not_after: dt.datetime
    sha256: str


def create_archive_certificate(
    key_path: Path | None = None,
    cert_path: Path | None = None,
    *,
    common_name: str = DEFAULT_SUBJECT,
    organization: str = "核档",
    days: int = 3650,
    force: bool = False,
) -> ArchiveCertificate:
    """A self-signed ECDSA P-256 certificate for sealing, written with mode 0600."""
    key_path = Path(key_path or settings.HEDANG_ARCHIVE_KEY)
    cert_path = Path(cert_path or settings.HEDANG_ARCHIVE_CERT)
    if not force and (key_path.exists() or cert_path.exists()):
        raise FileExistsError(f"归档签章证书已存在：{cert_path}（使用 --force 覆盖）")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "湖北省"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(key_path, key_pem)
    _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    clear_caches()
    return describe(key_path, cert_path)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def describe(key_path: Path, cert_path: Path) -> ArchiveCertificate:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return ArchiveCertificate(
        key_path=key_path,
        cert_path=cert_path,
        subject=str(cn[0].value) if cn else cert.subject.rfc4514_string(),
        not_after=cert.not_valid_after_utc,
        sha256=cert.fingerprint(hashes.SHA256()).hex(),
    )


def ensure_archive_certificate() -> tuple[Path, Path]:
    """The key and certificate paths; made on first use outside production."""
    key_path = Path(settings.HEDANG_ARCHIVE_KEY)
    cert_path = Path(settings.HEDANG_ARCHIVE_CERT)
    if key_path.exists() and cert_path.exists():
        return key_path, cert_path
    if not settings.HEDANG_ARCHIVE_CERT_AUTO:
        raise CertificateError(
            f"缺少归档签章证书 {cert_path}：请运行 manage.py create_archive_certificate"
        )
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    with _lock, open(cert_path.parent / ".archive-cert.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # other web processes wait, then find it made
        if not (key_path.exists() and cert_path.exists()):
            create_archive_certificate(key_path, cert_path, force=True)
    return key_path, cert_path


def _stamp(path: Path) -> tuple:
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size)


def archive_signer():
    """pyHanko's SimpleSigner for the archive certificate (cached while the files stay)."""
    from pyhanko.sign import signers

    key_path, cert_path = ensure_archive_certificate()
    cache_key = (_stamp(key_path), _stamp(cert_path))
    signer = _signer_cache.get(cache_key)
    if signer is None:
        signer = signers.SimpleSigner.load(str(key_path), str(cert_path))
        if signer is None:
            raise CertificateError(f"无法读取归档签章证书或私钥：{cert_path}")
        _signer_cache.clear()
        _signer_cache[cache_key] = signer
    return signer


def archive_certificate() -> asn1_x509.Certificate:
    return archive_signer().signing_cert


def load_certificates(data: bytes) -> list[asn1_x509.Certificate]:
    """Every certificate in a PEM (one or several blocks) or DER file."""
    if pem.detect(data):
        return [
            asn1_x509.Certificate.load(der)
            for kind, _headers, der in pem.unarmor(data, multiple=True)
            if kind == "CERTIFICATE"
        ]
    return [asn1_x509.Certificate.load(data)]


def trust_roots() -> list[asn1_x509.Certificate]:
    """The CA certificates of HEDANG_TRUST_ROOTS_DIR (reloaded when the folder changes)."""
    folder = Path(settings.HEDANG_TRUST_ROOTS_DIR)
    files = (
        sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in CERT_SUFFIXES)
        if folder.is_dir()
        else []
    )
    cache_key = tuple(_stamp(p) for p in files)
    roots = _roots_cache.get(cache_key)
    if roots is None:
        roots = []
        for path in files:
            try:
                roots.extend(load_certificates(path.read_bytes()))
            except (ValueError, TypeError):
                continue  # not a certificate: ignored, as a browser's trust store would
        _roots_cache.clear()
        _roots_cache[cache_key] = roots
    return list(roots)


def validation_context():
    """A fresh pyHanko ValidationContext: configured roots + the archive certificate, no
    network, revocation soft-fail."""
    from pyhanko_certvalidator import ValidationContext

    roots = trust_roots() + [archive_certificate()]
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")


def clear_caches() -> None:
    _signer_cache.clear()
    _roots_cache.clear()
