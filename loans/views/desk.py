"""借阅台: the loan list, a new request, one loan with the buttons of its next step, and the
counted return item by item. Every step goes through loans.services; a refusal is shown in
Chinese, changes nothing and is logged there."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from archive import audit
from archive.masking import shown_id_number
from archive.models import Item, User
from archive.storage import open_blob
from archive.views.access import audited_access
from loans import services
from loans.api.views import sniff_letter
from loans.models import Incident, Loan
from loans.queries import loans_for
from loans.services import LoanRefused
from loans.views.common import LoansPage, require, visible_loan


class LoanRequestForm(forms.Form):
    borrower_type = forms.ChoiceField(
        label="借阅人",
        choices=[("staff", "本系统用户"), ("outside", "外单位人员")],
        widget=forms.RadioSelect,
        initial="staff",
    )
    borrower_user = forms.CharField(label="用户账号", required=False)
    name = forms.CharField(label="外单位借阅人姓名", required=False)
    id_number = forms.CharField(label="身份证号", required=False)
    unit = forms.CharField(label="所在单位", required=False)
    letter = forms.FileField(label="介绍信（PDF/JPEG/PNG）", required=False)
    purpose = forms.CharField(label="借阅目的", max_length=300)
    kind = forms.ChoiceField(label="借阅方式", choices=Loan.Kind.choices)
    date = forms.DateField(
        label="借阅日期",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start_time = forms.TimeField(
        label="开始时间",
        initial="09:00",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end_time = forms.TimeField(
        label="结束时间",
        initial="17:00",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    items = forms.CharField(
        label="档号（每行一个）", widget=forms.Textarea(attrs={"rows": 4, "class": "hd-mono"})
    )


class DeskView(LoansPage):
    template_name = "loans/desk.html"
    page_title = "借阅台"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        try:
            loans, span, _ = loans_for(self.request.user, params, default_days=90, ahead_days=60)
            error = ""
        except LoanRefused as refusal:
            loans, span, error = Loan.objects.none(), None, refusal.message
        q = params.get("q", "").strip()
        if q:
            loans = loans.filter(
                Q(borrower_name__contains=q) | Q(lines__item__archive_number=q)
            ).distinct()
        visible = Loan.objects.visible_to(self.request.user)
        context.update(
            loans=loans.select_related("agency").prefetch_related("lines__item")[:200],
            error=error,
            span=span,
            q=q,
            status=params.get("status", ""),
            statuses=[*Loan.Status.choices, ("overdue", "逾期未还")],
            counts={
                "requested": visible.filter(status=Loan.Status.REQUESTED).count(),
                "issued": visible.filter(status=Loan.Status.ISSUED).count(),
                "overdue": visible.overdue().count(),
                "incident": visible.filter(status=Loan.Status.INCIDENT).count(),
            },
        )
        return context


class LoanCreateView(LoansPage):
    template_name = "loans/request.html"
    page_title = "登记借阅申请"
    permission = "add_loan"

    def initial_items(self) -> str:
        pk = self.request.GET.get("item")
        item = Item.objects.visible_to(self.request.user).filter(pk=pk).first() if pk else None
        return item.archive_number if item and item.archive_number else ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault(
            "form",
            LoanRequestForm(
                initial={
                    "items": self.initial_items(),
                    "date": timezone.localdate(),
                    "kind": self.request.GET.get("kind", "paper"),
                    "borrower_user": self.request.user.username,
                }
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        require(request, self.permission)
        form = LoanRequestForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        borrower = services.Borrower()
        try:
            if data["borrower_type"] == "staff":
                borrower.user = User.objects.filter(username=data["borrower_user"]).first()
                if borrower.user is None:
                    raise LoanRefused("没有这个用户账号", "unknown_user", "borrower_user")
            else:
                upload = data.get("letter")
                letter = upload.read() if upload else b""
                borrower.name, borrower.id_number = data["name"], data["id_number"]
                borrower.unit, borrower.letter_bytes = data["unit"], letter
                borrower.letter_name = upload.name if upload else ""
                borrower.letter_media_type = sniff_letter(letter)
            loan = services.request_loan(
                request.user,
                borrower=borrower,
                purpose=data["purpose"],
                kind=data["kind"],
                items=[n for n in data["items"].split() if n],
                date=data["date"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                request=request,
            )
        except LoanRefused as refusal:
            form.add_error(None, refusal.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, f"已登记借阅申请 {loan.pk}，等待审批。")
        return redirect("loans:detail", loan.pk)


class LoanDetailView(LoansPage):
    template_name = "loans/detail.html"

    def get(self, request, *args, **kwargs):
        require(request, self.permission)
        self.loan = visible_loan(request, kwargs["pk"])
        audit.record(audit.Action.VIEW, self.loan, request=request)
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return f"借阅单 {self.loan.pk}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        loan, user = self.loan, self.request.user
        context.update(
            loan=loan,
            lines=list(loan.lines.select_related("item")),
            incidents=list(loan.incidents.select_related("line__item", "resolved_by")),
            borrower_id=shown_id_number(user, loan.borrower_id_number),
            conditions=[("intact", "完好"), ("damaged", "损坏")],
            may_read=loan.has_electronic and loan.borrower_user_id == user.pk,
        )
        return context


STEPS = {"approve", "refuse", "issue", "return"}


@audited_access
@require_POST
def loan_step(request, pk: int, step: str):
    """One button of the desk: approve, refuse, issue or the counted return."""
    if step not in STEPS:
        raise Http404("没有这个操作")
    require(request, "view_loan")
    loan = visible_loan(request, pk)
    post = request.POST
    try:
        if step == "approve":
            services.approve(loan, request.user, request=request)
            messages.success(request, "已批准。")
        elif step == "refuse":
            services.refuse(loan, request.user, post.get("reason", ""), request=request)
            messages.success(request, "已驳回。")
        elif step == "issue":
            services.issue(loan, request.user, request=request)
            messages.success(request, "已发放（仅限阅览室内阅览）。")
        else:
            entries = (
                [
                    {
                        "archive_number": line.item.archive_number,
                        "pages_counted": post.get(f"pages_{line.pk}", ""),
                        "condition": post.get(f"condition_{line.pk}", ""),
                        "note": post.get(f"note_{line.pk}", ""),
                    }
                    for line in loan.lines.select_related("item")
                ]
                if loan.has_paper
                else []
            )
            loan = services.return_items(loan, request.user, entries, request=request)
            if loan.status == Loan.Status.INCIDENT:
                messages.warning(
                    request, "清点不符或有损坏，已登记异常；处理完毕后借阅单才能结清。"
                )
            else:
                messages.success(request, "已当面点清归还，借阅单结清。")
    except LoanRefused as refusal:
        messages.error(request, refusal.message)
    return redirect("loans:detail", pk)


@audited_access
@require_POST
def resolve_incident(request, pk: int, incident_id: int):
    require(request, "view_loan")
    loan = visible_loan(request, pk)
    incident = Incident.objects.filter(loan=loan, pk=incident_id).first()
    if incident is None:
        raise Http404("没有这个异常")
    try:
        services.resolve(incident, request.user, request.POST.get("note", ""), request=request)
        messages.success(request, "异常已处理。")
    except LoanRefused as refusal:
        messages.error(request, refusal.message)
    return redirect("loans:detail", pk)


@audited_access
def letter(request, pk: int):
    """The outside borrower's letter, as stored; viewing it is logged."""
    require(request, "view_loan")
    loan = visible_loan(request, pk)
    if not loan.letter_sha256:
        raise Http404("没有介绍信")
    audit.record(audit.Action.DOWNLOAD, loan, request=request, detail={"letter": loan.letter_name})
    return FileResponse(
        open_blob(loan.letter_sha256),
        content_type=loan.letter_media_type,
        filename=loan.letter_name or "介绍信",
    )
