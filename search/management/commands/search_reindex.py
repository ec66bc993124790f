"""``manage.py search_reindex``: rebuild the search index from the database."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "重建检索索引。"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        from search.backends import get_backend
        from search.service import reindex

        started = time.monotonic()
        n = reindex()
        seconds = round(time.monotonic() - started, 2)
        if opts["json"]:
            out = {"indexed": n, "backend": get_backend().name, "seconds": seconds}
            self.stdout.write(json.dumps(out))
        else:
            self.stdout.write(f"已索引 {n} 件（{get_backend().name}，{seconds} 秒）")
