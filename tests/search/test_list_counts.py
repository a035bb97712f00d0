"""What the party list says about a search: how many parties it found, how many of
them have each relationship and characteristic, and which page of them it shows. The
numbers agree with each other and with the rows, and past 10,000 parties found the
list says so instead of counting them. Typing in the list shows the rows first and
fetches the counts in a second request; a whole page carries them."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from kenal.classification.models import PartyProfile
from kenal.parties.models import Party
from tests.profileui import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(support) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(support)
    return client


def names(html: str) -> list[str]:
    return re.findall(r'<th scope="row" data-label="Name"><a href="/parties/\d+/">([^<]+)</a>', html)


def counted(html: str) -> dict[str, int]:
    return {key: int(n) for key, n in re.findall(
        r'data-facet="([a-z]+:[a-z]+)"[^>]*>[^<]+<span class="facets__count">(\d+)</span>', html)}


def counts_of(reader: Client, params: dict[str, str]) -> str:
    """What the list's placeholder fetches once the rows of a search are shown."""
    html = reader.get("/parties/", params, HTTP_HX_REQUEST="true").content.decode()
    link = re.search(r'data-facets-pending hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "Counting…" in html and counted(html) == {}
    return reader.get(link, HTTP_HX_REQUEST="true").content.decode()


def found(html: str) -> str:
    return re.search(r"data-count>([^<·]*)", html).group(1).strip()


@pytest.fixture
def wijayas(db):
    """Four Wijayas, two of them customers (one new), one a consumer, one a prospect;
    and a customer who is no Wijaya."""
    budi = f.party("Budi Wijaya")
    for days in (200, 120, 40):
        f.buy(budi, f.days_ago(days))
    rina = f.party("Rina Wijaya")
    dewi = f.party("Dewi Wijaya")
    f.buy(rina, f.days_ago(2), consumer=dewi)
    f.party("Andi Wijaya")
    f.buy(f.party("Sari Santoso"), f.days_ago(5))


@pytest.mark.parametrize("extra", [{}, {"kind": "person"}, {"sort": "revenue"}, {"sort": "name"}])
def test_it_counts_what_a_search_finds_as_it_lists_it(reader, wijayas, extra):
    html = reader.get("/parties/", {"q": "wijaya", **extra}, HTTP_HX_REQUEST="true").content.decode()
    assert sorted(names(html)) == ["Andi Wijaya", "Budi Wijaya", "Dewi Wijaya", "Rina Wijaya"]
    assert found(html) == "4 parties"
    numbers = counted(counts_of(reader, {"q": "wijaya", **extra}))
    assert numbers["relationship:customer"] == 2 and numbers["relationship:consumer"] == 1
    assert numbers["relationship:prospect"] == 1 and numbers["relationship:client"] == 0
    assert numbers["characteristic:new"] == 1
    assert sum(numbers[f"relationship:{r}"] for r in ("client", "customer", "consumer", "prospect")) == 4


def test_choosing_a_relationship_lists_fewer_and_keeps_the_searchs_counts(reader, wijayas):
    html = reader.get("/parties/", {"q": "wijaya", "relationship": "customer"}).content.decode()
    assert names(html) == ["Budi Wijaya", "Rina Wijaya"]
    assert found(html) == "2 parties"
    numbers = counted(html)
    assert numbers["relationship:customer"] == 2 and numbers["relationship:consumer"] == 1
    assert numbers["relationship:prospect"] == 1
    assert counted(counts_of(reader, {"q": "wijaya", "relationship": "customer"})) == numbers


def test_the_counts_ask_for_a_login_like_the_list(wijayas):
    response = Client().get("/parties/counts/", {"q": "wijaya"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_orders_equally_good_matches_by_name_whatever_their_case(reader, db):
    for name in ("Élise Wijaya", "dewi wijaya", "Wijaya", "Citra Wijaya", "andi wijaya"):
        f.party(name)
    html = reader.get("/parties/", {"q": "wijaya"}).content.decode()
    # The whole name first, then the rest of the name's starts of a word, A to Z.
    assert names(html) == ["Wijaya", "andi wijaya", "Citra Wijaya", "dewi wijaya", "Élise Wijaya"]


@pytest.fixture
def many_shops(db):
    """10,001 shops, each classified as a customer, and one prospect who is no shop."""
    Party.objects.bulk_create(Party(name=f"Toko {n:05d}") for n in range(10_001))
    Party.objects.bulk_create([Party(name="Zaki Prospek")])
    now = timezone.now()
    PartyProfile.objects.bulk_create(
        PartyProfile(
            party=party, as_of=now.date(), computed_at=now, relationship="customer" if party.name != "Zaki Prospek"
            else "prospect", is_customer=party.name != "Zaki Prospek", is_prospect=party.name == "Zaki Prospek",
        )
        for party in Party.objects.all()
    )


def test_past_ten_thousand_found_it_says_more_than_and_leaves_the_counts_out(reader, many_shops):
    html = reader.get("/parties/", {"q": "toko"}, HTTP_HX_REQUEST="true").content.decode()
    assert found(html) == "More than 10,000 parties"
    assert names(html) == [f"Toko {n:05d}" for n in range(25)]
    html = counts_of(reader, {"q": "toko"})
    assert counted(html) == {}
    assert "Counted when the search finds at most 10,000 parties." in html
    assert 'data-facet="relationship:customer"' in html  # still a link that narrows the list
    # The last page, past the 10,001 matches ranked for the count, is still there.
    html = reader.get("/parties/", {"q": "toko", "page": "401"}).content.decode()
    assert names(html) == ["Toko 10000"]
    assert 'rel="prev"' in html and 'rel="next"' not in html
    # Ten thousand or fewer are counted.
    html = reader.get("/parties/", {"q": "prospek"}).content.decode()
    assert found(html) == "1 party"
    assert counted(html)["relationship:prospect"] == 1 and counted(html)["relationship:customer"] == 0
    assert counted(counts_of(reader, {"q": "prospek"})) == counted(html)


def test_it_finds_an_address_by_the_whole_of_it_when_another_shares_its_number(reader, db):
    f.party("Budi Tan", contacts=[("email", "budi.tan.0439771@gmail.com")])
    f.party("Andi Tan", contacts=[("email", "andi.tan.0439771@yahoo.co.id")])
    html = reader.get("/parties/", {"q": "budi.tan.0439771@gmail.com"}).content.decode()
    assert names(html) == ["Budi Tan"] and found(html) == "1 party"
    assert names(reader.get("/parties/", {"q": "0439771@yahoo"}).content.decode()) == ["Andi Tan"]
