from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk changes would bypass the per-row guard below; refuse them too."""

    def update(self, **kwargs):
        raise PermissionError("操作日志只能追加，不能修改")

    def delete(self):
        raise PermissionError("操作日志不能删除")


class AuditEntry(models.Model):
    """One line of the append-only operation log, chained to the line before by hash."""

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        CHANGE = "change", "修改"
        DELETE = "delete", "删除"
        VIEW = "view", "查看"
        DOWNLOAD = "download", "下载"
        PRINT = "print", "打印"
        LOGIN = "login", "登录"
        LOGOUT = "logout", "退出"
        LOGIN_FAILED = "login_failed", "登录失败"
        DENIED = "denied", "越权访问"
        API = "api", "接口调用"
        EXPORT = "export", "导出"
        REJECT = "reject", "拒收"
        FAIL = "fail", "处理失败"
        # Added for the loans, retention, consistency and accounts apps (one migration).
        REQUEST = "request", "申请"
        APPROVE = "approve", "批准"
        REFUSE = "refuse", "驳回"
        ISSUE = "issue", "发放"
        RETURN = "return", "归还"
        RESOLVE = "resolve", "处理"
        HOLD = "hold", "冻结"
        RELEASE = "release", "解冻"
        APPRAISE = "appraise", "鉴定"
        DESTROY = "destroy", "销毁"
        CHECK = "check", "检查"
        CORRECT = "correct", "更正"
        ALARM = "alarm", "告警"
        LOCKOUT = "lockout", "锁定"
        UNLOCK = "unlock", "解锁"
        BACKUP = "backup", "备份"
        RESTORE = "restore", "恢复"

    timestamp = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    agency_code = models.CharField("所属机构", max_length=6, blank=True, db_index=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.CharField("对象", max_length=80, blank=True, db_index=True)
    object_repr = models.CharField("对象说明", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    ip_address = models.CharField("来源地址", max_length=45, blank=True)
    # Which key of the HMAC chain (archive/audit_keys.py) made entry_hash; keys rotate.
    key_id = models.CharField("密钥编号", max_length=32, blank=True, default="")
    prev_hash = models.CharField("前一条哈希", max_length=64)
    entry_hash = models.CharField("本条哈希", max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        ordering = ["-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.pk} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None or not self._state.adding:
            raise PermissionError("操作日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("操作日志不能删除")

    def compute_hash(self) -> str:
        """HMAC-SHA256 of the previous hash and this entry under the key it names."""
        from archive.audit_keys import key_for

        return keyed_entry_hash(key_for(self.key_id), self.prev_hash, self.canonical_fields())

    def canonical_fields(self) -> dict:
        return {
            "timestamp": self.timestamp.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "agency_code": self.agency_code,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "detail": self.detail,
            "ip_address": self.ip_address,
            "key_id": self.key_id,
        }


class AuditHead(models.Model):
    """A single row holding the newest hash; locking it serialises appends to the chain."""

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    last_id = models.BigIntegerField(null=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return self.last_hash


def _payload(prev_hash: str, fields: dict) -> bytes:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return (prev_hash + payload).encode()


def entry_hash(prev_hash: str, fields: dict) -> str:
    """The unkeyed hash (plain SHA-256): what anyone can recompute; never accepted by
    verify_chain, kept for tests that play the forger."""
    return hashlib.sha256(_payload(prev_hash, fields)).hexdigest()


def keyed_entry_hash(key: bytes, prev_hash: str, fields: dict) -> str:
    return hmac.new(key, _payload(prev_hash, fields), hashlib.sha256).hexdigest()
