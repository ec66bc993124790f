"""The shared tokenizer and query parser (no database)."""

from __future__ import annotations

from search.snippets import snippet
from search.text import highlight_pattern, name_key, normalize, parse_query, tokens


def test_han_runs_become_bigrams_and_a_final_unigram():
    assert tokens("张伟华") == ["张伟", "伟华", "华"]
    assert tokens("张") == ["张"]
    assert tokens("户主：张伟。") == ["户主", "主", "张伟", "伟"]


def test_words_are_whole_lower_case_tokens():
    assert tokens("3,215.40 元") == ["3", "215", "40", "元"]
    assert tokens("鄂A12345") == ["鄂", "a12345"]
    assert tokens("第42010220240300017aaf1号") == ["第", "42010220240300017aaf1", "号"]


def test_normalisation_width_and_ocr_spaces():
    assert normalize("张 伟  华 ３，２１５") == "张伟华 3,215"
    assert normalize("入 户\n核 查") == "入户核查"
    assert tokens("ＡＢＣ１２３") == ["abc123"]
    assert normalize("张伟 3215") == "张伟 3215"  # only spaces between Han characters go


def test_query_phrases():
    (p,) = parse_query("张伟").phrases
    assert p.tokens == ("张伟",) and not p.prefix
    (p,) = parse_query("伟").phrases
    assert p.tokens == ("伟",) and p.prefix
    (p,) = parse_query("伟3215").phrases
    assert p.tokens == ("伟", "3215") and not p.prefix
    (p,) = parse_query("3215张").phrases
    assert p.tokens == ("3215", "张") and p.prefix
    (p,) = parse_query("张伟华").phrases
    assert p.tokens == ("张伟", "伟华")


def test_query_terms_and_ocr_spacing():
    q = parse_query("张伟 低保")
    assert [p.tokens for p in q.phrases] == [("张伟",), ("低保",)]
    assert q.names == ("张伟", "低保")
    q = parse_query("核 对 报 告")
    assert [p.tokens for p in q.phrases] == [("核对", "对报", "报告")]
    assert parse_query("  ").empty and parse_query("，。").empty


def test_identifiers_become_their_core():
    for typed in ("第42010220240300017aaf1号", "42010220240300017aaf1", "第42010220240300017aaf1"):
        q = parse_query(typed)
        assert q.identifier == "report_number"
        assert q.phrases[0].tokens == ("42010220240300017aaf1",)
    q = parse_query("11010519491231002x")
    assert q.identifier == "resident_id" and q.phrases[0].tokens == ("11010519491231002x",)
    q = parse_query("居经授第420102202400000123号")
    assert q.phrases[0].tokens == ("420102202400000123",)
    q = parse_query("Z420102-HD·2024-D10-GC-0001")
    assert q.identifier == "archive_number"
    assert q.phrases[0].tokens == ("z420102", "hd", "2024", "d10", "gc", "0001")
    assert not q.names


def test_name_key():
    assert name_key("阿依古丽·买买提") == "阿依古丽买买提"
    assert name_key(" 张 伟 ") == "张伟"


def test_highlight_is_whole_word_for_numbers():
    pattern = highlight_pattern(parse_query("3,215.40"))
    text = "存款 13,215.40 元，收入 3,215.40 元"
    assert [m.group(0) for m in pattern.finditer(text)] == ["3,215.40"]
    pattern = highlight_pattern(parse_query("张伟"))
    assert pattern.search("户主张伟华").group(0) == "张伟"


def test_snippet_escapes_and_marks():
    pattern = highlight_pattern(parse_query("张伟"))
    html = snippet(["<b>户主</b> 张伟 & 李娜"], pattern)
    assert html == "&lt;b&gt;户主&lt;/b&gt; <mark>张伟</mark> &amp; 李娜"
    long = "甲" * 200 + "张伟" + "乙" * 200
    html = snippet([long], pattern)
    assert html.startswith("…") and html.endswith("…") and "<mark>张伟</mark>" in html
    assert snippet(["", "题名"], highlight_pattern(parse_query("无关"))) == "题名"
