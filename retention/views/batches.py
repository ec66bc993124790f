"""销毁批次: the list, proposing a batch from the items appraised for destruction, one batch
with its register and the steps (head's approval, supervisors, execution, paper), the PDFs."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from archive import audit
from archive.models import Item
from archive.storage import open_blob
from archive.views.access import audited_access, get_visible_or_deny, record_denied
from retention import destruction
from retention.models import DestructionBatch
from retention.views.common import RetentionView, require


class BatchListView(RetentionView):
    template_name = "retention/batches.html"
    page_title = "销毁批次"
    permission = "retention.view_destructionbatch"
    model = DestructionBatch
    header_icon = "bin"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        batches = (
            DestructionBatch.objects.visible_to(user)
            .select_related("agency", "proposed_by")
            .order_by("-proposed_at")
        )
        proposable = list(
            destruction.proposable(user.visible_agency_ids).order_by("item__archive_number")
        )
        context.update(
            batches=batches,
            proposable=proposable,
            may_propose=user.has_perm("retention.propose_destruction"),
        )
        return context

    def post(self, request, *args, **kwargs):
        require(request, "retention.propose_destruction", DestructionBatch)
        ids = request.POST.getlist("items")
        items = list(
            Item.objects.visible_to(request.user).filter(pk__in=[i for i in ids if i.isdigit()])
        )
        if len(items) != len(ids):
            return self.refuse("所选档案不存在或不在本机构辖区内", request.path)
        try:
            batch = destruction.propose(
                items,
                title=request.POST.get("title", ""),
                reason=request.POST.get("reason", ""),
                place=request.POST.get("place", "").strip(),
                user=request.user,
                request=request,
            )
        except destruction.DestructionError as exc:
            return self.refuse(str(exc), request.path)
        messages.success(request, f"已提出销毁批次 #{batch.pk}，待机构负责人批准")
        return redirect("retention:batch", batch.pk)


class BatchDetailView(RetentionView):
    template_name = "retention/batch.html"
    permission = "retention.view_destructionbatch"
    model = DestructionBatch
    header_icon = "bin"
    crumbs = (("retention:batches", "销毁批次"),)

    def load(self, request, **kwargs) -> None:
        self.batch = get_visible_or_deny(request, DestructionBatch, kwargs["pk"])

    def get(self, request, *args, **kwargs):
        audit.record(audit.Action.VIEW, self.batch, request=request)
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return f"销毁批次 #{self.batch.pk} {self.batch.title}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        b, user = self.batch, self.request.user
        draft, approved = b.status == b.Status.DRAFT, b.status == b.Status.APPROVED
        supervisors = list(b.supervisions.select_related("user"))
        context.update(
            batch=b,
            lines=list(b.lines.all()),
            supervisions=supervisors,
            problems=destruction.readiness(b) if b.status in destruction.OPEN_STATES else [],
            may_approve=draft
            and user.has_perm("retention.approve_destruction")
            and user.pk != b.proposed_by_id,
            may_supervise=approved
            and user.has_perm("retention.supervise_destruction")
            and user.pk != b.proposed_by_id
            and all(s.user_id != user.pk for s in supervisors),
            may_execute=approved and user.has_perm("retention.execute_destruction"),
            may_cancel=b.status in destruction.OPEN_STATES
            and (user.pk == b.proposed_by_id or user.has_perm("retention.approve_destruction")),
            may_paper=b.status == b.Status.EXECUTED
            and user.has_perm("retention.execute_destruction"),
            now=timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        )
        return context

    def post(self, request, *args, **kwargs):
        b, user, step = self.batch, request.user, request.POST.get("step", "")
        try:
            if step == "approve":
                destruction.approve(b, user=user, request=request)
                done = "已批准销毁"
            elif step == "supervise":
                destruction.supervise(
                    b, user=user, note=request.POST.get("note", ""), request=request
                )
                done = "已确认监销"
            elif step == "execute":
                destruction.execute(
                    b,
                    user=user,
                    paper_method=request.POST.get("paper_method", "").strip(),
                    paper_place=request.POST.get("paper_place", "").strip(),
                    request=request,
                )
                done = "已执行销毁，销毁清册和销毁报告已签章保存"
            elif step == "cancel":
                destruction.cancel(
                    b, user=user, reason=request.POST.get("reason", ""), request=request
                )
                done = "已撤销批次"
            elif step == "paper":
                when = _when(request.POST.get("paper_time", ""))
                destruction.record_paper(
                    b,
                    method=request.POST.get("paper_method", ""),
                    place=request.POST.get("paper_place", ""),
                    when=when,
                    user=user,
                    request=request,
                )
                done = "已登记纸质档案销毁"
            else:
                return self.refuse("未知操作", request.path)
        except destruction.DestructionError as exc:
            if exc.code == "permission":
                record_denied(request, DestructionBatch, b.pk, reason="permission", step=step)
            return self.refuse(str(exc), request.path)
        messages.success(request, done)
        return redirect(request.path)


def _when(value: str):
    try:
        naive = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


@audited_access
def batch_pdf(request, pk, kind):
    require(request, "retention.view_destructionbatch", DestructionBatch, pk)
    batch = get_visible_or_deny(request, DestructionBatch, pk)
    sha = batch.register_sha256 if kind == "register" else batch.report_sha256
    if kind not in ("register", "report") or not sha:
        raise Http404("该批次尚无此文件")
    audit.record(
        audit.Action.DOWNLOAD, batch, request=request, detail={"kind": kind, "sha256": sha}
    )
    name = f"销毁{'清册' if kind == 'register' else '报告'}-{batch.pk}.pdf"
    return FileResponse(open_blob(sha), content_type="application/pdf", filename=name)


def batch_url(batch) -> str:
    return reverse("retention:batch", args=(batch.pk,))
