"""Admin URLs of the staff UI, mounted under /admin/desk/ by staffui.wagtail_hooks."""

from __future__ import annotations

from django.urls import path

from staffui.views import boxes, manual, statistics

app_name = "staffui"

urlpatterns = [
    path("statistics/", statistics.StatisticsView.as_view(), name="statistics"),
    path("boxes/", boxes.BoxIndexView.as_view(), name="box_index"),
    path("boxes/<int:pk>/", boxes.BoxDetailView.as_view(), name="box"),
    path("manual/", manual.ManualView.as_view(), name="manual_index"),
    path("manual/img/<str:name>", manual.manual_image, name="manual_image"),
    path("manual/<slug:slug>/", manual.ManualView.as_view(), name="manual_page"),
]
