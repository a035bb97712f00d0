from __future__ import annotations

from django.urls import path

from kenal.parties import views

app_name = "parties"
urlpatterns = [
    path("", views.party_list, name="list"),
]
