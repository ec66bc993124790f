"""A test PKI and a platform that signs its reports: a CA, signer certificates, signed,
unsigned and tampered report PDFs. No Django needed (the bench uses it too)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(cn: str, org: str = "湖北省居民家庭经济状况核对平台") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass
class Signer:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    chain: list[x509.Certificate]

    @property
    def name(self) -> str:
        return str(self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)

    def pyhanko_signer(self):
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        der = self.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(
                self.cert.public_bytes(serialization.Encoding.DER)
            ),
            signing_key=asn1_keys.PrivateKeyInfo.load(der),
            cert_registry=SimpleCertificateStore.from_certs(
                [
                    asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                    for c in self.chain
                ]
            ),
        )


@dataclass
class CA:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @classmethod
    def create(cls, cn: str = "湖北核对平台测试根CA", days: int = 3650) -> CA:
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(_name(cn))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(ca=True), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        return cls(key, cert)

    def issue(self, cn: str = "核对平台报告签章", days: int = 365) -> Signer:
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(ca=False), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
            .sign(self.key, hashes.SHA256())
        )
        return Signer(key, cert, [self.cert])

    def write_pem(self, folder: Path, name: str = "platform-ca.pem") -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path


def sign_pdf(data: bytes, signer: Signer, field: str = "PlatformSignature") -> bytes:
    """The PDF with an invisible PAdES signature of the platform."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(
        field_name=field, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    return signers.sign_pdf(writer, meta, signer=signer.pyhanko_signer()).getvalue()


def report_pdf(
    report_number: str, head_name: str = "张伟", income: str = "1234.56", pages: int = 1
) -> bytes:
    """A born-digital verification report (uncompressed, so tests can alter its text)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from archive.pdf import register_cjk_font

    font = register_cjk_font()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=0)
    width, height = A4
    for page in range(1, pages + 1):
        pdf.setFont(font, 18)
        pdf.drawCentredString(width / 2, height - 90, "家庭经济状况核对报告")
        pdf.setFont(font, 11)
        pdf.drawString(72, height - 130, f"报告编号：{report_number}")
        pdf.drawString(72, height - 150, f"户主：{head_name}")
        pdf.setFont("Helvetica", 11)
        pdf.drawString(72, height - 170, f"Monthly income per person: {income} CNY (page {page})")
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def tamper_bytes(signed: bytes, income: str = "1234.56") -> bytes:
    """Change one digit of the income inside the signed byte range (same length)."""
    index = signed.index(income.encode())
    out = bytearray(signed)
    out[index] = ord("9") if out[index] != ord("9") else ord("8")
    return bytes(out)


def tamper_incremental(signed: bytes) -> bytes:
    """An incremental update after signing that replaces page 1's content: the signed
    revision stays intact, but the document shown is no longer the one signed."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (forged) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
