"""Admin URLs of the scanning screens, mounted under /admin/scanning/ by scanning.wagtail_hooks.

Cover sheets (scanning.views.cover_sheets) and printing (scanning.views.printing, the 打印 menu).
"""

from __future__ import annotations

from django.urls import path

from scanning.views import camera, cover_sheets, home_visit, printing, quality, split
from scanning.views.export import export_page_images

app_name = "scanning"

urlpatterns = [
    path("households/<int:pk>/cover-sheet/", cover_sheets.cover_sheet, name="cover_sheet"),
    path(
        "households/<int:pk>/cover-sheets/",
        cover_sheets.CoverSheetChoiceView.as_view(),
        name="cover_sheet_choice",
    ),
    path("print/", printing.PrintIndexView.as_view(), name="print_index"),
    path("print/<slug:kind>/<int:pk>/", printing.PrintPreviewView.as_view(), name="print_preview"),
    path("print/<slug:kind>/<int:pk>/pdf/", printing.print_pdf, name="print_pdf"),
    path(
        "items/<int:pk>/home-visit-media/",
        home_visit.HomeVisitMediaView.as_view(),
        name="home_visit_media",
    ),
    path("items/<int:pk>/quality/", quality.ItemQualityView.as_view(), name="item_quality"),
    path("items/<int:pk>/split/", split.SplitView.as_view(), name="split"),
    path("camera/", camera.CameraCaptureView.as_view(), name="camera"),
    path("items/<int:pk>/page-images.zip", export_page_images, name="export_page_images"),
]
