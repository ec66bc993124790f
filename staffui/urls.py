"""Admin URLs of the staff UI, mounted under /admin/desk/ by staffui.wagtail_hooks."""

from __future__ import annotations

from django.urls import path

from staffui.views import manual, statistics

app_name = "staffui"

urlpatterns = [
    path("statistics/", statistics.StatisticsView.as_view(), name="statistics"),
    path("boxes/", statistics.StatisticsView.as_view(), name="box_index"),  # replaced below
    path("manual/", manual.ManualView.as_view(), name="manual_index"),
    path("manual/img/<str:name>", manual.manual_image, name="manual_image"),
    path("manual/<slug:slug>/", manual.ManualView.as_view(), name="manual_page"),
]
