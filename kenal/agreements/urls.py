from __future__ import annotations

from django.urls import path

from kenal.agreements import views

app_name = "agreements"
urlpatterns = [
    path("parties/<int:pk>/agreements/new/", views.agreement_new, name="new"),
    path("parties/<int:pk>/agreements/<int:agreement_pk>/sign/", views.agreement_sign_view, name="sign"),
    path("parties/<int:pk>/agreements/<int:agreement_pk>/edit/", views.agreement_edit, name="edit"),
    path("parties/<int:pk>/agreements/<int:agreement_pk>/terminate/", views.agreement_terminate_view, name="terminate"),
]
