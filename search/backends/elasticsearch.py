"""The Elasticsearch backend (``HEDANG_SEARCH=elasticsearch``, ``ELASTICSEARCH_URL``).

Identical results by construction: documents are sent *pre-tokenised* by search/text.py
(fields ``tok_keys tok_names tok_title tok_body``, tokens joined by spaces) and indexed
with a whitespace-only analyzer, so Elasticsearch holds exactly the tokens, at exactly the
positions, that SQLite and PostgreSQL hold. Its own ``cjk_bigram`` filter was not used: it
emits no bigram for a lone Han character between non-Han text and treats mixed runs
differently, so equivalence would rest on matching two tokenizers' corner cases.

Queries are the same phrases: ``match_phrase`` per phrase (any of the four fields, boosted
like bm25 weights elsewhere), and for a trailing single Han character
``match_phrase_prefix``. The text fields have ``index_prefixes`` of exactly one character,
so that prefix is answered from an indexed prefix term (a term or span query), not a
bounded expansion: no result is lost for a common character. Jurisdiction and filters are
``filter`` clauses, so ``hits.total`` is exact up to ``RANK_LIMIT`` (``track_total_hits``),
as in the embedded backends. Exact names come first through a script sort on ``fullnames``,
then ``_score``, then item id.

The index is reached through an alias (``HEDANG_SEARCH_ES_INDEX``, default
``hedang-items``); ``rebuild`` fills a new ``<alias>-<timestamp>`` index and swaps the alias
in one ``_aliases`` call, then drops the old index: no downtime.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from search.backends import (
    FACET_LIMIT,
    FACETS,
    RANK_LIMIT,
    Filters,
    RawHit,
    RawResult,
    SearchBackend,
)
from search.documents import FIELDS, IndexDocument, batched
from search.text import ParsedQuery, Phrase

ANALYZER = "hedang_tokens"
TEXT_FIELDS = ("keys", "names", "title", "body")
BOOSTS = {"keys": 8.0, "names": 4.0, "title": 2.0, "body": 1.0}
MAX_EXPANSIONS = 10_000  # only used if the prefix field could not answer a prefix


def index_settings() -> dict:
    return {
        "number_of_shards": 1,  # one shard: the same term statistics for every query
        "analysis": {
            "tokenizer": {"hedang_whitespace": {"type": "whitespace", "max_token_length": 1024}},
            "analyzer": {ANALYZER: {"type": "custom", "tokenizer": "hedang_whitespace"}},
        },
    }


def index_mappings() -> dict:
    tokens = {
        "type": "text",
        "analyzer": ANALYZER,
        "index_options": "positions",
        "index_prefixes": {"min_chars": 1, "max_chars": 1},
    }
    stored = {"type": "text", "index": False}
    keyword = {"type": "keyword"}
    number = {"type": "long"}
    return {
        "dynamic": "strict",
        "properties": {
            **{f"tok_{f}": tokens for f in TEXT_FIELDS},
            "fullnames": keyword,
            "item_id": number,
            "agency_id": number,
            "region_code": keyword,
            "household_id": number,
            "head_id_number": keyword,
            "archive_number": keyword,
            "category": keyword,
            "subtype_id": number,
            "subtype": keyword,
            "business_type": keyword,
            "year": {"type": "integer"},
            "title": stored,
            "keys": stored,
            "names": stored,
            "text": stored,
            "households": stored,
            "fingerprint": keyword,
        },
    }


def document_source(doc: IndexDocument) -> dict:
    source = {f: getattr(doc, f) for f in FIELDS}
    if not doc.households:  # the usual item; an index made before the field accepts it
        del source["households"]
    for field, tokens in doc.token_columns().items():
        source[f"tok_{field}"] = " ".join(tokens)
    source["fullnames"] = doc.name_keys()
    source["fingerprint"] = doc.fingerprint
    return source


def phrase_clause(phrase: Phrase) -> dict:
    text = " ".join(phrase.tokens)
    kind = "match_phrase_prefix" if phrase.prefix else "match_phrase"
    should = []
    for field in TEXT_FIELDS:
        spec: dict = {"query": text, "boost": BOOSTS[field]}
        if phrase.prefix:
            spec["max_expansions"] = MAX_EXPANSIONS
        should.append({kind: {f"tok_{field}": spec}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def filter_clauses(filters: Filters) -> list[dict]:
    out: list[dict] = []
    if filters.agency_ids is not None:
        out.append({"terms": {"agency_id": sorted(filters.agency_ids)}})
    if filters.category:
        out.append({"term": {"category": filters.category}})
    if filters.subtype_ids is not None:
        out.append({"terms": {"subtype_id": sorted(filters.subtype_ids)}})
    if filters.business_type:
        out.append({"term": {"business_type": filters.business_type}})
    if filters.year:
        out.append({"term": {"year": int(filters.year)}})
    return out


_clients: dict[str, object] = {}  # one client (and connection pool) per URL

EXACT_NAME_SCRIPT = (
    "for (n in params.names) { if (doc['fullnames'].contains(n)) { return 1; } } return 0;"
)


def search_body(
    query: ParsedQuery,
    filters: Filters,
    limit: int,
    offset: int,
    facets: bool,
    rank_limit: int = RANK_LIMIT,
) -> dict:
    sort: list = [{"_score": {"order": "desc"}}, {"item_id": {"order": "asc"}}]
    if query.names:
        script = {"source": EXACT_NAME_SCRIPT, "params": {"names": list(query.names)}}
        sort.insert(0, {"_script": {"type": "number", "script": script, "order": "desc"}})
    body: dict = {
        "query": {
            "bool": {
                "must": [phrase_clause(p) for p in query.phrases],
                "filter": filter_clauses(filters),
            }
        },
        "from": offset,
        "size": limit,
        "sort": sort,
        "track_scores": True,
        "track_total_hits": rank_limit,
        "_source": list(FIELDS),
    }
    if facets:
        body["aggs"] = {f: {"terms": {"field": f, "size": 1000}} for f in FACETS}
    return body


def parse_response(
    response: dict, query: ParsedQuery, facets: bool, facet_limit: int = FACET_LIMIT
) -> RawResult:
    hits = []
    for h in response["hits"]["hits"]:
        values = {f: h["_source"].get(f) for f in FIELDS}
        values["households"] = values["households"] or ""
        doc = IndexDocument(**values)
        exact = bool(query.names) and bool(h.get("sort") and h["sort"][0] >= 1)
        hits.append(RawHit(doc, float(h.get("_score") or 0.0), exact))
    counts: dict[str, dict[str, int]] = {}
    total = response["hits"]["total"]["value"]
    counted_all = response["hits"]["total"].get("relation", "eq") == "eq"
    if facets and counted_all and total <= facet_limit:  # the same rule as the embedded backends
        aggs = response.get("aggregations", {})
        for f in FACETS:
            counts[f] = {str(b["key"]): b["doc_count"] for b in aggs.get(f, {}).get("buckets", [])}
    return RawResult(total, hits, counts, total_exact=counted_all)


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"
    transactional = False  # writes go out after the database commits

    def __init__(self, client, alias: str = "hedang-items", refresh: str | bool = "wait_for"):
        self.client = client
        self.alias = alias
        self.refresh = refresh

    @classmethod
    def from_settings(cls) -> ElasticsearchBackend:
        from django.conf import settings
        from elasticsearch import Elasticsearch

        url = getattr(settings, "HEDANG_SEARCH_ES_URL", "")
        if not url:
            raise RuntimeError("HEDANG_SEARCH=elasticsearch needs ELASTICSEARCH_URL")
        if url not in _clients:
            _clients[url] = Elasticsearch(url, request_timeout=30)
        return cls(
            _clients[url],
            alias=getattr(settings, "HEDANG_SEARCH_ES_INDEX", "hedang-items"),
            refresh=getattr(settings, "HEDANG_SEARCH_ES_REFRESH", "wait_for"),
        )

    # -- index management -----------------------------------------------------------------

    def new_index_name(self) -> str:
        return f"{self.alias}-{dt.datetime.now(dt.UTC).strftime('%Y%m%d%H%M%S%f')}"

    def create_index(self, name: str, with_alias: bool) -> None:
        aliases = {self.alias: {}} if with_alias else None
        self.client.indices.create(
            index=name, settings=index_settings(), mappings=index_mappings(), aliases=aliases
        )

    def ensure_index(self) -> None:
        if not self.client.indices.exists_alias(name=self.alias):
            self.create_index(self.new_index_name(), with_alias=True)

    def _bulk(self, operations: list[dict], index: str, refresh) -> None:
        if not operations:
            return
        response = self.client.bulk(operations=operations, index=index, refresh=refresh)
        if response.get("errors"):
            failed = [
                item
                for item in response["items"]
                for op, result in item.items()
                if result.get("status", 200) >= 300
                and not (op == "delete" and result["status"] == 404)
            ]
            if failed:
                raise RuntimeError(f"Elasticsearch bulk request failed: {failed[:3]}")

    @staticmethod
    def index_operations(documents: Iterable[IndexDocument]) -> list[dict]:
        ops: list[dict] = []
        for doc in documents:
            ops.append({"index": {"_id": str(doc.item_id)}})
            ops.append(document_source(doc))
        return ops

    def upsert(self, documents: list[IndexDocument]) -> None:
        self.ensure_index()
        self._bulk(self.index_operations(documents), self.alias, self.refresh)

    def delete(self, item_ids: Iterable[int]) -> None:
        self.ensure_index()
        ops = [{"delete": {"_id": str(i)}} for i in item_ids]
        self._bulk(ops, self.alias, self.refresh)

    def rebuild(self, documents: Iterable[IndexDocument], batch: int = 500) -> int:
        new = self.new_index_name()
        self.create_index(new, with_alias=False)
        n = 0
        for chunk in batched(documents, batch):
            self._bulk(self.index_operations(chunk), new, False)
            n += len(chunk)
        self.client.indices.refresh(index=new)
        old = []
        if self.client.indices.exists_alias(name=self.alias):
            old = list(self.client.indices.get_alias(name=self.alias))
        actions = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": new, "alias": self.alias}})
        self.client.indices.update_aliases(actions=actions)
        for index in old:
            self.client.indices.delete(index=index)
        return n

    # -- reading --------------------------------------------------------------------------

    def search(
        self,
        query,
        filters,
        *,
        limit=20,
        offset=0,
        facets=True,
        facet_limit=FACET_LIMIT,
        rank_limit=RANK_LIMIT,
    ) -> RawResult:
        if query.empty or filters.nothing:
            return RawResult(0, [], {})
        self.ensure_index()
        body = search_body(query, filters, limit, offset, facets, rank_limit)
        response = self.client.search(index=self.alias, body=body)
        return parse_response(dict(response), query, facets, facet_limit)

    def fingerprints(self) -> Iterator[tuple[int, str]]:
        from elasticsearch import helpers

        self.ensure_index()
        for hit in helpers.scan(
            self.client,
            index=self.alias,
            query={"query": {"match_all": {}}},
            _source=["fingerprint"],
        ):
            yield int(hit["_id"]), hit["_source"]["fingerprint"]
