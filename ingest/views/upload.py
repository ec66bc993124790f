"""采集上传: several files at once, optionally for a named household, category and subtype."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect

from ingest.forms import UploadForm, record_denied_household
from ingest.intake import Incoming, intake
from ingest.models import Batch, Document
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
    """The batch of every uploaded file (ingest.intake: logged, queued after commit)."""
    files = form.cleaned_data["files"]
    return intake(
        (Incoming(upload.name, upload.read()) for upload in files),
        source=Batch.Source.UPLOAD,
        agency=user.agency,
        user=user,
        household=form.household,
        category=form.cleaned_data.get("category") or "",
        subtype=form.cleaned_data.get("subtype"),
        detail={"files": len(files)},
    ).batch
