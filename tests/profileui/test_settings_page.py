from __future__ import annotations

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
    response = as_manager.post("/settings/classification/", form_values(thrifty_share="1.5", new_days="0",
                                                                         loyal_min_orders="abc"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 1." in html
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
    assert "Last full run: 1 parties" in html


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
