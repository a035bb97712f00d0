from __future__ import annotations

from django.urls import path

from kenal.agreements import views

app_name = "agreements"
urlpatterns = [
    path("parties/<int:pk>/agreements/new/", views.agreement_new, name="new"),
    path("parties/<int:pk>/agreements/<int:agreement_pk>/sign/", views.agreement_sign_view, name="sign"),
]
