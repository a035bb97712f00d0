"""The business profile chooses the thresholds' defaults (DOMAIN.md, "Business profiles")."""

from __future__ import annotations

import pytest

from kenal.classification.actions import SETTINGS_FIELDS, profile_defaults, settings_update
from kenal.classification.models import ClassificationSettings
from kenal.classification.rules import PROFILE_DEFAULTS
from kenal.classification.selectors import classification_settings_current

SHARES = ("thrifty_share", "intermediate_share", "top_revenue_share")


def page_values(**changes) -> dict:
    """The settings page's fields as they stand, with ``changes``."""
    current = classification_settings_current()
    values = {name: getattr(current, name) for name in SETTINGS_FIELDS}
    for name in SHARES:
        values[name] = f"{values[name] * 100:g}"  # the page takes shares in percent
    values.update(changes)
    return values


def stored() -> dict:
    current = ClassificationSettings.objects.get()
    return {name: getattr(current, name) for name in SETTINGS_FIELDS}


@pytest.mark.django_db
def test_it_gives_a_cafe_and_a_law_firm_different_windows():
    cafe, firm, hybrid = (profile_defaults(p) for p in ("customer_based", "client_based", "hybrid"))
    assert hybrid["new_days"] == 30 and hybrid["winback_days"] == 365  # DOMAIN.md's numbers
    assert cafe["new_days"] < hybrid["new_days"] < firm["new_days"]
    assert cafe["winback_days"] < hybrid["winback_days"] < firm["winback_days"]


@pytest.mark.django_db
def test_it_moves_the_thresholds_to_the_new_profile_defaults_and_changes_nothing_else(as_manager):
    before = classification_settings_current()
    before_values = {name: getattr(before, name) for name in SETTINGS_FIELDS}
    response = as_manager.post("/settings/classification/", page_values(profile="customer_based"))
    assert response.status_code == 302
    after = stored()
    moved = {name for name in SETTINGS_FIELDS if after[name] != before_values[name]}
    assert moved == {"profile", *PROFILE_DEFAULTS["customer_based"]}
    assert after["new_days"] == 14 and after["winback_days"] == 90


@pytest.mark.django_db
def test_it_keeps_a_threshold_the_manager_set_by_hand(as_manager):
    as_manager.post("/settings/classification/", page_values(new_days=45))
    as_manager.post("/settings/classification/", page_values(profile="client_based"))
    after = stored()
    assert after["new_days"] == 45  # set by hand: kept
    assert after["potential_days"] == 180 and after["renewal_window_days"] == 90  # defaults: moved


@pytest.mark.django_db
def test_it_moves_back_what_a_profile_moved_when_the_profile_changes_again(manager):
    settings_update(actor=manager, values={"profile": "customer_based"})
    settings_update(actor=manager, values={"profile": "client_based"})
    after = stored()
    assert after == {**after, **profile_defaults("client_based"), "profile": "client_based"}
