"""What every process pays to start: Django's set-up loads the apps and the Wagtail hooks, not
the admin's URLs and views (a worker, the scheduler and the ingest command never serve a page;
the views cost a fifth of the set-up)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import django
django.setup()
from django.urls import reverse
loaded = sorted(m for m in sys.modules if m.endswith(".urls") or ".views" in m)
print(json.dumps(loaded))
"""


def _modules_after_setup(tmp_path) -> list[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env["HEDANG_DATA_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_setup_imports_no_urlconf_of_ours(tmp_path):
    ours = ("accounts", "archive", "consistency", "ingest", "loans", "retention", "scanning")
    ours += ("search", "staffui", "push", "config")
    loaded = _modules_after_setup(tmp_path)
    assert [m for m in loaded if m.endswith(".urls") and m.split(".")[0] in ours] == []
    assert "search.views" not in loaded and "loans.views.desk" not in loaded


def test_the_admin_urls_still_come_from_the_hooks():
    from django.urls import reverse

    # Loaded on first use by the URL resolver, through the hooks' include("app.urls").
    for name in (
        "loans:desk",
        "retention:index",
        "consistency:discrepancies",
        "accounts_admin:index",
        "hedang_search",
    ):
        assert reverse(name).startswith("/admin/")
