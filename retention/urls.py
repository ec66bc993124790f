from django.urls import path

from retention.views import batches, due, holds

app_name = "retention"
urlpatterns = [
    path("", due.DueIndexView.as_view(), name="index"),
    path("appraise/<int:pk>/", due.AppraiseView.as_view(), name="appraise"),
    path("holds/", holds.HoldsView.as_view(), name="holds"),
    path("batches/", batches.BatchListView.as_view(), name="batches"),
    path("batches/<int:pk>/", batches.BatchDetailView.as_view(), name="batch"),
    path("batches/<int:pk>/<str:kind>.pdf", batches.batch_pdf, name="batch_pdf"),
]
