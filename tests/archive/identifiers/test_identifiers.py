"""archive.identifiers: resident IDs, report numbers, authorization numbers, 档号 (pure, no DB)."""

from __future__ import annotations

import os
import pickle
import string
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.identifiers import (
    BUSINESS_CODES,
    DEFAULT_ARCHIVE_NUMBER_PATTERN,
    NATURES,
    ArchiveNumber,
    ArchiveNumberPattern,
    AuthorizationNumber,
    IdentifierError,
    ReportNumber,
    ResidentId,
    classify,
    format_authorization_number,
    format_report_number,
    is_valid_resident_id,
    mask_resident_id,
    normalize_width,
    parse_authorization_number,
    parse_report_number,
    parse_resident_id,
    resident_id_check_char,
)

PROJECT = Path(__file__).resolve().parents[3]
TODAY = date(2025, 6, 1)
DAT22_PATTERN = "{fonds}-{doc_class}·{year}-{retention}-{org}-{number:04d}"


def iso7064_check(body: str) -> str:
    """ISO 7064 MOD 11-2, written independently of the module's weight table."""
    s = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body))
    c = (12 - s % 11) % 11
    return "X" if c == 10 else str(c)


def make_id(body17: str) -> str:
    return body17 + iso7064_check(body17)


def rule_of(func, *args, **kwargs) -> IdentifierError:
    with pytest.raises(IdentifierError) as info:
        func(*args, **kwargs)
    return info.value


# --------------------------------------------------------------------------------------------
# IdentifierError and width normalisation
# --------------------------------------------------------------------------------------------


def test_identifier_error_is_value_error_with_rule_and_message():
    err = IdentifierError("校验码错误：应为 X，实为 4", "check_digit")
    assert isinstance(err, ValueError)
    assert err.rule == "check_digit"
    assert str(err) == "校验码错误：应为 X，实为 4"
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.rule, str(copy)) == ("check_digit", str(err))


def test_normalize_width():
    assert normalize_width("１２３ＡＢＣａｂｃ") == "123ABCabc"
    assert normalize_width("（－．・）") == "(-.・)"
    assert normalize_width("\u3000x\u3000") == " x "
    assert normalize_width("第号居经授") == "第号居经授"
    assert normalize_width("") == ""


def test_module_imports_without_django():
    code = (
        "import sys; import archive.identifiers as m; "
        "assert not [k for k in sys.modules if k.startswith('django')], 'django imported'; "
        "print(m.parse_resident_id('11010519491231002X').sex)"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "女"


# --------------------------------------------------------------------------------------------
# Resident ID
# --------------------------------------------------------------------------------------------


def test_domain_vectors_are_valid():
    a = parse_resident_id("11010519491231002X")
    assert a == ResidentId(
        value="11010519491231002X",
        region_code="110105",
        birth_date=date(1949, 12, 31),
        sequence="002",
        sex="女",
        check_char="X",
    )
    b = parse_resident_id("360426199101010071")
    assert (b.region_code, b.birth_date, b.sequence, b.sex, b.check_char) == (
        "360426",
        date(1991, 1, 1),
        "007",
        "男",
        "1",
    )
    assert is_valid_resident_id("11010519491231002X")
    assert is_valid_resident_id("360426199101010071")


def test_check_char_function():
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_check_char("36042619910101007") == "1"
    assert rule_of(resident_id_check_char, "1234").rule == "length"
    assert rule_of(resident_id_check_char, "1101051949123100A").rule == "charset"


def test_lower_case_x_is_normalised():
    assert parse_resident_id("11010519491231002x").value == "11010519491231002X"


def test_full_width_and_whitespace():
    r = parse_resident_id("\u3000１１０１０５１９４９１２３１００２ｘ \n")
    assert r.value == "11010519491231002X"
    assert parse_resident_id("  360426199101010071\t").value == "360426199101010071"


def test_sex_from_17th_digit():
    assert parse_resident_id(make_id("42010219850315123")).sex == "男"
    assert parse_resident_id(make_id("42010219850315124")).sex == "女"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "长度错误：身份证号为空"),
        ("11010519491231002", "长度错误：身份证号应为 18 位，实为 17 位"),
        ("11010519491231002X1", "长度错误：身份证号应为 18 位，实为 19 位"),
    ],
)
def test_length(value, expected):
    err = rule_of(parse_resident_id, value)
    assert err.rule == "length"
    assert str(err) == expected


def test_fifteen_digit_ids_get_a_hint():
    err = rule_of(parse_resident_id, "110105491231002")
    assert err.rule == "length"
    assert "15 位" in str(err)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1101051949A231002X", "第 11 位「A」不是数字"),
        ("X1010519491231002X", "第 1 位「X」不是数字"),
        ("11010519491231002Y", "第 18 位「Y」应为数字或 X"),
        ("110105 9491231002X", "第 7 位「 」不是数字"),
    ],
)
def test_charset(value, fragment):
    err = rule_of(parse_resident_id, value)
    assert err.rule == "charset"
    assert fragment in str(err)


@pytest.mark.parametrize("first", ["0", "9"])
def test_region_first_digit(first):
    err = rule_of(parse_resident_id, make_id(first + "1010519491231002"))
    assert err.rule == "region"
    assert "1–8" in str(err)


def test_old_region_codes_stay_valid():
    # 429001 / 420000-style codes that no list may contain: only the shape is checked.
    assert is_valid_resident_id(make_id("42999919800101001"))
    assert is_valid_resident_id(make_id("80000019800101001"))


def test_feb_30_is_not_a_date():
    err = rule_of(parse_resident_id, make_id("42010219910230123"))
    assert err.rule == "birth_date"
    assert str(err) == "出生日期错误：19910230 不是有效日期"


@pytest.mark.parametrize("body", ["42010219001301123", "42010219000229123", "42010219990000123"])
def test_other_impossible_dates(body):
    assert rule_of(parse_resident_id, make_id(body)).rule == "birth_date"


def test_leap_day_2000_is_fine():
    assert parse_resident_id(make_id("42010220000229123")).birth_date == date(2000, 2, 29)


def test_before_1880():
    err = rule_of(parse_resident_id, make_id("42010218791231123"))
    assert err.rule == "birth_date"
    assert "1880" in str(err)
    assert parse_resident_id(make_id("42010218800101123")).birth_date == date(1880, 1, 1)


def test_future_birth_date():
    value = make_id("42010220250602123")
    err = rule_of(parse_resident_id, value, today=TODAY)
    assert err.rule == "future_birth_date"
    assert str(err) == "出生日期错误：2025-06-02 晚于今天（2025-06-01）"
    # born today is fine
    assert parse_resident_id(make_id("42010220250601123"), today=TODAY)
    # and with the real today, a birth date next year is always in the future
    next_year = date.today().year + 1
    assert rule_of(parse_resident_id, make_id(f"420102{next_year}0101123")).rule == (
        "future_birth_date"
    )


def test_wrong_check_digit_messages():
    err = rule_of(parse_resident_id, "110105194912310024")
    assert err.rule == "check_digit"
    assert str(err) == "校验码错误：应为 X，实为 4"
    err = rule_of(parse_resident_id, "36042619910101007X")
    assert str(err) == "校验码错误：应为 1，实为 X"
    assert not is_valid_resident_id("110105194912310024")


def test_is_valid_never_raises():
    for junk in (None, 123, b"11010519491231002X", "", "abc"):
        assert is_valid_resident_id(junk) is False  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("420102198503151234", "420102********1234"),
        ("11010519491231002x", "110105********002X"),
        (" ４２０１０２１９８５０３１５１２３４ ", "420102********1234"),
        ("420102850315123", "420102********3"),
        ("4201021985", "42********"),
        ("1234", "****"),
        ("", ""),
        ("42010219850315123456", "420102**********3456"),
    ],
)
def test_mask(value, masked):
    assert mask_resident_id(value) == masked


def test_mask_never_reveals_more_than_ten_characters():
    for n in range(30):
        value = "".join(str(i % 10) for i in range(n))
        masked = mask_resident_id(value)
        assert len(masked) == n
        assert sum(c != "*" for c in masked) <= min(10, max(0, n - 8))
    assert mask_resident_id(None) == ""  # type: ignore[arg-type]


# --- hypothesis -----------------------------------------------------------------------------

valid_bodies = st.builds(
    lambda first, rest, born, seq: f"{first}{rest}{born:%Y%m%d}{seq:03d}",
    st.integers(1, 8),
    st.text(alphabet=string.digits, min_size=5, max_size=5),
    st.dates(min_value=date(1880, 1, 1), max_value=date.today()),
    st.integers(0, 999),
)


@given(valid_bodies)
def test_parser_agrees_with_iso7064(body):
    expected = iso7064_check(body)
    assert resident_id_check_char(body) == expected
    parsed = parse_resident_id(body + expected)
    assert parsed.check_char == expected
    assert parsed.birth_date == date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    assert parsed.sex == ("男" if int(body[16]) % 2 else "女")
    for wrong in "0123456789X":
        if wrong != expected:
            err = rule_of(parse_resident_id, body + wrong)
            assert err.rule == "check_digit"
            assert str(err) == f"校验码错误：应为 {expected}，实为 {wrong}"


@given(valid_bodies)
def test_every_single_character_corruption_is_rejected(body):
    value = make_id(body)
    for pos in range(18):
        for ch in "0123456789X":
            if ch == value[pos]:
                continue
            corrupted = value[:pos] + ch + value[pos + 1 :]
            assert not is_valid_resident_id(corrupted), corrupted


# --------------------------------------------------------------------------------------------
# Report number
# --------------------------------------------------------------------------------------------

REPORT = "第42010220240300017aaf1号"


def test_report_example():
    r = parse_report_number(REPORT)
    assert r == ReportNumber(
        value=REPORT,
        region_code="420102",
        year=2024,
        month=3,
        serial=17,
        business_code="aa",
        business_name="最低生活保障",
        nature="f",
        nature_name="首次报告",
        copy=1,
    )


@pytest.mark.parametrize(
    "variant",
    [
        "42010220240300017aaf1号",
        "第42010220240300017aaf1",
        "42010220240300017aaf1",
        "  第42010220240300017aaf1号\u3000",
        "第４２０１０２２０２４０３０００１７ａａｆ１号",
    ],
)
def test_report_tolerated_forms_normalise(variant):
    assert parse_report_number(variant).value == REPORT


def test_report_business_names_and_natures():
    for code, name in BUSINESS_CODES.items():
        assert parse_report_number(f"第42010220240300017{code}f1号").business_name == name
    assert len(BUSINESS_CODES) == 8
    for code in ("ai", "az", "zz", "qq"):
        assert parse_report_number(f"第42010220240300017{code}f1号").business_name == "其他"
    for nature, name in NATURES.items():
        r = parse_report_number(f"第42010220240300017ab{nature}2号")
        assert (r.nature, r.nature_name, r.copy) == (nature, name, 2)
    assert NATURES == {"f": "首次报告", "s": "复核报告", "t": "再次复核报告"}


def test_report_multi_digit_copy():
    assert parse_report_number("第42010220240300017aas12号").copy == 12


@pytest.mark.parametrize(
    ("value", "rule", "fragment"),
    [
        ("第4201022024030017aaf1号", "length", "实为 16 位"),
        ("第420102202403000170aaf1号", "length", "实为 18 位"),
        ("第02010220240300017aaf1号", "region", "首位应为 1–8"),
        ("第42010219990300017aaf1号", "year", "1999"),
        ("第42010229990300017aaf1号", "year", "2999"),
        ("第42010220240000017aaf1号", "month", "实为 00"),
        ("第42010220241300017aaf1号", "month", "实为 13"),
        ("第42010220240300000aaf1号", "serial", "00000"),
        ("第42010220240300017AAf1号", "business_code", "「AA」"),
        ("第42010220240300017a1号", "business_code", "「a」"),
        ("第42010220240300017号", "business_code", "空"),
        ("第42010220240300017aax1号", "nature", "「x」"),
        ("第42010220240300017aaF1号", "nature", "「F」"),
        ("第42010220240300017aa1号", "nature", "空"),
        ("第42010220240300017aaff1号", "nature", "「ff」"),
        ("第42010220240300017aaf0号", "copy", "「0」"),
        ("第42010220240300017aaf01号", "copy", "「01」"),
        ("第42010220240300017aaf号", "copy", "空"),
        ("第42010220240300017aaf1a号", "copy", "「1a」"),
        ("第42010220240300017aaf1号码", "suffix", "「码」"),
        ("第号", "pattern", "例如"),
        ("第一份报告", "pattern", "例如"),
    ],
)
def test_report_rules(value, rule, fragment):
    err = rule_of(parse_report_number, value, today=TODAY)
    assert err.rule == rule, str(err)
    assert fragment in str(err)


def test_report_year_window_follows_today():
    assert parse_report_number("第42010220260100001aaf1号", today=TODAY).year == 2026
    assert rule_of(parse_report_number, "第42010220270100001aaf1号", today=TODAY).rule == "year"
    assert parse_report_number("第42010220000100001aaf1号", today=TODAY).year == 2000


def test_report_region_membership():
    codes = {"420102", "420103"}
    assert parse_report_number(REPORT, valid_region_codes=codes).region_code == "420102"
    err = rule_of(parse_report_number, "第42999920240300017aaf1号", valid_region_codes=codes)
    assert err.rule == "region"
    assert "429999" in str(err)
    # without a list any 1–8 leading code passes
    assert parse_report_number("第42999920240300017aaf1号")


def test_format_report_number():
    assert format_report_number("420102", 2024, 3, 17, "aa", "f", 1) == REPORT
    assert format_report_number("420102", 2024, 12, 99999, "zz", "t", 10).endswith("99999zzt10号")
    assert rule_of(format_report_number, "420102", 2024, 3, 0, "aa", "f", 1).rule == "serial"
    assert rule_of(format_report_number, "420102", 2024, 3, 100000, "aa", "f", 1).rule == "serial"
    assert rule_of(format_report_number, "420102", 2024, 13, 1, "aa", "f", 1).rule == "month"
    assert rule_of(format_report_number, "4201", 2024, 3, 1, "aa", "f", 1).rule == "region"
    assert rule_of(format_report_number, "420102", 2024, 3, 1, "AA", "f", 1).rule == (
        "business_code"
    )
    assert rule_of(format_report_number, "420102", 2024, 3, 1, "aa", "x", 1).rule == "nature"
    assert rule_of(format_report_number, "420102", 2024, 3, 1, "aa", "f", 0).rule == "copy"


@given(
    region=st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    year=st.integers(2000, date.today().year + 1),
    month=st.integers(1, 12),
    serial=st.integers(1, 99999),
    code=st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=2),
    nature=st.sampled_from("fst"),
    copy=st.integers(1, 10**6),
)
def test_report_round_trip(region, year, month, serial, code, nature, copy):
    value = format_report_number(region, year, month, serial, code, nature, copy)
    r = parse_report_number(value)
    assert (r.region_code, r.year, r.month, r.serial, r.business_code, r.nature, r.copy) == (
        region,
        year,
        month,
        serial,
        code,
        nature,
        copy,
    )
    assert r.value == value


# --------------------------------------------------------------------------------------------
# Authorization number
# --------------------------------------------------------------------------------------------

AUTH = "居经授第420102202400000123号"


def test_authorization_example():
    assert parse_authorization_number(AUTH) == AuthorizationNumber(
        value=AUTH, region_code="420102", year=2024, serial=123
    )


@pytest.mark.parametrize(
    "variant",
    ["居经授第420102202400000123", " 居经授第４２０１０２２０２４０００００１２３号 "],
)
def test_authorization_tolerated_forms(variant):
    assert parse_authorization_number(variant).value == AUTH


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("420102202400000123号", "prefix"),
        ("第420102202400000123号", "prefix"),
        ("居经授420102202400000123号", "prefix"),
        ("经授第420102202400000123号", "prefix"),
        ("居经授第420102202400000123号号", "suffix"),
        ("居经授第420102202400000123号x", "suffix"),
        ("居经授第42010220240000012a号", "charset"),
        ("居经授第4201022024000001号", "length"),
        ("居经授第4201022024000001234号", "length"),
        ("居经授第", "length"),
        ("居经授第920102202400000123号", "region"),
        ("居经授第420102199900000123号", "year"),
        ("居经授第420102202400000000号", "serial"),
    ],
)
def test_authorization_rules(value, rule):
    err = rule_of(parse_authorization_number, value, today=TODAY)
    assert err.rule == rule, str(err)


def test_authorization_region_membership_and_format():
    assert parse_authorization_number(AUTH, valid_region_codes={"420102"})
    assert rule_of(parse_authorization_number, AUTH, valid_region_codes={"420103"}).rule == (
        "region"
    )
    assert format_authorization_number("420102", 2024, 123) == AUTH
    assert format_authorization_number("420102", 2024, 99_999_999).endswith("99999999号")
    assert rule_of(format_authorization_number, "420102", 2024, 0).rule == "serial"
    assert rule_of(format_authorization_number, "420102", 2024, 10**8).rule == "serial"
    assert rule_of(format_authorization_number, "42010", 2024, 1).rule == "region"


# --------------------------------------------------------------------------------------------
# Archive number 档号
# --------------------------------------------------------------------------------------------


def test_default_pattern_constant():
    assert DEFAULT_ARCHIVE_NUMBER_PATTERN == (
        "{fonds}-{doc_class}·{year}-{retention}-{category_code}-{number:04d}"
    )
    assert ArchiveNumberPattern().template == DEFAULT_ARCHIVE_NUMBER_PATTERN


def test_dat22_example():
    p = ArchiveNumberPattern(DAT22_PATTERN)
    a = p.parse("Z109-WS·2011-D10-BGS-0001")
    assert a == ArchiveNumber(
        value="Z109-WS·2011-D10-BGS-0001",
        fields={
            "fonds": "Z109",
            "doc_class": "WS",
            "year": "2011",
            "retention": "D10",
            "org": "BGS",
            "number": "0001",
        },
        number=1,
        class_key="Z109-WS·2011-D10-BGS-",
    )
    assert hash(a) == hash(p.parse("Z109-WS·2011-D10-BGS-0001"))
    assert p.describe() == "全宗号-门类代码·年度-保管期限-机构(问题)代码-件号(4位)"


def test_default_pattern_format_parse_and_class_key():
    p = ArchiveNumberPattern(DEFAULT_ARCHIVE_NUMBER_PATTERN)
    fields = {
        "fonds": "Z109",
        "doc_class": "HD",
        "year": 2024,
        "retention": "D10",
        "category_code": "GC",
    }
    value = p.format(number=1, **fields)
    assert value == "Z109-HD·2024-D10-GC-0001"
    assert p.class_key(**fields) == "Z109-HD·2024-D10-GC-"
    # number is ignored by class_key, extra fields are ignored by both
    assert p.class_key(number=7, org="X", **fields) == p.class_key(**fields)
    assert p.format(number="12", unused="whatever", **fields) == "Z109-HD·2024-D10-GC-0012"
    a = p.parse(value)
    assert (a.number, a.class_key) == (1, p.class_key(**fields))
    assert p.format(**a.fields) == value
    assert p.parse(p.format(number=9999, **fields)).number == 9999


@pytest.mark.parametrize(
    "typed",
    [
        "Z109-HD.2024-D10-GC-0001",
        "Z109-HD．2024-D10-GC-0001",
        "Z109-HD・2024-D10-GC-0001",
        "z109-hd·2024-d10-gc-0001",
        "Ｚ１０９－ＨＤ·２０２４－Ｄ１０－ＧＣ－０００１",
        "Z109–HD·2024—D10-GC-0001",
        "  Z109-HD·2024-D10-GC-0001 ",
    ],
)
def test_archive_typed_variants_normalise(typed):
    p = ArchiveNumberPattern()
    assert p.parse(typed).value == "Z109-HD·2024-D10-GC-0001"


@pytest.mark.parametrize("retention", ["Y", "D30", "D10", "C50"])
def test_archive_retention_codes(retention):
    p = ArchiveNumberPattern()
    assert p.parse(f"Z109-HD·2024-{retention}-GC-0001").fields["retention"] == retention


@pytest.mark.parametrize(
    ("value", "rule", "fragment"),
    [
        ("Z109-HD·2024-D10-GC-001", "number", "「001」"),
        ("Z109-HD·2024-D10-GC-00001", "number", "「00001」"),
        ("Z109-HD·2024-D10-GC-0000", "number", "0000"),
        ("Z109-HD·2024-D10-GC-00A1", "number", "「00A1」"),
        ("Z109-HD·24-D10-GC-0001", "year", "「24」"),
        ("Z109-HD·1899-D10-GC-0001", "year", "1899"),
        ("Z109-HD·2027-D10-GC-0001", "year", "2027"),
        ("Z109-HD·2024-X10-GC-0001", "retention", "「X10」"),
        ("Z109-HD·2024-D1-GC-0001", "retention", "「D1」"),
        ("Z109-HD·2024-D10-0001", "pattern", "全宗号-门类代码·年度-保管期限-类别代码-件号(4位)"),
        ("Z109-HD·2024-D10-G C-0001", "pattern", "档号格式错误"),
        ("Z109-HD/2024-D10-GC-0001", "pattern", "档号格式错误"),
        ("", "pattern", "档号格式错误"),
    ],
)
def test_archive_rules(value, rule, fragment):
    err = rule_of(ArchiveNumberPattern().parse, value, today=TODAY)
    assert err.rule == rule, str(err)
    assert fragment in str(err)


def test_archive_format_errors():
    p = ArchiveNumberPattern()
    fields = {"fonds": "Z109", "doc_class": "HD", "year": 2024, "retention": "D10"}
    err = rule_of(p.format, number=1, **fields)
    assert err.rule == "pattern"
    assert "category_code" in str(err)
    full = {**fields, "category_code": "GC"}
    assert rule_of(p.format, number=0, **full).rule == "number"
    assert rule_of(p.format, number=10000, **full).rule == "number"
    assert rule_of(p.format, number="abc", **full).rule == "number"
    assert rule_of(p.format, number=1, **{**full, "year": 24}).rule == "year"
    assert rule_of(p.format, number=1, **{**full, "retention": "10"}).rule == "retention"
    assert rule_of(p.format, number=1, **{**full, "fonds": "Z-1"}).rule == "pattern"
    assert rule_of(p.class_key, **fields).rule == "pattern"


def test_archive_custom_patterns():
    p = ArchiveNumberPattern("{fonds}/{year}/{number:05d}")
    assert p.parse("Z109/2024/00042").number == 42
    assert rule_of(p.parse, "Z109/2024/0042").rule == "number"
    free = ArchiveNumberPattern("{fonds}-{year}-{number}")
    assert free.parse("Z109-2024-123456").number == 123456
    assert free.format(fonds="Z109", year="2024", number=7) == "Z109-2024-7"
    twice = ArchiveNumberPattern("{year}-{fonds}-{year}-{number:03d}")
    assert twice.parse("2024-Z1-2024-001").class_key == "2024-Z1-2024-"
    assert rule_of(twice.parse, "2024-Z1-2023-001").rule == "pattern"
    dotted = ArchiveNumberPattern("{fonds}-{doc_class}.{year}-{number:04d}")
    assert dotted.parse("Z109-WS·2011-0001").value == "Z109-WS.2011-0001"


@pytest.mark.parametrize(
    "template",
    [
        "",
        "{fonds}-{year}",
        "{fonds}-{number:04d}-{number:04d}",
        "{fonds}-{number:4x}",
        "{fonds!r}-{number:04d}",
        "{fonds:>5}-{number:04d}",
        "{0}-{number:04d}",
        "{fonds-{number:04d}",
    ],
)
def test_bad_templates(template):
    with pytest.raises(ValueError):
        ArchiveNumberPattern(template)


@given(
    fonds=st.from_regex(r"[A-Z][A-Z0-9]{0,5}", fullmatch=True),
    doc_class=st.from_regex(r"[A-Z]{2}", fullmatch=True),
    year=st.integers(1900, date.today().year + 1),
    retention=st.sampled_from(["Y", "D30", "D10"]),
    org=st.from_regex(r"[A-Z0-9]{1,4}", fullmatch=True),
    number=st.integers(1, 9999),
)
def test_archive_round_trip(fonds, doc_class, year, retention, org, number):
    p = ArchiveNumberPattern(DAT22_PATTERN)
    fields = {"fonds": fonds, "doc_class": doc_class, "year": year, "retention": retention}
    value = p.format(number=number, org=org, **fields)
    a = p.parse(value)
    assert (a.value, a.number) == (value, number)
    assert a.class_key == p.class_key(org=org, **fields)
    assert a.fields["year"] == f"{year}"


# --------------------------------------------------------------------------------------------
# classify
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "canonical"),
    [
        ("11010519491231002x", "resident_id", "11010519491231002X"),
        ("360426199101010071", "resident_id", "360426199101010071"),
        (REPORT, "report_number", REPORT),
        ("42010220240300017aaf1", "report_number", REPORT),
        ("42010220240300017aaf1号", "report_number", REPORT),
        (AUTH, "authorization_number", AUTH),
        ("Z109-HD·2024-D10-GC-0001", "archive_number", "Z109-HD·2024-D10-GC-0001"),
        ("Z109-HD.2024-D10-GC-0001", "archive_number", "Z109-HD·2024-D10-GC-0001"),
        ("Z109-WS·2011-D10-BGS-0001", "archive_number", "Z109-WS·2011-D10-BGS-0001"),
    ],
)
def test_classify_valid(value, kind, canonical):
    got_kind, parsed, error = classify(value)
    assert (got_kind, error) == (kind, None)
    assert parsed.value == canonical


@pytest.mark.parametrize(
    ("value", "kind", "rule"),
    [
        ("110105194912310024", "resident_id", "check_digit"),
        ("11010519491231002", "resident_id", "length"),
        ("42010219910230123X", "resident_id", "birth_date"),
        ("第42010220241300017aaf1号", "report_number", "month"),
        ("42010220240300017AAF1", "report_number", "business_code"),
        ("居经授第4201022024000001号", "authorization_number", "length"),
        ("居经受第420102202400000123号", "authorization_number", "prefix"),
        ("经授第420102202400000123号", "authorization_number", "prefix"),
        ("Z109-HD·2024-D10-GC-001", "archive_number", "number"),
        ("Z109-HD.24-D10-GC-0001", "archive_number", "year"),
        ("Z109·2024", "archive_number", "pattern"),
    ],
)
def test_classify_recognised_but_invalid(value, kind, rule):
    got_kind, parsed, error = classify(value, today=TODAY)
    assert got_kind == kind
    assert parsed is None
    assert isinstance(error, IdentifierError)
    assert error.rule == rule, str(error)


@pytest.mark.parametrize(
    "garbage", ["", "   ", "hello", "12345", "3.14", "!!!", "张伟", "abc-def", "2024-03-18"]
)
def test_classify_garbage(garbage):
    kind, parsed, error = classify(garbage)
    assert kind is None
    assert parsed is None
    assert error is not None and error.rule == "unknown"


def test_classify_uses_given_pattern_and_regions():
    p = ArchiveNumberPattern("{fonds}/{year}/{number:05d}")
    kind, parsed, error = classify("Z109/2024/00042", p)
    assert (kind, error) == ("archive_number", None)
    assert parsed.number == 42
    assert classify("Z109/2024/00042")[0] is None
    kind, _, error = classify(REPORT, valid_region_codes={"420103"})
    assert (kind, error.rule) == ("report_number", "region")
    kind, _, error = classify(AUTH, valid_region_codes={"420102"})
    assert (kind, error) == ("authorization_number", None)
