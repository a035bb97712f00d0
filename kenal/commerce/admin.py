from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kenal.audit.admin import ServiceDeletionMixin
from kenal.commerce.models import Order, OrderLine, Product
from kenal.commerce.services import order_cancel, order_delete, product_create, product_delete, product_update

PRODUCT_FIELDS = ("sku", "name", "kind", "active")


class ProductAdminForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = PRODUCT_FIELDS


@admin.register(Product)
class ProductAdmin(ServiceDeletionMixin, admin.ModelAdmin):
    """Through the product services, like the products page, so every change is
    audited; a product on past orders cannot be deleted (it is made inactive)."""

    form = ProductAdminForm
    list_display = ("sku", "name", "kind", "active")
    list_filter = ("kind", "active")
    search_fields = ("sku", "name")

    def save_model(self, request: HttpRequest, obj: Product, form: ProductAdminForm, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in PRODUCT_FIELDS}
        if change:
            product_update(actor=request.user, product=Product.objects.get(pk=obj.pk), **values)
        else:
            obj.pk = product_create(actor=request.user, **values).pk

    def delete_service(self, *, actor: Any, obj: Product) -> None:
        product_delete(actor=actor, product=obj)


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
class OrderAdmin(ServiceDeletionMixin, admin.ModelAdmin):
    """Read here, corrected on the party's page: each order keeps a summary of its paid
    lines (paid, promotion, total) that the services maintain with the lines, and
    editing either here would let the two disagree. Cancelling and deleting go through
    the order services, audited, and reclassify the buyer and consumers at once."""

    list_display = ("external_id", "buyer", "occurred_at", "is_paid", "has_promotion", "paid_total", "currency")
    list_filter = ("is_paid", "has_promotion", "currency", "channel")
    search_fields = ("=external_id", "=buyer__external_id", "buyer__name")
    list_select_related = ("buyer",)
    date_hierarchy = "occurred_at"
    inlines = (OrderLineInline,)
    show_full_result_count = False
    actions = ("cancel_orders",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("commerce.change_order")

    @admin.action(description=_("Cancel the selected orders"), permissions=("cancel",))
    def cancel_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        orders = list(queryset)
        with transaction.atomic():
            for order in orders:
                order_cancel(actor=request.user, order=order)
        self.message_user(
            request,
            ngettext("%(count)d order cancelled.", "%(count)d orders cancelled.", len(orders)) % {"count": len(orders)},
            messages.SUCCESS,
        )

    def delete_service(self, *, actor: Any, obj: Order) -> None:
        order_delete(actor=actor, order=obj)
