"""The pages a signed-in user is sent to by the gates (accounts.middleware) and certificate
sign-in. They are plain Django views under /accounts/, outside the admin's menu."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from accounts import commitment, otp, passwords
from accounts.models import Commitment
from archive import audit


def safe_next(request, default: str = "/admin/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _page(request, template: str, title: str, status: int = 200, **context):
    context.update(page_title=title, next=safe_next(request))
    return render(request, template, context, status=status)


class TokenForm(forms.Form):
    token = forms.CharField(label="验证码", max_length=20, strip=True)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    form = TokenForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if otp.verify(request, form.cleaned_data["token"]) is not None:
            return redirect(safe_next(request))
        error = "验证码不正确或已使用，请重新输入。"
        audit.record(
            audit.Action.LOGIN_FAILED, request.user, request=request, detail={"otp": "wrong_code"}
        )
    return _page(
        request,
        "accounts/gate_otp.html",
        "双因素认证",
        400 if error else 200,
        form=form,
        error=error,
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    device = otp.pending_device(request.user)
    form = TokenForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        codes = otp.confirm(request, device, form.cleaned_data["token"])
        if codes is not None:
            from django_otp import login as otp_login

            otp_login(request, device)
            return _page(
                request, "accounts/gate_codes.html", "恢复码", codes=codes, done=safe_next(request)
            )
        error = "验证码不正确，请核对手机上的身份验证器后重新输入。"
    return _page(
        request,
        "accounts/gate_otp_setup.html",
        "绑定双因素认证",
        400 if error else 200,
        form=form,
        error=error,
        qr=otp.qr_svg(device.config_url),
        secret=otp.secret_base32(device),
        required=otp.required_for(request.user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect(safe_next(request))
    expired = passwords.password_expired(request.user)
    return _page(
        request,
        "accounts/gate_password.html",
        "修改密码",
        400 if form.errors else 200,
        form=form,
        expired=expired,
    )


class CommitmentForm(forms.Form):
    signature = forms.CharField(label="签名（请输入本人真实姓名）", max_length=50)
    agree = forms.BooleanField(label="我已阅读并承诺遵守以上各条")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_signature(self):
        value = self.cleaned_data["signature"].strip()
        expected = (self.user.real_name or self.user.username).strip()
        if value != expected:
            raise forms.ValidationError("签名须与账号登记的真实姓名一致。")
        return value


@login_required
@require_http_methods(["GET", "POST"])
def commitment_sign(request):
    form = CommitmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        row = Commitment.objects.create(
            user=request.user,
            signed_on=timezone.localdate(),
            method=Commitment.Method.ESIGN,
            signature=form.cleaned_data["signature"],
            text_sha256=commitment.TEXT_SHA256,
            recorded_by=request.user,
        )
        audit.record(
            audit.Action.CREATE,
            row,
            request=request,
            object_repr=f"安全保密承诺书：{request.user}",
            detail={"commitment": "esign", "signed_on": row.signed_on.isoformat()},
        )
        messages.success(request, "安全保密承诺书已签署。")
        return redirect(safe_next(request))
    last = commitment.latest(request.user)
    return _page(
        request,
        "accounts/gate_commitment.html",
        commitment.TITLE,
        400 if form.errors else 200,
        form=form,
        text=commitment,
        agency=request.user.agency,
        last=last,
        due_since=last.signed_on + dt.timedelta(days=commitment.valid_days()) if last else None,
    )


@require_http_methods(["GET", "POST"])
def certificate_login(request):
    """Sign in with the client certificate the trusted proxy passed on."""
    user = authenticate(request, client_certificate=True)
    if user is None:
        error = getattr(request, "accounts_certificate_error", "") or "未收到有效的客户端证书。"
        audit.record(
            audit.Action.LOGIN_FAILED,
            request=request,
            object_type="accounts.UserCertificate",
            detail={"certificate": error},
        )
        return _page(request, "accounts/gate_certificate.html", "数字证书登录", 403, error=error)
    login(request, user, backend="accounts.certificates.CertificateBackend")
    return redirect(safe_next(request, reverse("wagtailadmin_home")))
