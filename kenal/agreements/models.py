from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kenal.commerce.models import MONEY
from kenal.parties.models import Party


class ServiceKind(models.TextChoices):
    SERVICE = "service", _("Service")
    PROFESSIONAL_SERVICE = "professional_service", _("Professional service")


class BillingPeriod(models.TextChoices):
    ONE_OFF = "one_off", _("One-off")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class Agreement(models.Model):
    """A service agreement. Only one signed by both sides, started and not ended or
    terminated, makes its party a client (DOMAIN.md); one missing a signature is a
    proposal."""

    external_id = models.CharField(_("external id"), max_length=100, unique=True, null=True, blank=True)
    party = models.ForeignKey(Party, verbose_name=_("client"), on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(_("title"), max_length=200)
    service_kind = models.CharField(
        _("service kind"), max_length=24, choices=ServiceKind.choices, default=ServiceKind.PROFESSIONAL_SERVICE
    )
    tier = models.CharField(_("tier"), max_length=64, blank=True)
    signed_by_provider_at = models.DateTimeField(_("signed by us"), null=True, blank=True)
    signed_by_client_at = models.DateTimeField(_("signed by the client"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    terminated_on = models.DateField(
        _("terminated on"), null=True, blank=True, help_text=_("The first day it no longer applies.")
    )
    auto_renew = models.BooleanField(_("renews automatically"), default=False)
    value = models.DecimalField(_("value"), null=True, blank=True, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default=settings.KENAL_DEFAULT_CURRENCY)
    billing_period = models.CharField(_("billing period"), max_length=16, blank=True)
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer success manager"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="managed_agreements",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["party", "starts_on"], name="agreement_party_start_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_signed(self) -> bool:
        return self.signed_by_provider_at is not None and self.signed_by_client_at is not None
