"""The 导出页图像 button of the item page: a ZIP of the item's page images as masters, named
``<档号>-001.jpg``… (scanning.export).

The same permission as downloading a stored file (archive.view_file, on top of seeing the
item, and the full-ID permission or a ``hedang_original_access`` grant); an item outside the user's jurisdiction answers 404 and the refusal is recorded. Every
export is an ``export`` entry in the operation log, listing the files it gave out.
"""

from __future__ import annotations

import tempfile

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404

from archive import audit
from archive.masking import may_download_originals
from archive.models import File, Item
from archive.views.access import (
    audited_access,
    get_visible_or_deny,
    record_denied,
    require_permission,
)
from scanning import export


@audited_access
def export_page_images(request, pk: int) -> FileResponse:
    item = get_visible_or_deny(request, Item, pk)
    require_permission(request, File, "view", pk)
    if not may_download_originals(request.user, item):  # the pixels carry resident IDs
        record_denied(request, Item, pk, reason="original_access")
        raise PermissionDenied
    try:
        result = export.item_page_images(item)
    except export.ExportError as exc:
        raise Http404(str(exc)) from None
    except (FileNotFoundError, OSError):
        raise Http404("存储中找不到该件的文件") from None
    # Spooled to disk: a hundred 300-dpi colour pages do not belong in the worker's memory.
    archive = tempfile.TemporaryFile(prefix="hedang-export-")
    export.write_zip(result, archive)
    archive.seek(0)
    audit.record(
        audit.Action.EXPORT,
        item,
        request=request,
        detail={"what": "page_images", "path": request.path, **result.summary()},
    )
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=f"{export.safe_stem(item.archive_number)}-页图像.zip",
        content_type="application/zip",
    )
    if result.rendered:
        response["X-Hedang-Rendered-Pages"] = ",".join(str(p) for p in result.rendered)
    response["Cache-Control"] = "private, no-store"
    return response
