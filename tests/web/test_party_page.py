from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client

from kenal.commerce.models import LineStatus, Order
from kenal.parties.models import PartyKind
from tests.web import factories as f


@pytest.fixture
def family(db):
    org = f.party("PT Maju Jaya", kind=PartyKind.ORGANIZATION, external_id="ORG-1")
    ayah = f.party("Budi Santoso", external_id="P-1", member_of=org,
                   contacts=[("email", "budi@example.id"), ("phone", "0812-3456-7890")])
    ibu = f.party("Sari Santoso", referred_by=ayah, contacts=[("phone", "+62 812 3456 7890")])
    anak = f.party("Dewi Santoso")
    return {"org": org, "ayah": ayah, "ibu": ibu, "anak": anak}


def _entries(html: str) -> list[str]:
    return re.findall(r'<li class="entry entry--(order|agreement|interaction)">', html)


def test_it_shows_who_they_are_and_their_contact_points(as_support, family):
    html = as_support.get(f"/parties/{family['ayah'].pk}/").content.decode()
    assert "<h1>Budi Santoso</h1>" in html
    assert "budi@example.id" in html
    assert "+6281234567890" in html
    assert "Not set; inferred by Kenal" in html


def test_it_marks_a_shared_contact_as_a_possible_duplicate_with_a_link(as_support, family):
    html = as_support.get(f"/parties/{family['ayah'].pk}/").content.decode()
    assert html.count("Possible duplicate") == 1
    shared = html[html.index("contact--shared"):]
    assert f'<a href="/parties/{family["ibu"].pk}/">Sari Santoso</a>' in shared[: shared.index("</li>")]
    email_item = html[html.index("budi@example.id") - 200: html.index("budi@example.id")]
    assert "contact--shared" not in email_item


def test_it_links_members_referrals_and_who_bought_for_whom(as_support, family):
    f.order(family["ibu"], f.at("2026-03-01 10:00"), [
        {"sku": "SEPATU", "unit_price": "350000", "consumer": family["anak"]},
        {"sku": "TAS", "unit_price": "150000", "consumer": family["ayah"], "status": LineStatus.CANCELLED},
    ])
    ibu = as_support.get(f"/parties/{family['ibu'].pk}/").content.decode()
    links = ibu[ibu.index('id="links-title"'):ibu.index('id="timeline-title"')]
    assert re.search(r"Referred by</dt><dd><a href=\"/parties/\d+/\">Budi Santoso", links)
    assert re.search(r"Bought for</dt><dd><a href=\"/parties/\d+/\">Dewi Santoso</a></dd>", links)
    ayah = as_support.get(f"/parties/{family['ayah'].pk}/").content.decode()
    links = ayah[ayah.index('id="links-title"'):ayah.index('id="timeline-title"')]
    assert "Member of</dt><dd><a" in links and "PT Maju Jaya" in links
    assert "Referrals</dt><dd><a" in links and "Sari Santoso" in links
    # The cancelled line bought for him is not a purchase, so nobody "bought for" him.
    assert "Bought by" not in links
    anak = as_support.get(f"/parties/{family['anak'].pk}/").content.decode()
    assert re.search(r"Bought by</dt><dd><a href=\"/parties/\d+/\">Sari Santoso", anak)
    org = as_support.get(f"/parties/{family['org'].pk}/").content.decode()
    assert re.search(r"Members</dt><dd><a href=\"/parties/\d+/\">Budi Santoso", org)


def test_it_shows_one_timeline_newest_first_with_rupiah(as_support, manager, family):
    budi = family["ayah"]
    f.order(budi, f.at("2026-03-01 10:00"), [
        {"sku": "KOPI", "unit_price": "1250000"},
        {"sku": "GULA", "unit_price": "20000", "quantity": 3, "discount": "5000"},
        {"sku": "TEH", "unit_price": "99000", "status": LineStatus.REFUNDED},
    ], external_id="ORD-7")
    f.agreement(budi, "Konsultasi pajak", signed=f.at("2026-02-01 09:00"), starts_on=date(2026, 2, 1),
                csm=manager, value=36000000)
    f.interaction(budi, f.at("2026-03-02 08:30"), "Kapan dikirim?", kind="question")
    f.interaction(budi, f.at("2026-01-15 16:00"), "Terima kasih", direction="outbound", channel="email")
    html = as_support.get(f"/parties/{budi.pk}/").content.decode()
    assert _entries(html) == ["interaction", "order", "agreement", "interaction"]
    assert "Kapan dikirim?" in html and html.index("Kapan dikirim?") < html.index("ORD-7") < html.index("Konsultasi pajak")
    assert "Rp 1.305.000" in html  # paid total: 1,250,000 + 3 × 20,000 − 5,000; the refund is left out
    assert "Rp 1.250.000" in html and "Rp 36.000.000" in html
    assert "maya" in html  # the CSM
    assert "2 Mar 2026, 08:30" in html  # shown on the Jakarta clock


def test_it_pages_a_long_timeline_with_show_more(as_support, family, django_assert_max_num_queries):
    budi = family["ayah"]
    start = f.at("2026-01-01 09:00")
    for n in range(25):
        f.interaction(budi, start + timedelta(days=n), f"Pesan {n:02d}")
    for n in range(5):
        f.order(budi, start + timedelta(days=n, hours=1), [{"sku": f"SKU{n}", "unit_price": "1000"}])
    html = as_support.get(f"/parties/{budi.pk}/").content.decode()
    assert len(_entries(html)) == 20
    assert html.index("Pesan 24") < html.index("Pesan 05")
    assert "Pesan 04" not in html
    more = re.search(r'<li class="entry entry--more">\s*<a class="button" href="([^"]+)"', html).group(1)
    with django_assert_max_num_queries(10):
        rest = as_support.get(more.replace("&amp;", "&"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in rest
    assert len(_entries(rest)) == 10
    assert "Pesan 04" in rest and "Pesan 05" not in rest
    assert "entry--more" not in rest
    shown = re.findall(r"Pesan (\d\d)", html + rest)
    assert shown == [f"{n:02d}" for n in range(24, -1, -1)]


def test_it_reads_the_party_page_in_a_fixed_number_of_queries(as_support, family, django_assert_max_num_queries):
    budi = family["ayah"]
    for n in range(15):
        f.order(budi, f.at("2026-02-01 10:00") + timedelta(days=n), [{"sku": "A", "unit_price": "1000"}] * 3)
    with django_assert_max_num_queries(20):
        html = as_support.get(f"/parties/{budi.pk}/").content.decode()
    assert len(_entries(html)) == 15


def test_it_shows_each_entry_once_when_many_share_one_moment(as_support, family):
    budi = family["ayah"]
    moment = f.at("2026-04-01 12:00")
    for n in range(22):
        f.interaction(budi, moment, f"Serentak {n:02d}")
    f.order(budi, moment, [{"sku": "X", "unit_price": "1000"}], external_id="ORD-SAME")
    f.agreement(budi, "Sama", signed=moment, starts_on=date(2026, 4, 1))
    html = as_support.get(f"/parties/{budi.pk}/").content.decode()
    more = re.search(r'<li class="entry entry--more">\s*<a class="button" href="([^"]+)"', html).group(1)
    rest = as_support.get(more.replace("&amp;", "&"), HTTP_HX_REQUEST="true").content.decode()
    both = html + rest
    assert sorted(re.findall(r"Serentak (\d\d)", both)) == [f"{n:02d}" for n in range(22)]
    assert both.count("ORD-SAME") == 1 and both.count("<strong>Sama</strong>") == 1
    assert _entries(html)[:2] == ["order", "agreement"]


def test_it_shows_the_classification_section_once(as_support, family):
    html = as_support.get(f"/parties/{family['ayah'].pk}/").content.decode()
    assert html.count('id="profile"') == 1
    assert html.index('id="profile"') < html.index('id="timeline-title"')


def _visible_text(html: str) -> str:
    body = html[html.index("<main"):]
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def shop_buyer(db):
    buyer = f.party("Rina Wijaya", contacts=[("phone", "0812-2226-9572")])
    made = f.order(buyer, f.at("2026-12-29 14:05"), [{"sku": "KOPI", "unit_price": "95000"}])
    Order.objects.filter(pk=made.pk).update(channel="store")
    f.agreement(buyer, "Konsultasi", signed=f.at("2026-08-17 09:30"), starts_on=date(2026, 8, 17), tier="standard")
    f.interaction(buyer, f.at("2026-05-02 08:00"), "Halo", channel="whatsapp")
    return buyer


def test_it_writes_channels_tiers_and_dates_in_indonesian(support, shop_buyer):
    html = Client(headers={"Accept-Language": "id"})
    html.force_login(support)
    text = _visible_text(html.get(f"/parties/{shop_buyer.pk}/").content.decode())
    assert "melalui Toko" in text
    assert " Standar " in text
    assert "29 Des 2026 14.05" in text and "17 Agu 2026 09.30" in text and "17 Agu 2026 –" in text
    assert "2 Mei 2026 08.00" in text
    for raw in ("store", "standard", "whatsapp", "Dec", "Aug", "May"):
        assert not re.search(rf"\b{raw}\b", text), raw


def test_it_writes_channels_tiers_and_dates_in_english(as_support, shop_buyer):
    text = _visible_text(as_support.get(f"/parties/{shop_buyer.pk}/").content.decode())
    assert "via Store" in text and " Standard " in text
    assert "29 Dec 2026, 14:05" in text and "17 Aug 2026, 09:30" in text and "2 May 2026, 08:00" in text


def test_it_links_phones_emails_and_handles(as_support):
    budi = f.party("Budi Santoso", contacts=[
        ("phone", "+62 812 2226 9572"), ("whatsapp", "0813-1111-2222"), ("email", "Budi@Example.ID"),
        ("telegram", "@budisan"), ("instagram", "budi.kopi"), ("line", "budiline"), ("facebook", "budi.santoso"),
    ])
    html = as_support.get(f"/parties/{budi.pk}/").content.decode()
    contacts = html[html.index('id="contacts-title"'):html.index('id="links-title"')]
    assert '<a href="tel:+6281222269572">0812-2226-9572</a>' in contacts
    assert re.search(r'<a href="https://wa.me/6281311112222"[^>]*>0813-1111-2222</a>', contacts)
    assert '<a href="mailto:budi@example.id">budi@example.id</a>' in contacts
    assert re.search(r'<a href="https://t.me/budisan"[^>]*>budisan</a>', contacts)
    assert re.search(r'<a href="https://www.instagram.com/budi.kopi/"[^>]*>budi.kopi</a>', contacts)
    assert re.search(r'<a href="https://line.me/R/ti/p/~budiline"[^>]*>budiline</a>', contacts)
    assert re.search(r'<a href="https://www.facebook.com/budi.santoso"[^>]*>budi.santoso</a>', contacts)
    assert "+6281222269572</" not in contacts  # the E.164 form stays in the link only
