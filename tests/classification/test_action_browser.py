"""The party page shows the next best action worded in the page's language."""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta

import pytest
from django.utils import dateformat, translation
from playwright.sync_api import expect

from kenal.classification.selectors import business_today, business_zone
from kenal.classification.services import profiles_recompute
from kenal.interactions.models import Interaction
from tests.classification.factories import order, party

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the
# test makes around it are still synchronous, one at a time.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("language", "wording"), [
    ("en", "Answer Siti’s question from {day} on Instagram."),
    ("id", "Jawab pertanyaan Siti tanggal {day} lewat Instagram."),
])
def test_it_shows_whose_question_to_answer_first_on_the_party_page(page, login, manager, language, wording):
    today = business_today()
    siti = party("Siti Rahma")
    order(siti, datetime.combine(today - timedelta(days=1), time(10), tzinfo=business_zone()))
    asked = today - timedelta(days=3)
    Interaction.objects.create(
        party=siti, occurred_at=datetime.combine(asked, time(9), tzinfo=business_zone()), channel="instagram",
        direction="inbound", kind="question", source_key="q-browser",
    )
    profiles_recompute()
    login(manager)
    page.goto(f"/parties/{siti.pk}/")
    page.click(f".lang-switch button[value={language}]")
    with translation.override(language):
        day = dateformat.format(asked, "j M" if asked.year == today.year else "j M Y")
    expect(page.locator("#profile")).to_contain_text(wording.format(day=day))
    expect(page.locator("#profile")).to_contain_text("yesterday" if language == "en" else "kemarin")
    page.screenshot(path=f"/tmp/kenal-next-action-{language}.png", full_page=True)
