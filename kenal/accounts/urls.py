from __future__ import annotations

from django.urls import path

from kenal.accounts import views

app_name = "accounts"
urlpatterns = [
    path("language/", views.language_switch, name="language"),
]
