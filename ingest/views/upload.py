"""采集上传: several files at once, optionally for a named household, category and subtype."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect

from archive import audit
from ingest import pipeline
from ingest.forms import UploadForm, record_denied_household
from ingest.models import Batch, Document
from ingest.tasks import enqueue
from ingest.views.common import IngestView, batch_url


class UploadView(IngestView):
    template_name = "ingest/upload.html"
    page_title = "采集上传"
    header_icon = "upload"
    model = Batch

    def get_form(self):
        if self.request.method == "POST":
            return UploadForm(self.request.POST, self.request.FILES, user=self.request.user)
        return UploadForm(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["agency"] = self.request.user.agency
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            record_denied_household(request, form, field="household_id_number")
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if request.user.agency_id is None:
            form.add_error(None, "您的账号未分配核对机构，不能提交文件")
            return self.render_to_response(self.get_context_data(form=form), status=400)
        batch = submit_upload(request.user, form)
        queued = batch.documents.filter(status=Document.Status.QUEUED).count()
        messages.success(
            request, f"已提交 {batch.documents.count()} 个文件，{queued} 个进入处理队列。"
        )
        return redirect(batch_url(batch))


def submit_upload(user, form) -> Batch:
    """Create the batch, take every file, and hand the queued ones to the workers."""
    batch = Batch.objects.create(
        source=Batch.Source.UPLOAD,
        agency=user.agency,
        created_by=user,
        household=form.household,
        category=form.cleaned_data.get("category") or "",
        subtype=form.cleaned_data.get("subtype"),
    )
    audit.record(
        audit.Action.CREATE,
        batch,
        user=user,
        detail={
            "source": batch.source,
            "files": len(form.cleaned_data["files"]),
            "household": batch.household_id,
            "category": batch.category,
            "subtype": batch.subtype_id,
        },
    )
    for upload in form.cleaned_data["files"]:
        data = upload.read()
        for document in pipeline.submit(batch, upload.name, data):
            if document.status == Document.Status.QUEUED:
                # After the document's row is committed, never before: a fast worker must find it.
                transaction.on_commit(lambda d=document: enqueue(d))
    return batch
