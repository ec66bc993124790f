"""What the Elasticsearch backend sends (no server): settings, mapping, documents, queries,
alias swaps. The integration test against a real server is test_elasticsearch_integration."""

from __future__ import annotations

import pytest

from search.backends import Filters
from search.backends.elasticsearch import (
    ANALYZER,
    ElasticsearchBackend,
    document_source,
    index_mappings,
    index_settings,
    parse_response,
    search_body,
)
from search.documents import IndexDocument
from search.text import parse_query, tokens

DOC = IndexDocument(
    item_id=7,
    agency_id=3,
    region_code="420102",
    household_id=2,
    head_id_number="11010519491231002X",
    archive_number="Z420102-HD·2024-D10-GC-0001",
    category="process",
    subtype_id=8,
    subtype="入户核查表",
    business_type="aa",
    year=2024,
    title="张伟户入户核查表",
    keys="Z420102-HD·2024-D10-GC-0001\n11010519491231002X",
    names="张伟\n李娜",
    text="户主张伟 月收入 3,215.40 元",
)


def test_analysis_is_whitespace_only_with_one_character_prefixes():
    analysis = index_settings()["analysis"]
    analyzer = analysis["analyzer"][ANALYZER]
    assert analyzer == {"type": "custom", "tokenizer": "hedang_whitespace"}
    assert analysis["tokenizer"]["hedang_whitespace"]["type"] == "whitespace"
    props = index_mappings()["properties"]
    for field in ("tok_keys", "tok_names", "tok_title", "tok_body"):
        assert props[field]["analyzer"] == ANALYZER
        assert props[field]["index_prefixes"] == {"min_chars": 1, "max_chars": 1}
        assert props[field]["index_options"] == "positions"
    assert props["fullnames"]["type"] == "keyword"
    assert props["text"]["index"] is False
    assert index_mappings()["dynamic"] == "strict"


def test_documents_carry_the_shared_tokens():
    source = document_source(DOC)
    assert source["tok_body"].split() == tokens(DOC.text)
    assert source["tok_names"] == "张伟 伟 李娜 娜"  # one name at a time
    assert source["tok_keys"].split()[-1] == "11010519491231002x"
    assert source["fullnames"] == ["张伟", "李娜"]
    assert source["fingerprint"] == DOC.fingerprint
    # households only on an item of several (an index made before the field takes the rest)
    assert set(source) | {"households"} == set(index_mappings()["properties"])
    assert "households" not in source


def test_an_item_of_several_households_sends_and_gets_back_whose_names_are_whose():
    from dataclasses import replace

    listed = replace(DOC, households="2\t11010519491231002X\t张伟\t\n5\t420102198503151234\t钱进\t")
    source = document_source(listed)
    assert source["households"] == listed.households
    assert index_mappings()["properties"]["households"] == {"type": "text", "index": False}
    assert listed.fingerprint != DOC.fingerprint
    response = {"hits": {"total": {"value": 1}, "hits": [{"_id": "7", "_source": source}]}}
    assert parse_response(response, parse_query("钱进"), facets=False).hits[0].document == listed
    old = dict(document_source(DOC))  # a document indexed before the field: no households
    response = {"hits": {"total": {"value": 1}, "hits": [{"_id": "7", "_source": old}]}}
    assert parse_response(response, parse_query("张伟"), facets=False).hits[0].document == DOC


def test_query_body_phrases_filters_and_exact_name_sort():
    body = search_body(
        parse_query("张伟华 3,215.40"),
        Filters(agency_ids=frozenset({5, 3}), category="proof", year=2024),
        limit=20,
        offset=40,
        facets=True,
    )
    must = body["query"]["bool"]["must"]
    assert must[0]["bool"]["should"][3] == {
        "match_phrase": {"tok_body": {"query": "张伟 伟华", "boost": 1.0}}
    }
    assert must[1]["bool"]["should"][0]["match_phrase"]["tok_keys"]["query"] == "3 215 40"
    assert body["query"]["bool"]["filter"] == [
        {"terms": {"agency_id": [3, 5]}},
        {"term": {"category": "proof"}},
        {"term": {"year": 2024}},
    ]
    assert body["from"] == 40 and body["size"] == 20 and body["track_total_hits"] == 20_000
    script = body["sort"][0]["_script"]
    assert script["script"]["params"] == {"names": ["张伟华"]}
    assert body["sort"][1:] == [{"_score": {"order": "desc"}}, {"item_id": {"order": "asc"}}]
    assert set(body["aggs"]) == {"category", "subtype", "business_type", "year", "region_code"}


def test_single_character_is_a_phrase_prefix():
    body = search_body(parse_query("3215张"), Filters(), 20, 0, False)
    clause = body["query"]["bool"]["must"][0]["bool"]["should"][3]
    assert clause["match_phrase_prefix"]["tok_body"]["query"] == "3215 张"
    assert "aggs" not in body
    body = search_body(parse_query("3,215.40"), Filters(), 20, 0, False)
    assert body["sort"][0] == {"_score": {"order": "desc"}}  # no name asked: no script sort


def test_identifier_query_searches_the_core():
    body = search_body(parse_query("第42010220240300017aaf1号"), Filters(), 20, 0, False)
    clause = body["query"]["bool"]["must"][0]["bool"]["should"][0]
    assert clause == {
        "match_phrase": {"tok_keys": {"query": "42010220240300017aaf1", "boost": 8.0}}
    }


def test_parse_response():
    response = {
        "hits": {
            "total": {"value": 12, "relation": "eq"},
            "hits": [
                {"_id": "7", "_score": 3.5, "sort": [1, 3.5, 7], "_source": document_source(DOC)}
            ],
        },
        "aggregations": {"year": {"buckets": [{"key": 2024, "doc_count": 12}]}},
    }
    result = parse_response(response, parse_query("张伟"), facets=True)
    assert result.total == 12 and result.hits[0].document == DOC and result.hits[0].exact_name
    assert result.facets["year"] == {"2024": 12} and result.facets["category"] == {}


class FakeIndices:
    def __init__(self, log):
        self.log, self.aliases = log, {}

    def exists_alias(self, name):
        return any(name in a for a in self.aliases.values())

    def get_alias(self, name):
        return {i: {"aliases": {name: {}}} for i, a in self.aliases.items() if name in a}

    def create(self, index, settings, mappings, aliases=None):
        self.log.append(("create", index, bool(aliases)))
        self.aliases[index] = set(aliases or {})

    def refresh(self, index):
        self.log.append(("refresh", index))

    def update_aliases(self, actions):
        self.log.append(("aliases", actions))
        for action in actions:
            ((op, spec),) = action.items()
            target = self.aliases.setdefault(spec["index"], set())
            (target.add if op == "add" else target.discard)(spec["alias"])

    def delete(self, index):
        self.log.append(("delete", index))
        del self.aliases[index]


class FakeClient:
    def __init__(self):
        self.log = []
        self.indices = FakeIndices(self.log)

    def bulk(self, operations, index, refresh):
        self.log.append(("bulk", index, refresh, operations))
        return {"errors": False, "items": []}


def test_writes_and_alias_swap_on_rebuild():
    client = FakeClient()
    backend = ElasticsearchBackend(client, alias="t-items")
    backend.upsert([DOC])
    assert client.log[0][0] == "create" and client.log[0][2] is True
    bulk = client.log[1]
    assert bulk[:3] == ("bulk", "t-items", "wait_for")
    assert (
        bulk[3][0] == {"index": {"_id": "7"}} and bulk[3][1]["archive_number"] == DOC.archive_number
    )
    backend.delete([7, 8])
    assert client.log[-1][3] == [{"delete": {"_id": "7"}}, {"delete": {"_id": "8"}}]

    (first,) = client.indices.aliases
    client.log.clear()
    assert backend.rebuild(iter([DOC, DOC]), batch=1) == 2
    created = client.log[0][1]
    assert client.log[0] == ("create", created, False)
    assert [e[0] for e in client.log] == ["create", "bulk", "bulk", "refresh", "aliases", "delete"]
    assert client.log[4][1] == [
        {"remove": {"index": first, "alias": "t-items"}},
        {"add": {"index": created, "alias": "t-items"}},
    ]
    assert client.log[5] == ("delete", first)


def test_bulk_errors_raise_but_missing_deletes_do_not():
    client = FakeClient()
    client.bulk = lambda **kw: {
        "errors": True,
        "items": [{"delete": {"status": 404}}, {"index": {"status": 400, "error": "bad"}}],
    }
    backend = ElasticsearchBackend(client, alias="t-items")
    with pytest.raises(RuntimeError, match="bulk request failed"):
        backend.upsert([DOC])
