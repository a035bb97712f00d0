from __future__ import annotations

from django.urls import path

from kenal.interactions import views

app_name = "interactions"
urlpatterns = [
    path("parties/<int:pk>/interactions/new/", views.interaction_new, name="new"),
    path("parties/<int:pk>/interactions/<int:interaction_pk>/edit/", views.interaction_edit, name="edit"),
    path("parties/<int:pk>/interactions/<int:interaction_pk>/delete/", views.interaction_delete_view, name="delete"),
]
