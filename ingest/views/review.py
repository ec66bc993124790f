"""待确认: the queue of items the pipeline could not file alone, and the decision page."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from archive import audit
from archive.categories import Category
from archive.masking import shown_id_number
from archive.models import File, Item, Page
from archive.storage import open_blob
from archive.views.access import audited_access, get_visible_or_deny, record_denied
from archive.views.hooks import extra_buttons
from ingest import review, review_actions
from ingest.forms import ReviewForm, record_denied_household
from ingest.views.common import INGEST_PERMISSION, REVIEW_PERMISSION, IngestView

IDENTIFIER_LABELS = (
    ("resident_ids", "身份证号"),
    ("report_numbers", "核对报告编号"),
    ("authorization_numbers", "授权书编号"),
    ("names", "姓名"),
    ("dates", "日期"),
)


class ReviewQueueView(IngestView):
    template_name = "ingest/review_queue.html"
    page_title = "待确认"
    header_icon = "tasks"
    permission = REVIEW_PERMISSION
    model = Item
    per_page = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        queue = review.review_queue(user).select_related("subtype", "household", "agency")
        page = Paginator(queue, self.per_page).get_page(self.request.GET.get("p"))
        attention = list(review.attention_documents(user)[:200])
        context.update(
            page_obj=page,
            items=page.object_list,
            queue_heading=f"待确认的件（{page.paginator.count} 件）",
            attention=attention,
            attention_heading=f"需处理的文件（{len(attention)} 个）",
            may_retry=user.has_perm(INGEST_PERMISSION),
            here=self.request.get_full_path(),
        )
        return context


def next_in_queue(user, after: Item | None = None) -> Item | None:
    queue = review.review_queue(user)
    if after is not None:
        queue = queue.exclude(pk=after.pk)
    return queue.first()


class ReviewItemView(IngestView):
    template_name = "ingest/review_item.html"
    header_icon = "tasks"
    permission = REVIEW_PERMISSION
    model = Item
    crumbs = (("ingest:review_queue", "待确认"),)

    def load(self, request, pk):
        self.item = get_visible_or_deny(request, Item, pk, action="change")
        # Recomputed on every visit: a household entered since the item arrived is suggested.
        self.candidates = review_actions.current_candidates(request.user, self.item)

    def get_form(self, data=None):
        return ReviewForm(data, user=self.request.user, item=self.item, candidates=self.candidates)

    def get(self, request, *args, **kwargs):
        self.load(request, kwargs["pk"])
        if self.item.status != Item.Status.REVIEW:
            messages.info(request, f"该件已{self.item.get_status_display()}，无需再确认。")
            return redirect("archive_item:detail", pk=self.item.pk)
        audit.record(audit.Action.VIEW, self.item, request=request, detail={"review": "opened"})
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load(request, kwargs["pk"])
        form = self.get_form(request.POST)
        if self.item.status != Item.Status.REVIEW:
            messages.warning(request, f"该件已{self.item.get_status_display()}，无需再确认。")
            return self._next()
        action = request.POST.get("action", "accept")
        if action in ("create_household", "reject"):
            return self._shortcut(request, action)
        if form.is_valid():
            try:
                item = review.accept(
                    self.item,
                    household=form.household_obj,
                    category=form.cleaned_data["category"],
                    subtype=form.cleaned_data["subtype"],
                    user=request.user,
                    formation_date=form.cleaned_data.get("formation_date"),
                )
            except review.ReviewError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已归档：{item.archive_number}　{item.title}")
                return self._next()
        record_denied_household(request, form, item=self.item.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def _shortcut(self, request, action: str):
        """新建户并归档, or 退回 with a reason; a refusal re-renders the page with the reason."""
        user, post = request.user, request.POST
        try:
            if action == "reject":
                review_actions.reject(self.item, reason=post.get("reason", ""), user=user)
                messages.success(request, f"已退回：{self.item.title}（原件保留，状态改为需处理）")
            else:
                subtype = (
                    review.usable_subtypes(self.item.agency)
                    .filter(pk=post.get("new_subtype") or 0)
                    .first()
                )
                if subtype is None:
                    raise review.ReviewError("请选择子类")
                item = review_actions.create_household_and_accept(
                    self.item,
                    head_id_number=post.get("new_head_id", ""),
                    head_name=post.get("new_head_name", ""),
                    subtype=subtype,
                    user=user,
                )
                messages.success(
                    request, f"已新建{item.household}并归档：{item.archive_number}　{item.title}"
                )
        except review.ReviewError as exc:
            context = self.get_context_data(form=self.get_form())
            context["shortcut_error"] = (action, str(exc))
            return self.render_to_response(context, status=400)
        return self._next()

    def _next(self):
        following = next_in_queue(self.request.user, after=self.item)
        if following is None:
            return redirect("ingest:review_queue")
        return redirect("ingest:review", pk=following.pk)

    def get_page_title(self):
        return f"确认：{self.item.title}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, item = self.request.user, self.item
        form = kwargs.get("form") or self.get_form()
        thumbnails = File.objects.visible_to(user).filter(item=item, role=File.Role.THUMBNAIL)
        pages = Page.objects.visible_to(user).filter(item=item).order_by("number")
        shots = {f.page_number: f for f in thumbnails.order_by("page_number", "pk")}
        found = (item.fields or {}).get("identifiers") or {}
        id_numbers = [shown_id_number(user, v) for v in found.get("resident_ids", [])]
        context.update(
            item=item,
            form=form,
            pages=[{"page": p, "thumbnail": shots.pop(p.number, None)} for p in pages],
            extra_thumbnails=list(shots.values()),
            identifiers=[
                (label, id_numbers if key == "resident_ids" else found.get(key, []))
                for key, label in IDENTIFIER_LABELS
            ],
            candidates=[
                {
                    "household": h,
                    "head_id": shown_id_number(user, h.head_id_number),
                    "field_id": f"id_household_{n}",
                }
                for n, h in enumerate(self.candidates)
            ],
            categories=Category.choices,
            source=(item.fields or {}).get("source") or {},
            documents=item.ingest_documents.select_related("batch").order_by("pk"),
            queue_position=_position(user, item),
            new_households=_new_households(user, item, found),
            subtypes_by_category=_subtypes_by_category(item),
            # Other apps' actions on this item (scanning: 确认拆分 of a stack); ingest names none.
            review_buttons=extra_buttons("hedang_review_item_buttons", self.request, item),
        )
        return context


def _new_households(user, item, found) -> list[dict]:
    """The resident IDs on the item that have no household yet, to make one from (archivists)."""
    if not user.has_perm("archive.add_household"):
        return []
    names = found.get("names") or []
    return [
        {
            "id_number": number,
            "shown": shown_id_number(user, number),
            "name": names[0] if names else "",
        }
        for number in review_actions.unknown_resident_ids(item)
    ]


def _subtypes_by_category(item) -> list[tuple[str, list]]:
    subtypes = list(review.usable_subtypes(item.agency).order_by("category", "order", "pk"))
    return [
        (label, [s for s in subtypes if s.category == value]) for value, label in Category.choices
    ]


def _position(user, item) -> tuple[int, int]:
    queue = review.review_queue(user)
    earlier = queue.filter(created_at__lt=item.created_at).count()
    return earlier + 1, queue.count()


@audited_access
@require_GET
def thumbnail(request, pk):
    """A page thumbnail, inline, for the review page: scoped, and its view logged."""
    file = get_visible_or_deny(request, File, pk)
    if file.role != File.Role.THUMBNAIL:
        record_denied(request, File, pk, reason="not_a_thumbnail")
        raise Http404("未找到该缩略图")
    try:
        stream = open_blob(file.sha256)
    except (FileNotFoundError, OSError):
        raise Http404("存储中找不到该文件") from None
    audit.record(
        audit.Action.VIEW,
        file,
        request=request,
        detail={"thumbnail": file.page_number, "item": file.item_id},
    )
    response = FileResponse(stream, content_type=file.media_type or "image/png")
    response["Cache-Control"] = "private, no-store"
    return response
