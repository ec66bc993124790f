"""create_archive_certificate: the archive's self-signed sealing certificate (embedded default).

Writes the private key and the certificate (PEM, mode 0600) to settings.HEDANG_ARCHIVE_KEY and
HEDANG_ARCHIVE_CERT (default ``$HEDANG_DATA_DIR/keys/``). The access copy of every pushed
file is sealed with it. An existing pair is kept unless ``--force``.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.certificates import DEFAULT_SUBJECT, create_archive_certificate, describe


class Command(BaseCommand):
    help = "创建本档案馆的自签名归档签章证书（私钥与证书，权限 0600）。"

    def add_arguments(self, parser):
        parser.add_argument("--common-name", default=DEFAULT_SUBJECT, help="证书通用名")
        parser.add_argument("--days", type=int, default=3650, help="有效天数（默认 3650）")
        parser.add_argument("--force", action="store_true", help="覆盖已有的证书和私钥")
        parser.add_argument(
            "--if-missing", action="store_true", help="已有证书时什么也不做（退出码 0）"
        )
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **options):
        key_path = Path(settings.HEDANG_ARCHIVE_KEY)
        cert_path = Path(settings.HEDANG_ARCHIVE_CERT)
        created = True
        if options["if_missing"] and key_path.exists() and cert_path.exists():
            info, created = describe(key_path, cert_path), False
        else:
            try:
                info = create_archive_certificate(
                    key_path,
                    cert_path,
                    common_name=options["common_name"],
                    days=options["days"],
                    force=options["force"],
                )
            except FileExistsError as exc:
                raise CommandError(str(exc), returncode=1) from exc
        payload = {
            "created": created,
            "key": str(info.key_path),
            "certificate": str(info.cert_path),
            "subject": info.subject,
            "not_after": info.not_after.isoformat(),
            "sha256": info.sha256,
        }
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        verb = "已创建" if created else "已存在"
        self.stdout.write(f"{verb}归档签章证书：{info.cert_path}（{info.subject}）")
        self.stdout.write(f"私钥：{info.key_path}；有效期至 {payload['not_after']}")
        self.stdout.write(f"SHA-256 指纹：{info.sha256}")
