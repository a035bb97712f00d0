from __future__ import annotations

from django.urls import path

from kenal.commerce import views

app_name = "commerce"
urlpatterns = [
    path("parties/<int:pk>/orders/new/", views.order_new, name="order-new"),
]
