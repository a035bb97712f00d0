from __future__ import annotations

from django.urls import path

from kenal.classification import views

app_name = "classification"
urlpatterns = [
    path("parties/<int:pk>/profile/", views.party_profile, name="profile"),
    path("parties/<int:pk>/overrides/", views.override_new, name="override-new"),
    path(
        "parties/<int:pk>/overrides/<int:override_pk>/withdraw/", views.override_withdraw_view,
        name="override-withdraw",
    ),
    path("settings/classification/", views.settings_edit, name="settings"),
    path("settings/classification/status/", views.settings_status, name="settings-status"),
]
