from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from kenal.commerce.models import Order, OrderLine, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("sku", "name")


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fields = ("line_no", "product", "occurred_at", "quantity", "unit_price", "discount", "promo_code", "consumer", "status")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderLine]:
        return super().get_queryset(request).select_related("product", "consumer")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-only: each order keeps a summary of its paid lines (paid, promotion, total)
    that imports and services maintain with the lines; editing either here would let
    the two disagree and the classification read a wrong summary."""

    list_display = ("external_id", "buyer", "occurred_at", "is_paid", "has_promotion", "paid_total", "currency")
    list_filter = ("is_paid", "has_promotion", "currency", "channel")
    search_fields = ("=external_id", "=buyer__external_id", "buyer__name")
    list_select_related = ("buyer",)
    date_hierarchy = "occurred_at"
    inlines = (OrderLineInline,)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False
