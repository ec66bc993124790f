"""统计: the figures behind the statistics page and its XLSX export.

Every figure is computed from the user's own jurisdiction (``visible_to``). Holdings count
filed items; scanning counts pages of the documents submitted per day and station (the pages
of the item each document became); the OCR backlog is the documents still queued or being
read; the review queue age buckets the items waiting in 待确认.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Min, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from archive.categories import Category
from archive.models import Item
from ingest import review
from ingest.models import Batch, Document
from staffui.charts import Bar

DAYS = 30
AGE_BUCKETS = [(0, 1, "不到 1 天"), (1, 3, "1–3 天"), (3, 7, "3–7 天"), (7, 30, "7–30 天")]
OVER = "30 天以上"


@dataclass
class Statistics:
    by_category: list[Bar] = field(default_factory=list)
    by_subtype: list[Bar] = field(default_factory=list)
    by_year: list[Bar] = field(default_factory=list)
    by_agency: list[Bar] = field(default_factory=list)
    days: list[str] = field(default_factory=list)
    pages_by_station: dict[str, list[int]] = field(default_factory=dict)
    ocr_backlog: list[Bar] = field(default_factory=list)
    ocr_oldest: dt.datetime | None = None
    review_age: list[Bar] = field(default_factory=list)


def _items_url(**params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse('archive_item:index')}?{query}"


def compute(user, today: dt.date | None = None) -> Statistics:
    stats = Statistics()
    filed = Item.objects.visible_to(user).filter(status=Item.Status.FILED)
    labels = dict(Category.choices)
    for row in filed.values("category").annotate(n=Count("pk")).order_by("-n"):
        stats.by_category.append(
            Bar(
                labels.get(row["category"], row["category"] or "未分类"),
                row["n"],
                _items_url(status="filed", category=row["category"]),
            )
        )
    for row in filed.values("subtype", "subtype__name").annotate(n=Count("pk")).order_by("-n")[:30]:
        url = _items_url(status="filed", subtype=row["subtype"]) if row["subtype"] else ""
        stats.by_subtype.append(Bar(row["subtype__name"] or "未定子类", row["n"], url))
    for row in filed.values("year").annotate(n=Count("pk")).order_by("-year")[:20]:
        url = _items_url(status="filed", year=row["year"]) if row["year"] else ""
        stats.by_year.append(Bar(str(row["year"] or "未定年度"), row["n"], url))
    for row in filed.values("agency", "agency__name").annotate(n=Count("pk")).order_by("-n")[:40]:
        stats.by_agency.append(
            Bar(row["agency__name"], row["n"], _items_url(status="filed", agency=row["agency"]))
        )
    _scanning(user, stats, today or timezone.localdate())
    _review_age(user, stats)
    return stats


def _station_label(batch_source: str, station: str | None) -> str:
    if station:
        return station
    return dict(Batch.Source.choices).get(batch_source, batch_source)


def _scanning(user, stats: Statistics, today: dt.date) -> None:
    start = today - dt.timedelta(days=DAYS - 1)
    stats.days = [(start + dt.timedelta(days=n)).isoformat() for n in range(DAYS)]
    index = {d: n for n, d in enumerate(stats.days)}
    documents = review.visible_documents(user)
    rows = (
        documents.filter(created_at__date__gte=start)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "batch__source", "batch__station__label", "batch__station__name")
        .annotate(pages=Sum("item__page_count"))
    )
    series: dict[str, list[int]] = defaultdict(lambda: [0] * DAYS)
    for row in rows:
        station = row["batch__station__label"] or row["batch__station__name"]
        n = index.get(row["day"].isoformat())
        if n is not None:
            series[_station_label(row["batch__source"], station)][n] += row["pages"] or 0
    stats.pages_by_station = dict(sorted(series.items()))
    backlog = documents.filter(status__in=(Document.Status.QUEUED, Document.Status.PROCESSING))
    status_labels = dict(Document.Status.choices)
    for row in backlog.values("status").annotate(n=Count("pk")).order_by("status"):
        stats.ocr_backlog.append(Bar(status_labels[row["status"]], row["n"]))
    stats.ocr_oldest = backlog.aggregate(oldest=Min("created_at"))["oldest"]


def _review_age(user, stats: Statistics) -> None:
    from ingest.views.common import REVIEW_PERMISSION

    now = timezone.now()
    counts = [0] * (len(AGE_BUCKETS) + 1)
    for created in review.review_queue(user).values_list("created_at", flat=True):
        days = (now - created).total_seconds() / 86400
        slot = next((n for n, (lo, hi, _) in enumerate(AGE_BUCKETS) if lo <= days < hi), None)
        counts[len(AGE_BUCKETS) if slot is None else slot] += 1
    # Drill-down to the queue only for those who may open it (inspectors see the figures).
    url = reverse("ingest:review_queue") if user.has_perm(REVIEW_PERMISSION) else ""
    names = [label for _, _, label in AGE_BUCKETS] + [OVER]
    stats.review_age = [Bar(name, count, url) for name, count in zip(names, counts, strict=True)]


def sheets(stats: Statistics) -> list[tuple[str, list[str], list[list]]]:
    """The statistics as worksheets: (title, header, rows)."""
    bars = lambda bs: [[b.label, b.value] for b in bs]  # noqa: E731
    scan_rows = [
        [day, name, values[n]]
        for n, day in enumerate(stats.days)
        for name, values in stats.pages_by_station.items()
        if values[n]
    ]
    return [
        ("按材料类别", ["材料类别", "件数"], bars(stats.by_category)),
        ("按子类", ["子类", "件数"], bars(stats.by_subtype)),
        ("按年度", ["形成年度", "件数"], bars(stats.by_year)),
        ("按核对机构", ["核对机构", "件数"], bars(stats.by_agency)),
        ("每日扫描页数", ["日期", "站点", "页数"], scan_rows),
        ("识别积压", ["状态", "文件数"], bars(stats.ocr_backlog)),
        ("待确认时长", ["等待时长", "件数"], bars(stats.review_age)),
    ]
