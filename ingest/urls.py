"""Admin URLs of the ingest screens, mounted under /admin/ingest/ by ingest.wagtail_hooks."""

from __future__ import annotations

from django.urls import path

from ingest.views import batches, review, upload

app_name = "ingest"

urlpatterns = [
    path("upload/", upload.UploadView.as_view(), name="upload"),
    path("batches/", batches.BatchIndexView.as_view(), name="batches"),
    path("batches/<int:pk>/", batches.BatchDetailView.as_view(), name="batch"),
    path("batches/<int:pk>/progress/", batches.batch_progress_json, name="batch_progress"),
    path("documents/<int:pk>/retry/", batches.retry_document, name="retry"),
    path("review/", review.ReviewQueueView.as_view(), name="review_queue"),
    path("review/<int:pk>/", review.ReviewItemView.as_view(), name="review"),
    path("thumbnails/<int:pk>/", review.thumbnail, name="thumbnail"),
]
