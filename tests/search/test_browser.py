"""The party list in a real Chromium, in both languages: live search by what a person
types, the count, the counts of relationships that follow the rows, the sort kept in
the address, and the CSV export."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from kenal.classification.models import PartyProfile
from tests.web import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"one": "1 party", "three": "3 parties", "export": "Export CSV", "header": "Name,Kind"},
    "id": {"one": "1 pihak", "three": "3 pihak", "export": "Ekspor CSV", "header": "Nama,Jenis"},
}


def _day(text: str) -> int:
    return (date.fromisoformat(text) - date(1970, 1, 1)).days


@pytest.fixture
def listed(db, csm):
    csm.first_name, csm.last_name = "Citra", "Dewi"
    csm.save()
    akira = f.party("Akira Schmidt", external_id="P-005",
                    contacts=[("email", "akira@gmail.com"), ("whatsapp", "0812-2226-9572")])
    f.party("Andi Siregar", contacts=[("email", "andi.siregar@yahoo.co.id")])
    rina = f.party("Rina Wijaya", contacts=[("phone", "0813-1111-2222")])
    PartyProfile.objects.filter(party=akira).update(
        revenue_12m=1250000, last_interaction_day=_day("2026-11-29"), csm=csm,
    )
    PartyProfile.objects.filter(party=rina).update(revenue_12m=9000000)


@pytest.mark.parametrize("language", ["id", "en"])
def test_it_searches_sorts_counts_and_exports_in_the_browser(page, login, manager, listed, language, tmp_path):
    csp: list[str] = []
    page.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)
    words = WORDS[language]
    login(manager)
    page.click(f".lang-switch button[value={language}]")
    rows = page.locator("table.table--parties tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("[data-count]")).to_contain_text(words["three"])

    page.fill("input[name=q]", "schmidt akira")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("th")).to_have_text("Akira Schmidt")
    expect(rows.first).to_contain_text("Citra Dewi")
    expect(rows.first).to_contain_text("29 Nov 2026")
    expect(rows.first).to_contain_text("Rp 1.250.000")
    expect(page.locator("[data-count]")).to_contain_text(words["one"])
    # The counts arrive after the rows, in place of the placeholder, for the one found.
    expect(page.locator("[data-facets-pending]")).to_have_count(0)
    relationships = page.locator('[data-facets] [data-facet^="relationship:"] .facets__count')
    expect(relationships).to_have_count(4)
    assert sum(int(n) for n in relationships.all_inner_texts()) == 1
    page.screenshot(path=f"/tmp/kenal-search-name-{language}.png", full_page=True)

    page.fill("input[name=q]", "0812-2226")
    expect(page).to_have_url(re.compile(r"q=0812-2226"))
    expect(rows).to_have_count(1)
    expect(rows.first.locator("th")).to_have_text("Akira Schmidt")
    page.screenshot(path=f"/tmp/kenal-search-phone-{language}.png", full_page=True)

    page.fill("input[name=q]", "")
    expect(rows).to_have_count(3)
    page.select_option("select[name=sort]", "revenue")
    expect(page).to_have_url(re.compile(r"sort=revenue"))
    expect(rows.first.locator("th")).to_have_text("Rina Wijaya")
    expect(rows.nth(1).locator("th")).to_have_text("Akira Schmidt")
    page.screenshot(path=f"/tmp/kenal-search-sorted-{language}.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name=words["export"]).click()
    saved = tmp_path / "parties.csv"
    download.value.save_as(saved)
    text = saved.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    lines = text.decode("utf-8-sig").splitlines()
    assert lines[0].startswith(words["header"])
    assert [line.split(",")[0] for line in lines[1:]] == ["Rina Wijaya", "Akira Schmidt", "Andi Siregar"]

    assert csp == []
    # Going back, htmx reads the page again (the list keeps no snapshot in the browser).
    page.go_back()  # the sort was a step in the history: back shows the list by name again
    expect(page).not_to_have_url(re.compile(r"sort=revenue"))
    expect(rows.first.locator("th")).to_have_text("Akira Schmidt")
    expect(rows.nth(1).locator("th")).to_have_text("Andi Siregar")
