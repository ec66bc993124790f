"""采集批次: the batches of the user's jurisdiction, one batch's live progress, and retry."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from archive import audit
from archive.masking import shown_id_number
from archive.models import Item
from archive.views.access import audited_access
from ingest import review
from ingest.models import Batch, Document
from ingest.progress import batch_progress
from ingest.views.common import (
    INGEST_PERMISSION,
    IngestView,
    batch_url,
    get_batch_or_deny,
    get_document_or_deny,
    safe_next,
)

FAILED = (Document.Status.REJECTED, Document.Status.ATTENTION)


def household_label(user, household) -> str:
    if household is None:
        return ""
    return f"{household.head_name}户（{shown_id_number(user, household.head_id_number)}）"


def document_rows(batch: Batch, user) -> list[dict]:
    """Each document of the batch as the page and its JSON show it."""
    documents = list(batch.documents.select_related("item", "duplicate_of").order_by("pk"))
    linked = {d.item_id for d in documents} | {d.duplicate_of_id for d in documents}
    visible = set(
        Item.objects.visible_to(user).filter(pk__in=linked - {None}).values_list("pk", flat=True)
    )
    may_retry = user.has_perm(INGEST_PERMISSION)
    rows = []
    for document in documents:
        target = document.item or document.duplicate_of
        shown = target is not None and target.pk in visible
        review_url = ""
        if shown and target.status == Item.Status.REVIEW and user.has_perm("archive.change_item"):
            review_url = reverse("ingest:review", args=(target.pk,))
        rows.append(
            {
                "id": document.pk,
                "name": document.original_name,
                "status": document.status,
                "status_label": document.get_status_display(),
                "error": document.error,
                "size": document.size,
                "item_label": str(target) if shown else "",
                "item_url": reverse("archive_item:detail", args=(target.pk,)) if shown else "",
                "review_url": review_url,
                "retry_url": (
                    reverse("ingest:retry", args=(document.pk,))
                    if may_retry and document.status == Document.Status.ATTENTION
                    else ""
                ),
            }
        )
    return rows


class BatchIndexView(IngestView):
    template_name = "ingest/batch_index.html"
    page_title = "采集批次"
    header_icon = "clipboard-list"
    model = Batch
    per_page = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        finished = Q(documents__status__in=Document.FINISHED)
        batches = (
            review.visible_batches(user)
            .select_related("agency", "created_by", "household", "station", "subtype")
            .annotate(
                total=Count("documents"),
                done=Count("documents", filter=finished),
                failed=Count("documents", filter=Q(documents__status__in=FAILED)),
                filed=Count("documents", filter=Q(documents__status=Document.Status.FILED)),
                waiting=Count("documents", filter=Q(documents__status=Document.Status.REVIEW)),
            )
            .order_by("-created_at", "-pk")
        )
        page = Paginator(batches, self.per_page).get_page(self.request.GET.get("p"))
        for batch in page:
            batch.household_label = household_label(user, batch.household)
        context.update(page_obj=page, batches=page.object_list)
        return context


class BatchDetailView(IngestView):
    template_name = "ingest/batch_detail.html"
    header_icon = "clipboard-list"
    model = Batch
    crumbs = (("ingest:batches", "采集批次"),)

    def get(self, request, *args, **kwargs):
        self.batch = get_batch_or_deny(request, kwargs["pk"])
        audit.record(audit.Action.VIEW, self.batch, request=request)
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return f"批次 {self.batch.pk}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        progress = batch_progress(self.batch)
        context.update(
            batch=self.batch,
            household=household_label(user, self.batch.household),
            progress=progress,
            percent=_percent(progress),
            rows=document_rows(self.batch, user),
            progress_url=reverse("ingest:batch_progress", args=(self.batch.pk,)),
        )
        return context


def _percent(progress) -> int:
    return round(100 * progress.done / progress.total) if progress.total else 100


@audited_access
@require_GET
def batch_progress_json(request, pk):
    """What the batch page polls every second: counts and the documents' states."""
    batch = get_batch_or_deny(request, pk)
    progress = batch_progress(batch)
    return JsonResponse(
        {
            **progress.as_json(),
            "percent": _percent(progress),
            "documents": document_rows(batch, request.user),
        },
        json_dumps_params={"ensure_ascii": False},
    )


@audited_access
@require_POST
def retry_document(request, pk):
    """Put a document that needs attention back in the queue (重试)."""
    document = get_document_or_deny(request, pk)
    try:
        review.retry(document)
    except review.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已重新排队：{document.original_name}")
    return redirect(safe_next(request, batch_url(document.batch)))
