"""Staff pages of the accounts app in the admin (menu 账号安全): lockouts, account requests,
per-user security (2FA reset, 离职, commitments, certificates), who is due to sign."""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import approval, commitment, lockout, otp, sessions
from accounts.certificates import CertificateError, serial_hex
from accounts.models import AccountRequest, Commitment, Handover, UserCertificate
from archive import audit
from archive.models import User
from archive.storage import store_bytes
from archive.views.access import record_denied

UNLOCK = "accounts.unlock_accounts"
MANAGE = "accounts.manage_accounts"
APPROVE = "accounts.approve_accounts"


def require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        record_denied(request, None, "", reason="permission", permission=permission)
        raise PermissionDenied


def visible_users(user):
    """Accounts the security administrator may manage: those of their jurisdiction."""
    ids = user.visible_agency_ids
    queryset = User.objects.select_related("agency")
    return queryset if ids is None else queryset.filter(agency_id__in=ids)


def get_user_or_deny(request, pk) -> User:
    try:
        return visible_users(request.user).get(pk=pk)
    except (User.DoesNotExist, ValueError):
        record_denied(request, User, pk, reason="out_of_scope_or_missing")
        raise Http404("未找到该账号") from None


def _render(request, template: str, title: str, status: int = 200, **context):
    context["page_title"] = title
    context["header_title"] = title
    return TemplateResponse(request, template, context, status=status)


def lockouts(request):
    require(request, UNLOCK)
    return _render(
        request,
        "accounts/admin/lockouts.html",
        "登录锁定",
        attempts=lockout.locked_attempts()[:200],
        limit=getattr(settings, "AXES_FAILURE_LIMIT", 6),
    )


@require_POST
def unlock(request):
    require(request, UNLOCK)
    username = request.POST.get("username", "").strip()
    ip_address = request.POST.get("ip_address", "").strip()
    if not username and not ip_address:
        messages.error(request, "请指定要解锁的账号或地址。")
    else:
        lockout.unlock(request=request, username=username, ip_address=ip_address)
        messages.success(request, f"已解锁：{username or ip_address}")
    return redirect("accounts_admin:lockouts")


def requests_index(request):
    require(request, APPROVE)
    rows = AccountRequest.objects.select_related("user", "requested_by", "decided_by")
    ids = request.user.visible_agency_ids
    if ids is not None:
        rows = rows.filter(user__agency_id__in=ids)
    return _render(
        request,
        "accounts/admin/requests.html",
        "账号审批",
        pending=rows.filter(status=AccountRequest.Status.PENDING),
        decided=rows.exclude(status=AccountRequest.Status.PENDING)[:50],
    )


@require_POST
def request_decide(request, pk):
    require(request, APPROVE)
    row = AccountRequest.objects.filter(pk=pk).select_related("user").first()
    if row is None or not visible_users(request.user).filter(pk=row.user_id).exists():
        record_denied(request, AccountRequest, pk, reason="out_of_scope_or_missing")
        raise Http404("未找到该申请")
    approve = request.POST.get("decision") == "approve"
    try:
        approval.decide(row, request=request, approve=approve, note=request.POST.get("note", ""))
    except approval.ApprovalError as exc:
        messages.error(request, str(exc))
        return redirect("accounts_admin:requests")
    messages.success(request, "已批准。" if approve else "已驳回。")
    return redirect("accounts_admin:requests")


class HandoverForm(forms.Form):
    successor = forms.ModelChoiceField(label="工作交接给", queryset=User.objects.none())
    reason = forms.CharField(label="离职原因", max_length=200)

    def __init__(self, *args, leaving=None, manager=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = (
            visible_users(manager)
            .filter(is_active=True)
            .exclude(pk=leaving.pk)
            .order_by("username")
        )


class ScanForm(forms.Form):
    signed_on = forms.DateField(label="签署日期", widget=forms.DateInput(attrs={"type": "date"}))
    scan = forms.FileField(label="承诺书扫描件（PDF 或图片）")

    def clean_scan(self):
        scan = self.cleaned_data["scan"]
        head = scan.read(8)
        scan.seek(0)
        if not (head.startswith(b"%PDF") or head[:3] == b"\xff\xd8\xff" or head[:4] == b"\x89PNG"):
            raise forms.ValidationError("扫描件须为 PDF、JPEG 或 PNG 文件。")
        return scan

    def clean_signed_on(self):
        value = self.cleaned_data["signed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("签署日期不能晚于今天。")
        return value


class CertificateForm(forms.Form):
    pem = forms.CharField(label="证书（PEM）", widget=forms.Textarea(attrs={"rows": 6}))

    def clean_pem(self):
        from cryptography import x509

        try:
            return x509.load_pem_x509_certificate(self.cleaned_data["pem"].strip().encode())
        except ValueError as exc:
            raise forms.ValidationError("无法解析的证书：须为 PEM 格式。") from exc


def user_security(request, pk):
    require(request, MANAGE)
    target = get_user_or_deny(request, pk)
    handover = HandoverForm(leaving=target, manager=request.user)
    scan = ScanForm()
    cert = CertificateForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "reset_otp":
            otp.reset(request, target)
            sessions.end_all(target, reason="otp_reset")
            messages.success(request, "已重置双因素认证，该用户下次登录时重新绑定。")
            return redirect("accounts_admin:user", pk=target.pk)
        if action == "end_sessions":
            ended = sessions.end_all(target, reason="ended_by_security_admin")
            messages.success(request, f"已结束 {ended} 个会话。")
            return redirect("accounts_admin:user", pk=target.pk)
        if action == "deactivate":
            handover = HandoverForm(request.POST, leaving=target, manager=request.user)
            if handover.is_valid():
                deactivate(request, target, **handover.cleaned_data)
                messages.success(
                    request,
                    f"{target} 的账号已停用，工作交接给 {handover.cleaned_data['successor']}。",
                )
                return redirect("accounts_admin:user", pk=target.pk)
        if action == "scan":
            scan = ScanForm(request.POST, request.FILES)
            if scan.is_valid():
                record_scan(request, target, **scan.cleaned_data)
                messages.success(request, "已登记承诺书扫描件。")
                return redirect("accounts_admin:user", pk=target.pk)
        if action == "certificate":
            cert = CertificateForm(request.POST)
            if cert.is_valid():
                try:
                    bind_certificate(request, target, cert.cleaned_data["pem"])
                except CertificateError as exc:
                    cert.add_error("pem", str(exc))
                else:
                    messages.success(request, "已登记证书。")
                    return redirect("accounts_admin:user", pk=target.pk)
        status = 400
    return _render(
        request,
        "accounts/admin/user.html",
        f"账号安全：{target}",
        status,
        target=target,
        enrolled=otp.enrolled(target),
        required=otp.required_for(target),
        session_count=target.tracked_sessions.count(),
        commitments=target.commitments.all()[:10],
        current=commitment.has_current(target),
        certificates=target.certificates.all(),
        handovers=Handover.objects.filter(user=target).select_related("successor"),
        handover_form=handover,
        scan_form=scan,
        cert_form=cert,
    )


@transaction.atomic
def deactivate(request, user, *, successor, reason: str) -> Handover:
    """离职: disabled at once, every session ended, the successor recorded."""
    row = Handover.objects.create(
        user=user, successor=successor, reason=reason, recorded_by=request.user
    )
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions.end_all(user, reason="deactivated")
    audit.record(
        audit.Action.CHANGE,
        user,
        request=request,
        detail={"deactivated": True, "successor": successor.username, "reason": reason},
    )
    return row


def record_scan(request, user, *, signed_on, scan) -> Commitment:
    data = scan.read()
    blob = store_bytes(data)
    row = Commitment.objects.create(
        user=user,
        signed_on=signed_on,
        method=Commitment.Method.SCAN,
        scan_sha256=blob.sha256,
        scan_name=scan.name[:200],
        text_sha256=hashlib.sha256(data).hexdigest(),
        recorded_by=request.user,
    )
    audit.record(
        audit.Action.CREATE,
        row,
        request=request,
        object_type="accounts.Commitment",
        object_repr=f"安全保密承诺书：{user}",
        detail={"commitment": "scan", "signed_on": signed_on.isoformat(), "sha256": blob.sha256},
    )
    return row


def bind_certificate(request, user, cert) -> UserCertificate:
    row, _ = UserCertificate.objects.update_or_create(
        issuer=cert.issuer.rfc4514_string(),
        serial=serial_hex(cert),
        defaults={
            "user": user,
            "subject": cert.subject.rfc4514_string()[:300],
            "not_after": cert.not_valid_after_utc,
            "active": True,
        },
    )
    audit.record(
        audit.Action.CREATE,
        user,
        request=request,
        detail={"certificate": row.serial, "subject": row.subject},
    )
    return row


def commitments_due(request):
    require(request, MANAGE)
    due = commitment.due_users(visible_users(request.user))
    return _render(
        request,
        "accounts/admin/commitments_due.html",
        "承诺书待签",
        due=due,
        since=commitment.current_since(),
    )


def security_index(request):
    """The user list's way in: pick an account to manage."""
    require(request, MANAGE)
    query = request.GET.get("q", "").strip()
    users = visible_users(request.user).order_by("agency__region_code", "username")
    if query:
        users = users.filter(username__icontains=query) | users.filter(real_name__icontains=query)
    return _render(request, "accounts/admin/users.html", "账号安全", users=users[:200], q=query)


def user_admin_url(user) -> str:
    return reverse("accounts_admin:user", args=[user.pk])
