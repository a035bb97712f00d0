from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kenal.parties.models import Party

MONEY = {"max_digits": 16, "decimal_places": 2}


class ProductKind(models.TextChoices):
    GOODS = "goods", _("Goods")
    SERVICE = "service", _("Service")
    PROFESSIONAL_SERVICE = "professional_service", _("Professional service")


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=ProductKind.choices, default=ProductKind.GOODS)
    # A product no longer sold leaves the order form's list; its past lines keep it.
    active = models.BooleanField(_("active"), db_default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]

    def __str__(self) -> str:
        return self.name or self.sku


class OrderCounter(models.Model):
    """The last number given to an order entered by hand (``ORD-000123``). One row per
    prefix, locked while a number is taken, so two orders saved at once never get the
    same number on PostgreSQL; SQLite lets one writer in at a time anyway."""

    prefix = models.CharField(max_length=16, unique=True)
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("order number counter")
        verbose_name_plural = _("order number counters")

    def __str__(self) -> str:
        return f"{self.prefix}{self.last}"


class LineStatus(models.TextChoices):
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class Order(models.Model):
    """An order by one buyer (who pays). Its time is its earliest line's time; it
    counts as a purchase when at least one line is paid (DOMAIN.md)."""

    external_id = models.CharField(_("order id"), max_length=100, unique=True)
    # Indexed by order_buyer_summary_idx below, which starts with the buyer.
    buyer = models.ForeignKey(
        Party, verbose_name=_("buyer"), on_delete=models.CASCADE, related_name="orders", db_index=False
    )
    occurred_at = models.DateTimeField(_("ordered at"))
    channel = models.CharField(_("channel"), max_length=32, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default=settings.KENAL_DEFAULT_CURRENCY)
    # A summary of the paid lines, kept by whoever writes the lines (services, imports),
    # so classifying millions of parties reads orders, not every line.
    is_paid = models.BooleanField(_("paid"), default=False)
    has_promotion = models.BooleanField(_("used a promotion"), default=False)
    max_paid_quantity = models.DecimalField(max_digits=12, decimal_places=3, default=0)
    paid_total = models.DecimalField(_("paid total"), default=0, **MONEY)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # Covers everything the classification reads of an order, so a recompute
            # aggregates orders per buyer from the index alone; it also serves a party's
            # timeline (buyer, newest first).
            models.Index(
                fields=["buyer", "occurred_at", "is_paid", "has_promotion", "max_paid_quantity", "paid_total"],
                name="order_buyer_summary_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class OrderLine(models.Model):
    # Indexed by the (order, line_no) unique constraint.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_no = models.PositiveIntegerField(_("line"))
    # Indexed by order_line_product_time_idx, which starts with the product.
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="lines", db_index=False
    )
    occurred_at = models.DateTimeField(_("time"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, default=1)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    discount = models.DecimalField(_("discount"), default=0, **MONEY)
    promo_code = models.CharField(_("promo code"), max_length=64, blank=True)
    # Indexed by order_line_consumer_idx, only where set: most lines name no consumer.
    consumer = models.ForeignKey(
        Party, verbose_name=_("consumer"), null=True, blank=True, db_index=False,
        on_delete=models.SET_NULL, related_name="consumed_lines",
        help_text=_("Who uses the product, when not the buyer."),
    )
    channel = models.CharField(_("channel"), max_length=32, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default=settings.KENAL_DEFAULT_CURRENCY)
    status = models.CharField(_("status"), max_length=16, choices=LineStatus.choices, default=LineStatus.PAID)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "line_no"]
        constraints = [models.UniqueConstraint(fields=["order", "line_no"], name="order_line_unique_no")]
        indexes = [
            # The order form lists products with their latest price: one index step
            # per product instead of sorting all of its lines.
            models.Index(fields=["product", "-occurred_at"], name="order_line_product_time_idx"),
            # Holds everything the classification reads of a line with a consumer (whose
            # order, and whether it was paid), so finding consumers never reads the lines
            # themselves; most lines name no consumer, so the index stays small.
            models.Index(
                fields=["consumer", "order", "status"], name="order_line_consumer_idx",
                condition=models.Q(consumer__isnull=False),
            )
        ]

    @property
    def total(self):
        return self.quantity * self.unit_price - self.discount
