from django.urls import path

from consistency import views

app_name = "consistency"

urlpatterns = [
    path("", views.discrepancy_list, name="discrepancies"),
    path("<int:pk>/snippet.png", views.discrepancy_snippet, name="snippet"),
    path("<int:pk>/resolve/", views.discrepancy_resolve, name="resolve"),
    path("fixity/", views.fixity_status, name="fixity"),
    path("item/<int:pk>/fourprops/", views.item_fourprops, name="item_fourprops"),
    path("fourprops.pdf", views.fourprops_pdf, name="fourprops_pdf"),
]
