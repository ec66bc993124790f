"""Models of the accounts app: password history, tracked sessions, account requests (审批备案),
hand-overs (离职), confidentiality commitments (Appendix F) and client certificates."""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class PasswordHistory(models.Model):
    """One row per password a user has had (its hash), newest last: reuse and expiry read it."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="password_history")
    encoded = models.CharField("密码哈希", max_length=256)
    created = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created", "-id"]
        default_permissions = ()
        permissions = [
            ("manage_accounts", "管理账号（锁定、双因素、离职、承诺书）"),
            ("approve_accounts", "审批账号申请"),
            ("unlock_accounts", "解锁账号"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.created:%Y-%m-%d}"


class UserSession(models.Model):
    """A signed-in session of a user: limits concurrent sessions and ends them all at once."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="tracked_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField("登录时间", auto_now_add=True)
    ip_address = models.CharField("来源地址", max_length=45, blank=True)
    user_agent = models.CharField("浏览器", max_length=200, blank=True)

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"
        ordering = ["created", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.user} {self.created:%Y-%m-%d %H:%M}"


class AccountRequest(models.Model):
    """创建账号或变更角色/机构的申请: takes effect only when another security admin approves."""

    class Kind(models.TextChoices):
        CREATE = "create", "新建账号"
        CHANGE = "change", "变更角色或机构"

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "已驳回"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="account_requests")
    # {"groups": [names], "agency": region code or ""}
    proposed = models.JSONField("申请内容", default=dict)
    previous = models.JSONField("原内容", default=dict, blank=True)
    reason = models.CharField("申请理由", max_length=200, blank=True)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "账号申请"
        verbose_name_plural = "账号申请"
        ordering = ["-requested_at", "-id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.user}"


class Handover(models.Model):
    """离职交接: the account is disabled at once; ``successor`` takes over its open work."""

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="handovers")
    successor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="takeovers")
    reason = models.CharField("原因", max_length=200)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "离职交接"
        verbose_name_plural = "离职交接"
        ordering = ["-recorded_at"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.user} → {self.successor}"


class Commitment(models.Model):
    """安全保密承诺书 (Appendix F): current for a year from ``signed_on``."""

    class Method(models.TextChoices):
        ESIGN = "esign", "电子签署"
        SCAN = "scan", "纸质扫描件"

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="commitments")
    signed_on = models.DateField("签署日期")
    method = models.CharField("方式", max_length=10, choices=Method.choices)
    signature = models.CharField("电子签名（本人姓名）", max_length=50, blank=True)
    text_sha256 = models.CharField("承诺书文本哈希", max_length=64, blank=True)
    scan_sha256 = models.CharField("扫描件（存储哈希）", max_length=64, blank=True)
    scan_name = models.CharField("扫描件文件名", max_length=200, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "安全保密承诺书"
        verbose_name_plural = "安全保密承诺书"
        ordering = ["-signed_on", "-id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"安全保密承诺书：{self.user} {self.signed_on}"


class UserCertificate(models.Model):
    """A client certificate (实名认证) bound to a user, by issuer and serial number."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="certificates")
    serial = models.CharField("序列号（十六进制）", max_length=64)
    subject = models.CharField("主题", max_length=300)
    issuer = models.CharField("颁发者", max_length=300)
    not_after = models.DateTimeField("有效期至", null=True, blank=True)
    active = models.BooleanField("有效", default=True)
    created = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "用户证书"
        verbose_name_plural = "用户证书"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "serial"], name="accounts_cert_unique")
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.subject}（{self.serial}）"
