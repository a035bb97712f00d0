"""Reads of the catalogue and orders for the screens."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from kenal.commerce.models import OrderLine, Product


def product_search(*, query: str = "", active_only: bool = False) -> QuerySet[Product]:
    """Products whose code or name contains ``query``, by code, each with the unit price
    and currency of its latest line (``last_price``, ``last_currency``; None when it
    was never sold)."""
    products = Product.objects.all()
    query = query.strip()
    if query:
        products = products.filter(Q(sku__icontains=query) | Q(name__icontains=query))
    if active_only:
        products = products.filter(active=True)
    latest = OrderLine.objects.filter(product=OuterRef("pk")).order_by("-occurred_at", "-id")
    return products.annotate(
        last_price=Subquery(latest.values("unit_price")[:1]),
        last_currency=Subquery(latest.values("currency")[:1]),
    ).order_by("sku")
