from __future__ import annotations

import re

import pytest

from kenal.parties.models import Party, PartyKind
from tests.web import factories as f


@pytest.fixture
def people(db):
    return {
        "budi": f.party(
            "Budi Santoso", external_id="CUST-0042",
            contacts=[("email", "Budi.Santoso@Example.id"), ("whatsapp", "0812-3456-7890")],
        ),
        "sari": f.party("Sari Lestari", contacts=[("phone", "+62 811 2222 3333")]),
        "maju": f.party("PT Maju Jaya", kind=PartyKind.ORGANIZATION, contacts=[("email", "halo@majujaya.co.id")]),
    }


def _names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"[^>]*><a href="/parties/\d+/">([^<]+)</a>', html)


@pytest.mark.parametrize(
    "query",
    ["budi", "SANTOSO", "budi.santoso@example.id", "0812-3456-7890", "081234567890", "+62 812 3456 7890",
     "6281234567890", "62 812-3456-7890", "CUST-0042"],
)
def test_it_finds_a_party_by_name_email_any_phone_format_or_external_id(as_support, people, query):
    response = as_support.get("/parties/", {"q": query})
    assert _names(response.content.decode()) == ["Budi Santoso"]


def test_it_lists_everyone_by_name_with_their_main_contacts(as_support, people):
    html = as_support.get("/parties/").content.decode()
    assert _names(html) == ["Budi Santoso", "PT Maju Jaya", "Sari Lestari"]
    assert "budi.santoso@example.id" in html
    assert "+6281234567890" in html
    assert "CUST-0042" in html
    assert "Organisation" in html or "Organisasi" in html


def test_it_answers_htmx_with_only_the_rows(as_support, people):
    response = as_support.get("/parties/", {"q": "sari"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    assert _names(html) == ["Sari Lestari"]
    assert "HX-Request" in response["Vary"]
    full = as_support.get("/parties/", {"q": "sari"}).content.decode()
    assert "<html" in full and 'value="sari"' in full


def test_it_says_so_when_nothing_matches(as_support, people):
    html = as_support.get("/parties/", {"q": "zzz"}, HTTP_HX_REQUEST="true").content.decode()
    assert _names(html) == []
    assert "No party matches your search." in html


def test_it_filters_by_kind(as_support, people):
    html = as_support.get("/parties/", {"kind": "organization"}).content.decode()
    assert _names(html) == ["PT Maju Jaya"]


def test_it_pages_forward_and_back_without_losing_the_search(as_support, db):
    Party.objects.bulk_create([Party(name=f"Toko {n:02d}") for n in range(30)] + [Party(name="Other")])
    first = as_support.get("/parties/", {"q": "toko"}).content.decode()
    assert _names(first) == [f"Toko {n:02d}" for n in range(25)]
    assert 'rel="prev"' not in first
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "q=toko" in next_url
    second = as_support.get(next_url).content.decode()
    assert _names(second) == [f"Toko {n:02d}" for n in range(25, 30)]
    assert 'rel="next"' not in second
    prev_url = re.search(r'rel="prev" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    assert _names(as_support.get(prev_url).content.decode()) == [f"Toko {n:02d}" for n in range(25)]


def test_it_reads_a_page_in_a_fixed_number_of_queries(as_support, db, django_assert_max_num_queries):
    for n in range(40):
        f.party(f"Warung {n:02d}", contacts=[("email", f"w{n}@example.id"), ("phone", f"0812-0000-{n:04d}")])
    with django_assert_max_num_queries(8):
        html = as_support.get("/parties/", {"q": "warung"}, HTTP_HX_REQUEST="true").content.decode()
    assert len(_names(html)) == 25
