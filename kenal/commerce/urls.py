from __future__ import annotations

from django.urls import path

from kenal.commerce import views

app_name = "commerce"
urlpatterns = [
    path("parties/<int:pk>/orders/new/", views.order_new, name="order-new"),
    path("parties/<int:pk>/orders/<int:order_pk>/edit/", views.order_edit, name="order-edit"),
    path("parties/<int:pk>/orders/<int:order_pk>/cancel/", views.order_cancel_view, name="order-cancel"),
    path("products/", views.product_list, name="products"),
    path("products/new/", views.product_new, name="product-new"),
    path("products/options/", views.product_options, name="product-options"),
    path("products/<int:product_pk>/edit/", views.product_edit, name="product-edit"),
]
