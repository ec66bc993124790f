"""Reads of personal data through the API are operations: each list page and each detail
of households and members is one ``view`` entry in the operation log (who read which
records, with what query)."""

from __future__ import annotations

from archive import audit


class LoggedReadsMixin:
    """Put before the DRF mixins: logs ``list`` (the ids on the page) and ``retrieve``."""

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200:
            data = response.data
            rows = data.get("results", []) if isinstance(data, dict) else data
            ids = [row.get("id") for row in rows if isinstance(row, dict)]
            audit.record(
                audit.Action.VIEW,
                request=request,
                object_type=self.model._meta.label,
                object_repr=f"{self.model._meta.verbose_name}列表（{len(ids)} 条）",
                detail={
                    "path": request.path,
                    "query": request.GET.urlencode()[:500],
                    "ids": ids,
                },
            )
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if response.status_code == 200 and getattr(self, "_read_object", None) is not None:
            audit.record(
                audit.Action.VIEW,
                self._read_object,
                request=request,
                detail={"path": request.path},
            )
        return response

    def get_object(self):
        obj = super().get_object()
        self._read_object = obj
        return obj
