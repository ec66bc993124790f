"""The embedded index's document table (one row per indexed item).

On SQLite the FTS5 table ``hedang_search_fts`` (contentless, rowid = item id) sits beside
it; on PostgreSQL this table also carries ``fullnames`` (text[]) and ``tsv_head``, and the
narrow :class:`SearchMatch` table carries ``tsv`` (a tsvector of the shared tokens, GIN
indexed). Both are created by this app's migration and written
by raw SQL in search/backends/; Django only owns the plain columns (so ``flush`` and the
admin work). ``item_id`` is not a foreign key: the index never blocks deleting an item.
"""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    item_id = models.BigIntegerField("件", primary_key=True)
    agency_id = models.BigIntegerField("核对机构", db_index=True)
    region_code = models.CharField("行政区划代码", max_length=6)
    household_id = models.BigIntegerField("户", null=True)
    head_id_number = models.CharField("户主身份证号", max_length=18, blank=True)
    archive_number = models.CharField("档号", max_length=80, blank=True)
    category = models.CharField("材料类别", max_length=20)
    subtype_id = models.BigIntegerField("子类")
    subtype = models.CharField("子类名称", max_length=50)
    business_type = models.CharField("核对项目", max_length=2, blank=True)
    year = models.PositiveSmallIntegerField("形成年度", null=True)
    title = models.TextField("题名", blank=True)
    keys = models.TextField("编号", blank=True)
    names = models.TextField("姓名", blank=True)
    text = models.TextField("文字", blank=True)
    fingerprint = models.CharField("指纹", max_length=32)
    households = models.TextField("关联的户", blank=True, default="")

    class Meta:
        db_table = "hedang_search_document"
        verbose_name = "检索文档"
        verbose_name_plural = "检索文档"
        default_permissions = ()

    def __str__(self) -> str:
        return self.archive_number or str(self.item_id)


class SearchMatch(models.Model):
    """PostgreSQL's match table: the filter columns of each document and (added by the
    migration, written by search/backends/postgres.py) its ``tsv``, out of line, so one row
    is ~100 bytes and counting a query's matches reads few, cached pages. On SQLite it stays
    empty. A model so that ``flush`` empties it with the documents."""

    item_id = models.BigIntegerField("件", primary_key=True)
    agency_id = models.BigIntegerField("核对机构", db_index=True)
    category = models.CharField("材料类别", max_length=20)
    subtype_id = models.BigIntegerField("子类")
    business_type = models.CharField("核对项目", max_length=2, blank=True)
    year = models.PositiveSmallIntegerField("形成年度", null=True)

    class Meta:
        db_table = "hedang_search_match"
        verbose_name = "检索匹配"
        verbose_name_plural = "检索匹配"
        default_permissions = ()

    def __str__(self) -> str:
        return str(self.item_id)
