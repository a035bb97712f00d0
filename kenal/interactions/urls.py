from __future__ import annotations

from django.urls import path

from kenal.interactions import views

app_name = "interactions"
urlpatterns = [
    path("parties/<int:pk>/interactions/new/", views.interaction_new, name="new"),
]
