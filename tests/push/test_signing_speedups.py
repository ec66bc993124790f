"""archive/signing_speedups.py: the one-slice hex-string reader gives pyHanko's answer for
every shape (and falls back to pyHanko's own reader for the odd ones), names compare as
before (tampered and untrusted signatures: tests/push/test_push_reports.py)."""

from __future__ import annotations

import io

import pytest
from asn1crypto import x509
from pyhanko.pdf_utils.misc import PdfStreamError

from archive import signing_speedups

signing_speedups.install()


def readers():
    from pyhanko.pdf_utils import generic

    return generic.read_hex_string_from_stream, signing_speedups.pyhanko_hex_reader


@pytest.mark.parametrize(
    "raw",
    [
        b"<48656c6c6f> tail",
        b"<48 65\n6C\r6c\t6f\x00> tail",
        b"<4865 6c6c 6f7> tail",  # odd: a trailing 0 is implied
        b"<> tail",
        b"<FEFF4E2D6587> tail",  # a UTF-16 text string
        b"<" + b"00" * 70000 + b"> tail",  # longer than one read
        b"<4865 % a comment\n6c6c6f> tail",  # a comment: pyHanko's path
    ],
)
def test_same_value_and_position_as_pyhanko(raw):
    fast, pyhanko = readers()
    assert fast is not pyhanko
    a, b = io.BytesIO(raw), io.BytesIO(raw)
    assert fast(a) == pyhanko(b)
    assert a.tell() == b.tell() and a.read() == b" tail"


@pytest.mark.parametrize("raw", [b"<48656x6c6f> tail", b"<486565"])
def test_bad_hex_strings_still_fail(raw):
    fast, _ = readers()
    with pytest.raises(PdfStreamError):
        fast(io.BytesIO(raw))


def test_names_compare_as_before():
    def name(cn: str) -> x509.Name:
        return x509.Name.build({"common_name": cn, "organization_name": "核档"})

    same = name("核对平台")
    assert same == x509.Name.load(same.dump())
    assert name("核对平台") != name("核对平台二")
    # Different bytes, equal under RFC 5280 (case and spaces folded): still equal.
    assert x509.Name.build({"common_name": "Hedang  CA"}) == x509.Name.build(
        {"common_name": "hedang ca"}, use_printable=True
    )
    assert same != "not a name"
