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
    assert "0812-3456-7890" in html
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
    with django_assert_max_num_queries(9):
        html = as_support.get("/parties/", {"q": "warung"}, HTTP_HX_REQUEST="true").content.decode()
    assert len(_names(html)) == 25


# What a person types to find someone, from a user's trial: fragments of each value.
@pytest.fixture
def trial(db):
    return {
        "akira": f.party(
            "Akira Schmidt", external_id="P-005",
            contacts=[("email", "akira@gmail.com"), ("whatsapp", "0812-2226-9572")],
        ),
        "andi": f.party("Andi Siregar", external_id="P-017", contacts=[("email", "andi.siregar@yahoo.co.id")]),
        "jose": f.party("José Müller", contacts=[("phone", "+62 21 5550 1234")]),
        "other": f.party("Budi Santoso", external_id="CUST-9", contacts=[("phone", "0813-1111-2222")]),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("gmail.com", ["Akira Schmidt"]),
        ("andi.siregar", ["Andi Siregar"]),
        ("0812-2226", ["Akira Schmidt"]),
        ("2226-9572", ["Akira Schmidt"]),
        ("62812 2226", ["Akira Schmidt"]),
        ("+62 812-2226", ["Akira Schmidt"]),
        ("2226 9572", ["Akira Schmidt"]),
        ("P-005", ["Akira Schmidt"]),
        ("schmidt akira", ["Akira Schmidt"]),
        ("SCHMIDT", ["Akira Schmidt"]),
        ("muller jose", ["José Müller"]),
        ("Müll", ["José Müller"]),
        ("021-5550", ["José Müller"]),
        ("siregar yahoo", ["Andi Siregar"]),
    ],
)
def test_it_finds_fragments_of_names_emails_phones_and_external_ids(as_support, trial, query, expected):
    response = as_support.get("/parties/", {"q": query}, HTTP_HX_REQUEST="true")
    assert _names(response.content.decode()) == expected


def test_it_finds_a_party_only_when_every_word_matches(as_support, trial):
    assert _names(as_support.get("/parties/", {"q": "akira santoso"}).content.decode()) == []
    assert _names(as_support.get("/parties/", {"q": "santoso budi"}).content.decode()) == ["Budi Santoso"]


def test_it_ranks_an_exact_value_before_a_start_before_a_fragment(as_support, db):
    f.party("Ana Wijaya")  # "ana" at the start of a word of the name
    f.party("Ana")  # the whole name
    f.party("Diana Putri")  # "ana" inside a word
    f.party("Zul", contacts=[("email", "ana@example.id")])  # the start of an email
    html = as_support.get("/parties/", {"q": "ana"}).content.decode()
    assert _names(html) == ["Ana", "Ana Wijaya", "Zul", "Diana Putri"]


def test_it_finds_a_long_address_whole_and_not_one_that_only_starts_alike(as_support, db):
    f.party("Joko Tambunan", contacts=[("email", "joko.tambunan.0973317@gmail.com")])
    f.party("Joko Lain", contacts=[("email", "joko.tambunan.0973318@yahoo.co.id")])
    found = _names(as_support.get("/parties/", {"q": "joko.tambunan.0973317@gmail.com"}).content.decode())
    assert found == ["Joko Tambunan"]
    assert _names(as_support.get("/parties/", {"q": "tambunan.0973318@yahoo"}).content.decode()) == ["Joko Lain"]


def test_it_reads_one_or_two_letters_as_the_start_of_a_name_or_external_id(as_support, trial):
    assert _names(as_support.get("/parties/", {"q": "an"}).content.decode()) == ["Andi Siregar"]
    assert _names(as_support.get("/parties/", {"q": "p-"}).content.decode()) == ["Akira Schmidt", "Andi Siregar"]


def test_it_finds_a_party_by_its_new_values_after_an_edit_and_not_by_the_old(as_support, trial):
    from kenal.parties.services import PartyData, party_update

    akira = trial["akira"]
    party_update(actor=None, party=akira, data=PartyData(
        name="Akira Tanaka", external_id="P-005", contacts=[("email", "akira@proton.me")],
    ))
    assert _names(as_support.get("/parties/", {"q": "tanaka"}).content.decode()) == ["Akira Tanaka"]
    assert _names(as_support.get("/parties/", {"q": "proton"}).content.decode()) == ["Akira Tanaka"]
    assert _names(as_support.get("/parties/", {"q": "gmail.com"}).content.decode()) == []
    assert _names(as_support.get("/parties/", {"q": "2226-9572"}).content.decode()) == []
    akira.delete()
    assert _names(as_support.get("/parties/", {"q": "akira"}).content.decode()) == []


def test_it_finds_fragments_through_the_api_too(support, trial):
    from django.test import Client

    from kenal.accounts.services import token_create

    _token, raw = token_create(user=support, name="search")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    for query, name in (("schmidt akira", "Akira Schmidt"), ("0812-2226", "Akira Schmidt"), ("gmail.com", "Akira Schmidt"),
                        ("P-017", "Andi Siregar")):
        body = client.get("/api/v1/parties", {"q": query}).json()
        assert [item["name"] for item in body["items"]] == [name], query
        assert body["count"] == 1


# The list's count, sorts, facts per party and its CSV export.
def _day(text: str) -> int:
    from datetime import date

    return (date.fromisoformat(text) - date(1970, 1, 1)).days


@pytest.fixture
def customers(db, csm):
    from kenal.classification.models import PartyProfile

    csm.first_name, csm.last_name = "Citra", "Dewi"
    csm.save()
    made = {
        "budi": f.party("Budi Santoso", external_id="C-1",
                        contacts=[("email", "budi@example.id"), ("whatsapp", "0812-2226-9572"), ("instagram", "@budi.s")]),
        "ani": f.party("Ani Wijaya", contacts=[("email", "ani@example.id")]),
        "cici": f.party("Cici Halim"),
    }
    facts = {
        "budi": dict(revenue_12m=1250000, last_interaction_day=_day("2026-11-29"), last_order_day=_day("2026-06-01"), csm=csm),
        "ani": dict(revenue_12m=5000000, last_interaction_day=None, last_order_day=_day("2026-11-30")),
        "cici": dict(revenue_12m=0, last_interaction_day=_day("2025-01-02"), last_order_day=None),
    }
    for key, values in facts.items():
        PartyProfile.objects.filter(party=made[key]).update(**values)
    return made


def test_it_shows_the_count_csm_last_contact_and_revenue_of_each_party(as_support, customers):
    html = as_support.get("/parties/").content.decode()
    assert "3 parties" in html
    row = re.search(r"Budi Santoso</a></th>(.*?)</tr>", html, re.S).group(1)
    assert "Citra Dewi" in row and "29 Nov 2026" in row and "Rp 1.250.000" in row
    assert "1 party" in as_support.get("/parties/", {"q": "santoso"}).content.decode()


def test_it_sorts_by_name_last_activity_and_revenue_and_keeps_the_sort_in_its_links(as_support, customers):
    def listed(**params):
        return _names(as_support.get("/parties/", params).content.decode())

    assert listed() == ["Ani Wijaya", "Budi Santoso", "Cici Halim"]
    assert listed(sort="revenue") == ["Ani Wijaya", "Budi Santoso", "Cici Halim"]
    assert listed(sort="activity") == ["Ani Wijaya", "Budi Santoso", "Cici Halim"]
    assert listed(q="example.id", sort="name") == ["Ani Wijaya", "Budi Santoso"]
    assert listed(q="example.id", sort="revenue") == ["Ani Wijaya", "Budi Santoso"]
    from kenal.classification.models import PartyProfile

    PartyProfile.objects.filter(party=customers["cici"]).update(revenue_12m=9000000, last_interaction_day=_day("2026-12-01"))
    assert listed(sort="revenue") == ["Cici Halim", "Ani Wijaya", "Budi Santoso"]
    assert listed(sort="activity") == ["Cici Halim", "Ani Wijaya", "Budi Santoso"]
    html = as_support.get("/parties/", {"sort": "revenue", "q": "a"}).content.decode()
    assert re.search(r'<option value="revenue" selected>', html)
    export = re.search(r'href="(/parties/export\.csv[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "sort=revenue" in export and "q=a" in export


def test_it_counts_past_the_cap_as_more_than(db):
    from kenal.parties.selectors import party_count, party_search

    for n in range(5):
        f.party(f"Toko {n}")
    assert party_count(party_search(query="toko"), cap=3) == (3, True)
    assert party_count(party_search(query="toko"), cap=5) == (5, False)


def test_it_exports_the_current_selection_as_csv_for_a_spreadsheet(as_support, customers):
    import csv

    from kenal.classification.models import PartyProfile

    PartyProfile.objects.filter(party=customers["cici"]).update(revenue_12m=9000000)
    response = as_support.get("/parties/export.csv", {"sort": "revenue"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["Name", "Kind", "External id"]
    assert rows[0][-1] == "Revenue, last 12 months (IDR)"
    assert [row[0] for row in rows[1:]] == ["Cici Halim", "Ani Wijaya", "Budi Santoso"]
    budi = dict(zip(rows[0], rows[3]))
    assert budi["Email"] == "budi@example.id"
    assert budi["Phone"] == "0812-2226-9572"
    assert budi["Other contacts"] == "Instagram: budi.s"
    assert budi["CSM"] == "Citra Dewi"
    assert budi["Last contact"] == "2026-11-29"
    assert budi["Revenue, last 12 months (IDR)"] == "1250000"
    searched = b"".join(as_support.get("/parties/export.csv", {"q": "0812-2226"}).streaming_content).decode("utf-8-sig")
    assert [row[0] for row in csv.reader(searched.splitlines())][1:] == ["Budi Santoso"]


def test_it_exports_with_headers_in_indonesian(support, customers):
    from django.test import Client

    client = Client(headers={"Accept-Language": "id"})
    client.force_login(support)
    raw = b"".join(client.get("/parties/export.csv").streaming_content).decode("utf-8-sig")
    assert raw.splitlines()[0].startswith("Nama,")
    assert "Kontak terakhir" in raw.splitlines()[0]


def test_it_sorts_the_api_list_by_revenue(support, customers):
    from django.test import Client

    from kenal.accounts.services import token_create

    _token, raw = token_create(user=support, name="sort")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    body = client.get("/api/v1/parties", {"sort": "revenue"}).json()
    assert [item["name"] for item in body["items"]] == ["Ani Wijaya", "Budi Santoso", "Cici Halim"]
    assert client.get("/api/v1/parties", {"sort": "shoe-size"}).status_code == 422
