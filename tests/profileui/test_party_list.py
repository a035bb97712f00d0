from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kenal.agreements.services import Side, agreement_sign
from kenal.classification.display import profile_counts
from kenal.parties.selectors import party_search
from tests.profileui import factories as f


@pytest.fixture
def people(db):
    """Two customers (one loyal and thrifty, one new), a consumer, a client, a prospect."""
    loyal = f.party("Rina Wijaya")
    for days, promo in ((210, "HEMAT"), (150, ""), (60, "HEMAT"), (10, "")):
        f.buy(loyal, f.days_ago(days), promo_code=promo)
    fresh = f.party("Rudi Hartono")
    child = f.party("Dewi Hartono")
    f.buy(fresh, f.days_ago(3), consumer=child)
    client = f.party("PT Sinar Jaya", kind="organization")
    agreement = f.proposal(client)
    agreement_sign(actor=None, agreement=agreement, side=Side.PROVIDER)
    agreement_sign(actor=None, agreement=agreement, side=Side.CLIENT)
    f.proposal(f.party("Ratna Sari"))  # a proposal only: a prospect
    return {"loyal": loyal, "fresh": fresh, "child": child, "client": client}


def names(html: str) -> list[str]:
    return re.findall(r'<th scope="row" data-label="Name"><a href="/parties/\d+/">([^<]+)</a>', html)


def counts(html: str) -> dict[str, int]:
    return {key: int(n) for key, n in re.findall(
        r'data-facet="([a-z]+:[a-z]+)"[^>]*>[^<]+<span class="facets__count">(\d+)</span>', html)}


def test_it_filters_by_relationship(as_support, people):
    html = as_support.get("/parties/?relationship=customer").content.decode()
    assert names(html) == ["Rina Wijaya", "Rudi Hartono"]
    html = as_support.get("/parties/?relationship=consumer").content.decode()
    assert names(html) == ["Dewi Hartono"]


def test_it_filters_by_characteristic_and_customer_type_together_with_the_search(as_support, people):
    assert names(as_support.get("/parties/?characteristic=new").content.decode()) == ["Rudi Hartono"]
    assert names(as_support.get("/parties/?characteristic=loyal&q=rina").content.decode()) == ["Rina Wijaya"]
    assert names(as_support.get("/parties/?characteristic=loyal&q=rudi").content.decode()) == []
    html = as_support.get("/parties/?customer_type=external&relationship=client").content.decode()
    assert names(html) == ["PT Sinar Jaya"]


def test_it_counts_relationships_and_characteristics_for_the_current_search(as_support, people):
    everyone = counts(as_support.get("/parties/").content.decode())
    assert everyone["relationship:client"] == 1
    assert everyone["relationship:customer"] == 2
    assert everyone["relationship:consumer"] == 1
    assert everyone["relationship:prospect"] == 1
    assert everyone["characteristic:loyal"] == 1 and everyone["characteristic:thrifty"] == 1
    assert everyone["characteristic:new"] == 1 and everyone["characteristic:growing"] == 0
    # Typing, the list asks for the counts once its rows are shown.
    hartono = counts(as_support.get("/parties/counts/?q=hartono", headers={"HX-Request": "true"}).content.decode())
    assert hartono["relationship:customer"] == 1 and hartono["relationship:consumer"] == 1
    assert hartono["relationship:client"] == 0 and hartono["characteristic:loyal"] == 0


def test_it_links_each_count_to_its_filter_and_back(as_support, people):
    html = as_support.get("/parties/?q=hartono&relationship=consumer").content.decode()
    link = re.search(r'href="(/parties/\?[^"]*)"[^>]*data-facet="relationship:consumer"', html).group(1)
    assert "relationship" not in link and "q=hartono" in link  # choosing it again clears it
    link = re.search(r'href="(/parties/\?[^"]*)"[^>]*data-facet="characteristic:new"', html).group(1)
    assert "characteristic=new" in link and "relationship=consumer" in link


def test_it_shows_each_partys_relationship_and_characteristics_in_the_list(as_support, people):
    html = as_support.get("/parties/?q=rina").content.decode()
    row = html[html.index("Rina Wijaya"):html.index("</tr>", html.index("Rina Wijaya"))]
    assert ">Customer</span>" in row and ">Loyal</span>" in row and ">Thrifty</span>" in row


def test_it_ignores_an_unknown_filter_value(as_support, people):
    response = as_support.get("/parties/?relationship=boss&characteristic=rich")
    assert response.status_code == 200
    assert len(names(response.content.decode())) == 5


@pytest.mark.parametrize("search", ["", "hartono"])
def test_it_counts_in_one_query(people, search):
    with CaptureQueriesContext(connection) as queries:
        counted = profile_counts(party_search(query=search))
    assert len(queries.captured_queries) == 1
    assert sum(counted.relationships.values()) == (5 if not search else 2)


def test_it_pages_through_a_common_filter_and_finds_a_rare_one_among_thousands(as_support, db):
    """A filter matching thousands walks the list in name order; one matching a few
    reads their ids first. Both must give the same pages a user would expect."""
    from django.utils import timezone

    from kenal.classification.display import FEW_MATCHES
    from kenal.classification.models import PartyProfile
    from kenal.parties.models import Party

    total = FEW_MATCHES + 40
    Party.objects.bulk_create(Party(name=f"Pembeli {n:05d}") for n in range(total))
    Party.objects.bulk_create([Party(name="Zaki Prospek"), Party(name="Abdi Prospek")])
    now = timezone.now()
    impulsive = {"Pembeli 00007", "Pembeli 03001", "Pembeli 05030"}
    PartyProfile.objects.bulk_create(
        PartyProfile(
            party=party, as_of=now.date(), computed_at=now,
            relationship="customer" if party.name.startswith("Pembeli") else "prospect",
            is_customer=party.name.startswith("Pembeli"), is_prospect=not party.name.startswith("Pembeli"),
            impulsive=party.name in impulsive,
        )
        for party in Party.objects.all()
    )
    html = as_support.get("/parties/?relationship=customer").content.decode()
    assert names(html) == [f"Pembeli {n:05d}" for n in range(25)]
    next_url = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "relationship=customer" in next_url
    html = as_support.get(next_url).content.decode()
    assert names(html) == [f"Pembeli {n:05d}" for n in range(25, 50)]
    assert names(as_support.get("/parties/?characteristic=impulsive").content.decode()) == sorted(impulsive)
    assert names(as_support.get("/parties/?relationship=prospect").content.decode()) == ["Abdi Prospek", "Zaki Prospek"]
    html = as_support.get("/parties/?characteristic=impulsive&q=pembeli 0300").content.decode()
    assert names(html) == ["Pembeli 03001"]


def recount() -> dict[str, int]:
    """What the list's counts of everyone must say, counted afresh from the profiles."""
    from kenal.classification.models import CHARACTERISTICS, PartyProfile, Relationship

    numbers = {f"relationship:{value}": PartyProfile.objects.filter(relationship=value).count()
               for value in Relationship.values}
    numbers |= {f"characteristic:{name}": PartyProfile.objects.filter(**{name: True}).count()
                for name in CHARACTERISTICS}
    return numbers


def test_the_counts_of_everyone_follow_each_saved_fact_override_and_recompute(as_support, manager, people):
    from kenal.classification.engine import classify
    from kenal.classification.models import ProfileTally
    from kenal.classification.services import override_create, override_withdraw

    assert counts(as_support.get("/parties/").content.decode()) == recount()
    f.buy(people["child"], f.days_ago(1))  # the consumer becomes a customer, and new
    newcomer = f.party("Joko Susilo")  # a new prospect
    override = override_create(actor=manager, party=newcomer, field="characteristic:loyal", value="true",
                               reason="Regular at the old shop")
    shown = counts(as_support.get("/parties/").content.decode())
    assert shown == recount()
    assert shown["relationship:consumer"] == 0 and shown["relationship:customer"] == 3
    assert shown["relationship:prospect"] == 2 and shown["characteristic:loyal"] == 2
    override_withdraw(actor=manager, override=override)
    classify()
    assert counts(as_support.get("/parties/").content.decode()) == recount()
    assert ProfileTally.objects.count() == len(recount())  # a full run leaves one row per name


def test_folding_the_counts_together_keeps_their_sums(as_support, people):
    from django.db import transaction

    from kenal.classification.engine import tally_compact
    from kenal.classification.models import ProfileTally

    f.buy(people["fresh"], f.days_ago(1), promo_code="HEMAT")
    f.party("Joko Susilo")
    before = counts(as_support.get("/parties/").content.decode())
    assert ProfileTally.objects.count() > len(before)
    with transaction.atomic(), connection.cursor() as cursor:
        tally_compact(cursor)
    assert counts(as_support.get("/parties/").content.decode()) == before == recount()
    assert ProfileTally.objects.count() <= len(before)


def test_counting_afresh_gives_the_counts_the_engine_kept(as_support, people):
    from kenal.classification.engine import tally_rebuild

    kept = counts(as_support.get("/parties/").content.decode())
    tally_rebuild()
    assert counts(as_support.get("/parties/").content.decode()) == kept == recount()
