from __future__ import annotations

from django.urls import path

from kenal.parties import views

app_name = "parties"
urlpatterns = [
    path("", views.party_list, name="list"),
    path("counts/", views.party_counts, name="counts"),
    path("new/", views.party_new, name="new"),
    path("export.csv", views.party_export, name="export"),
    path("options/", views.party_options, name="options"),
    path("<int:pk>/", views.party_detail, name="detail"),
    path("<int:pk>/edit/", views.party_edit, name="edit"),
]
