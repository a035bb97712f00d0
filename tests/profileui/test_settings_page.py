from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from kenal.audit.models import AuditEvent
from kenal.classification.actions import SETTINGS_FIELDS
from kenal.classification.models import ClassificationRun, ClassificationSettings, PartyProfile
from kenal.classification.selectors import classification_settings_current
from tests.profileui import factories as f
from tests.profileui.conftest import client_for

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def form_values(**changes) -> dict:
    current = classification_settings_current()
    values = {
        name: getattr(current, name) for name in [
            "profile", "new_days", "potential_days", "impulsive_hours", "thrifty_min_orders", "thrifty_share",
            "loyal_min_orders", "loyal_span_days", "loyal_recent_days", "loyal_agreement_days",
            "growing_min_orders", "intermediate_min_units", "intermediate_share", "top_revenue_share",
            "top_tiers", "renewal_window_days", "checkin_days", "winback_days",
        ]
    }
    for name in ("thrifty_share", "intermediate_share", "top_revenue_share"):
        values[name] = f"{values[name] * 100:g}"  # the page takes shares in percent
    values.update(changes)
    return values


def test_it_refuses_the_settings_page_to_support(as_support):
    assert as_support.get("/settings/classification/").status_code == 403
    assert as_support.post("/settings/classification/", form_values(new_days=7)).status_code == 403
    assert as_support.get("/settings/classification/status/").status_code == 403
    assert not ClassificationSettings.objects.exists()


def test_it_shows_every_threshold_to_a_manager(as_manager):
    html = as_manager.get("/settings/classification/").content.decode()
    for name in SETTINGS_FIELDS:  # every column of the settings model but its id and timestamp
        assert f'name="{name}"' in html
    assert 'value="30"' in html  # new_days' default


def test_it_shows_validation_errors_in_english(as_manager):
    response = as_manager.post("/settings/classification/", form_values(thrifty_share="150", new_days="0",
                                                                         loyal_min_orders="abc"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 100." in html
    assert "Ensure this value is greater than or equal to 1." in html
    assert "Enter a whole number." in html
    assert not ClassificationSettings.objects.exists()


def test_it_shows_validation_errors_in_indonesian(manager):
    response = client_for(manager, "id").post("/settings/classification/", form_values(thrifty_share="-0.1"))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'lang="id"' in html
    assert html.count('class="field__error"') == 1
    assert "Ensure this value" not in html  # Django's own messages come in Indonesian


def test_it_saves_audits_and_enqueues_a_recompute(as_manager, manager):
    response = as_manager.post("/settings/classification/", form_values(new_days=7, profile="customer_based"))
    assert response.status_code == 302
    stored = classification_settings_current()
    assert stored.pk is not None and stored.new_days == 7 and stored.profile == "customer_based"
    event = AuditEvent.objects.get(action="classification.settings_update")
    assert event.actor == manager and event.changes["new_days"] == [30, 7]
    task = DBTaskResult.objects.get()
    assert task.task_path == "kenal.classification.tasks.recompute_all" and task.status == "READY"
    status = as_manager.get("/settings/classification/status/").content.decode()
    assert 'data-status="READY"' in status and 'hx-trigger="every 2s"' in status


def test_it_recomputes_every_party_with_the_new_threshold(as_manager, db):
    buyer = f.party("Nina")
    f.buy(buyer, f.days_ago(20))
    assert PartyProfile.objects.get(party=buyer).new
    with override_settings(TASKS=IMMEDIATE):
        response = as_manager.post("/settings/classification/", form_values(new_days=14))
    assert response.status_code == 302
    assert not PartyProfile.objects.get(party=buyer).new
    assert ClassificationRun.objects.filter(full=True).exists()
    html = as_manager.get("/settings/classification/").content.decode()
    assert "Last full run: 1 party" in html


def test_it_stops_polling_once_the_recompute_finished(as_manager, db):
    as_manager.post("/settings/classification/", form_values(new_days=9))
    DBTaskResult.objects.update(status="SUCCESSFUL")
    status = as_manager.get("/settings/classification/status/").content.decode()
    assert 'data-status="SUCCESSFUL"' in status
    assert "hx-trigger" not in status
    assert "Every party was reclassified." in status


def test_it_links_the_settings_page_for_managers_only(as_manager, as_support):
    assert 'href="/settings/classification/"' in as_manager.get("/parties/").content.decode()
    assert 'href="/settings/classification/"' not in as_support.get("/parties/").content.decode()


def field_value(html: str, name: str) -> str:
    return re.search(rf'<input[^>]* name="{name}" value="([^"]*)"', html).group(1)


@pytest.mark.parametrize(("language", "units", "share", "top"), [("en", "12", "50 %", "10 %"), ("id", "12", "50 %", "10 %")])
def test_it_shows_numbers_as_typed_and_shares_in_percent(manager, language, units, share, top):
    html = client_for(manager, language).get("/settings/classification/").content.decode()
    assert field_value(html, "intermediate_min_units") == units
    assert field_value(html, "thrifty_share") == share
    assert field_value(html, "top_revenue_share") == top
    assert field_value(html, "new_days") == "30"


def test_it_accepts_a_decimal_comma_in_indonesian(manager):
    client = client_for(manager, "id")
    response = client.post("/settings/classification/", form_values(
        intermediate_min_units="0,5", thrifty_share="12,5", intermediate_share="60 %", top_revenue_share="5"))
    assert response.status_code == 302
    stored = ClassificationSettings.objects.get()
    assert stored.intermediate_min_units == Decimal("0.5")
    assert (stored.thrifty_share, stored.intermediate_share, stored.top_revenue_share) == (0.125, 0.6, 0.05)
    html = client.get("/settings/classification/").content.decode()
    assert field_value(html, "intermediate_min_units") == "0,5"
    assert field_value(html, "thrifty_share") == "12,5 %"


def test_it_reads_a_decimal_point_in_english(as_manager):
    response = as_manager.post("/settings/classification/", form_values(intermediate_min_units="2.5",
                                                                         thrifty_share="12.5"))
    assert response.status_code == 302
    stored = ClassificationSettings.objects.get()
    assert stored.intermediate_min_units == Decimal("2.5") and stored.thrifty_share == 0.125
    html = as_manager.get("/settings/classification/").content.decode()
    assert field_value(html, "intermediate_min_units") == "2.5"
    assert field_value(html, "thrifty_share") == "12.5 %"


def test_it_names_the_recompute_status_in_indonesian(manager):
    client = client_for(manager, "id")
    client.post("/settings/classification/", form_values(new_days=9))
    html = client.get("/settings/classification/status/").content.decode()
    assert re.search(r'data-task-status="READY">Menunggu<', html)
    DBTaskResult.objects.update(status="SUCCESSFUL")
    html = client.get("/settings/classification/status/").content.decode()
    assert re.search(r'data-task-status="SUCCESSFUL">Selesai<', html)
    assert "Successful" not in html and "Ready" not in html
