"""The query suite every backend must pass (SQLite, PostgreSQL, Elasticsearch).

Each case: (query, filters, user key or None for unrestricted, the exact set of items
expected). Run by tests/search/test_query_suite.py on the configured database and by
tests/search/test_elasticsearch_integration.py against a real Elasticsearch.
"""

from __future__ import annotations

ALL_ZHANG_WEI = {"张伟-入户", "张伟-收入", "张伟华-收入", "黄石张伟-入户"}

CASES: list[tuple[str, dict, str | None, set[str]]] = [
    # names sharing characters: exact substring, any length
    ("张伟", {}, None, ALL_ZHANG_WEI),
    ("张伟华", {}, None, {"张伟华-收入"}),
    ("伟华", {}, None, {"张伟华-收入"}),
    ("王伟", {}, None, {"王伟-财产"}),
    ("李娜", {}, None, {"张伟-入户", "张伟-收入"}),
    ("欧阳娜娜", {}, None, {"欧阳娜娜-入户"}),
    ("欧阳娜", {}, None, {"欧阳娜娜-入户"}),
    ("阳娜娜", {}, None, {"欧阳娜娜-入户"}),
    # 1-character queries
    ("华", {}, None, {"张伟华-收入"}),
    ("娜", {}, None, {"张伟-入户", "张伟-收入", "欧阳娜娜-入户"}),
    ("伟", {}, None, ALL_ZHANG_WEI | {"王伟-财产"}),
    ("洋", {}, None, {"刘洋-报告", "刘洋-授权", "刘洋-其他"}),
    # OCR text with spaces between characters; spaces typed the OCR way
    ("入户核查表", {}, None, {"张伟-入户", "黄石张伟-入户", "欧阳娜娜-入户"}),
    ("入 户 核 查", {}, None, {"张伟-入户", "黄石张伟-入户", "欧阳娜娜-入户"}),
    ("房屋一套", {}, None, {"张伟-入户"}),
    ("户主张伟", {}, None, {"张伟-入户", "黄石张伟-入户"}),
    # several terms: all must match
    ("张伟 收入", {}, None, {"张伟-收入", "张伟华-收入", "张伟-入户"}),
    ("张伟 黄石", {}, None, {"黄石张伟-入户"}),
    # numbers are whole words
    ("3,215.40", {}, None, {"张伟-入户"}),
    ("13,215.40", {}, None, {"张伟华-收入"}),
    ("３，２１５．４０", {}, None, {"张伟-入户"}),
    ("3,215.4", {}, None, set()),
    ("215.40", {}, None, {"张伟-入户", "张伟华-收入"}),
    # mixed Chinese / digits / Latin, full width and half width
    ("鄂A12345", {}, None, {"张伟华-收入"}),
    ("a12345", {}, None, {"张伟华-收入"}),
    ("A1234", {}, None, set()),
    ("abc123", {}, None, {"王伟-财产"}),
    ("ＡＢＣ１２３", {}, None, {"王伟-财产"}),
    ("余额500元", {}, None, {"王伟-财产"}),
    ("月收入13,215.40元", {}, None, {"张伟华-收入"}),
    # report and authorization numbers, with and without 第 and 号, full width
    ("第42010220240300017aaf1号", {}, None, {"刘洋-报告", "刘洋-授权"}),
    ("42010220240300017aaf1", {}, None, {"刘洋-报告", "刘洋-授权"}),
    ("第42010220240300017aaf1", {}, None, {"刘洋-报告", "刘洋-授权"}),
    ("42010220240300017AAF1号", {}, None, {"刘洋-报告", "刘洋-授权"}),
    ("第42010220240300017aaf2号", {}, None, set()),
    ("居经授第420102202400000123号", {}, None, {"刘洋-报告", "刘洋-授权"}),
    ("420102202400000123", {}, None, {"刘洋-报告", "刘洋-授权"}),
    # what must find nothing
    ("张伟华李", {}, None, set()),
    ("秘密词", {}, None, set()),  # in review: not filed, not searchable
    ("销毁词", {}, None, set()),  # destroyed
    ("李四", {}, None, set()),
    ("。，、", {}, None, set()),
    ("", {}, None, set()),
    ("伟李", {}, None, set()),  # names are separate runs
    # jurisdiction
    ("张伟", {}, "江岸", {"张伟-入户", "张伟-收入", "张伟华-收入"}),
    ("张伟", {}, "汉阳", set()),
    ("伟", {}, "汉阳", {"王伟-财产"}),
    ("张伟", {}, "武汉", {"张伟-入户", "张伟-收入", "张伟华-收入"}),
    ("张伟", {}, "黄石港", {"黄石张伟-入户"}),
    ("张伟", {}, "湖北", ALL_ZHANG_WEI),
    ("42010220240300017aaf1", {}, "汉阳", set()),
    # filters
    ("张伟", {"category": "proof"}, None, {"张伟-收入", "张伟华-收入"}),
    ("张伟", {"subtype": "入户核查表"}, None, {"张伟-入户", "黄石张伟-入户"}),
    ("张伟", {"subtype": "RHB"}, None, {"张伟-入户", "黄石张伟-入户"}),
    ("张伟", {"year": 2023}, None, {"张伟-收入"}),
    ("张伟", {"region": "420202"}, None, {"黄石张伟-入户"}),
    ("张伟", {"region": "420100"}, None, {"张伟-入户", "张伟-收入", "张伟华-收入"}),
    ("张伟", {"region": "420202"}, "江岸", set()),
    ("刘洋", {"business_type": "aa"}, None, {"刘洋-报告", "刘洋-授权"}),
    ("刘洋", {"region": "999999"}, None, set()),
    # an item of several households (a 花名册): found by any listed household's people
    ("钱进", {}, None, {"花名册"}),
    ("孙丽红", {}, None, {"花名册"}),
    ("赵敏", {}, None, {"花名册"}),
    ("门牌九号", {}, None, {"花名册"}),
    ("孙丽红", {}, "江岸", {"花名册"}),
    ("孙丽红", {}, "汉阳", set()),
]

# (query, the item hit, the household the hit must name): the household whose member,
# number or line of text matched, not the item's first household.
ATTRIBUTION = [
    ("孙丽红", "花名册", "钱进"),  # a member of the second listed household
    ("钱进", "花名册", "钱进"),
    ("赵敏", "花名册", "赵敏"),
    ("门牌九号", "花名册", "钱进"),  # on 钱进's line of the roster
    ("城镇低保", "花名册", "赵敏"),
    ("核对委托书", "花名册", "赵敏"),  # nobody's line: the item's own household
    ("张伟华", "张伟华-收入", "张伟华"),
]


def run_case(archive, search, query, filters, user_key, expected):
    """Run one case; returns a message on failure, None on success."""
    from search.service import UNRESTRICTED

    user = archive.users[user_key] if user_key else UNRESTRICTED
    result = search(query, user, limit=50, **filters)
    by_number = {item.archive_number: key for key, item in archive.items.items()}
    got = {by_number.get(h.archive_number, h.archive_number) for h in result.hits}
    if got != expected or result.total != len(expected):
        return f"{query!r} {filters} as {user_key}: got {sorted(got)} (total {result.total}), want {sorted(expected)}"
    return None


def run_attribution(archive, search, query, item_key, household_key):
    """The hit on ``item_key`` names ``household_key``; returns a message on failure."""
    from search.service import UNRESTRICTED

    item = archive.items[item_key]
    household = archive.households[household_key]
    hits = [h for h in search(query, UNRESTRICTED, limit=50).hits if h.item_id == item.pk]
    if not hits:
        return f"{query!r}: {item_key} not found"
    named = (hits[0].household, hits[0].household_id)
    if named != (household.head_id_number, household.pk):
        return f"{query!r}: {item_key} names {named}, want {household_key}"
    return None


def run_suite(archive, search) -> list[str]:
    failures = []
    for case in CASES:
        message = run_case(archive, search, *case)
        if message:
            failures.append(message)
    for case in ATTRIBUTION:
        message = run_attribution(archive, search, *case)
        if message:
            failures.append(message)
    return failures


def identifier_cases(archive) -> list[tuple[str, set[str]]]:
    """Full IDs (one with X typed in lower case) and 档号, built from the data."""
    h, i = archive.households, archive.items
    liu = h["刘洋"].head_id_number
    assert liu.endswith("X")
    number = i["张伟华-收入"].archive_number
    return [
        (h["张伟"].head_id_number, {"张伟-入户", "张伟-收入"}),
        (h["张伟华"].head_id_number, {"张伟华-收入"}),
        (liu, {"刘洋-报告", "刘洋-授权", "刘洋-其他"}),
        (liu.lower(), {"刘洋-报告", "刘洋-授权", "刘洋-其他"}),
        (liu[:-1], set()),
        (number, {"张伟华-收入"}),
        (number.lower(), {"张伟华-收入"}),
    ]
