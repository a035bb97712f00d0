from __future__ import annotations

import re

import pytest

from kenal.audit.models import AuditEvent
from kenal.parties.models import Party, PartyKind
from tests.web import factories as f
from tests.web.conftest import english_client


def _form(**values) -> dict[str, str]:
    data = {"name": "", "kind": "person", "external_id": "", "language": "", "scope": "", "first_contact_at": "",
            "member_of": "", "referred_by": "", "notes": ""}
    data.update(values)
    return data


def _contacts(party: Party) -> list[tuple[str, str]]:
    return sorted(party.contact_points.values_list("kind", "value"))


def test_it_creates_a_party_with_normalised_contacts(as_support, support):
    org = f.party("PT Maju Jaya", kind=PartyKind.ORGANIZATION, external_id="ORG-1")
    response = as_support.post("/parties/new/", _form(
        name="  Budi Santoso ", external_id="P-9", language="id", first_contact_at="2026-03-01T14:05",
        member_of="ORG-1", notes="Suka kopi.",
        contact_email="Budi@Example.ID, budi.kerja@example.id", contact_phone="0812-3456-7890",
        contact_whatsapp="62 813 1111 2222", contact_instagram="@Budi.S", contact_telegram="@budi_s",
    ))
    budi = Party.objects.get(external_id="P-9")
    assert response.status_code == 302 and response["Location"] == f"/parties/{budi.pk}/"
    assert budi.name == "Budi Santoso" and budi.member_of == org and budi.notes == "Suka kopi."
    assert budi.first_contact_at == f.at("2026-03-01 14:05")
    assert _contacts(budi) == [
        ("email", "budi.kerja@example.id"), ("email", "budi@example.id"), ("instagram", "budi.s"),
        ("phone", "+6281234567890"), ("telegram", "budi_s"), ("whatsapp", "+6281311112222"),
    ]
    assert AuditEvent.objects.filter(action="party.create", target_id=str(budi.pk), actor=support).exists()
    page = as_support.get(response["Location"]).content.decode()
    assert "Budi Santoso was added." in page


def test_it_shows_each_bad_contact_on_its_own_field(as_support):
    response = as_support.post("/parties/new/", _form(name="Budi", contact_email="not-an-email", contact_phone="12"))
    html = response.content.decode()
    assert response.status_code == 200
    assert not Party.objects.exists()
    email = html[html.index('name="contact_email"'):]
    assert "“not-an-email” is not an email address." in email[: email.index("</div>")]
    phone = html[html.index('name="contact_phone"'):]
    assert "“12” is not a phone number." in phone[: phone.index("</div>")]
    assert 'value="not-an-email"' in html  # what they typed stays


def test_it_puts_the_services_errors_on_the_fields(as_support):
    f.party("Taken", external_id="P-1")
    f.party("Budi Santoso", external_id="P-2")
    response = as_support.post("/parties/new/", _form(name="Sari", external_id="P-1", member_of="P-2"))
    html = response.content.decode()
    external = html[html.index('name="external_id"'):]
    assert "Another party already has the external id “P-1”." in external[: external.index("</div>")]
    member = html[html.index('name="member_of"'):]
    assert "A party can only be a member of an organisation." in member[: member.index("</div>")]
    assert not Party.objects.filter(name="Sari").exists()


def test_it_says_when_a_referenced_party_does_not_exist(as_support):
    html = as_support.post("/parties/new/", _form(name="Sari", referred_by="NOPE")).content.decode()
    referred = html[html.index('name="referred_by"'):]
    assert "No party has the external id “NOPE”." in referred[: referred.index("</div>")]


def test_it_edits_a_party_and_its_contacts(as_sales_client):
    client, sales = as_sales_client
    friend = f.party("Andi")  # no external id: chosen as #<id>
    budi = f.party("Budi", external_id="P-1", referred_by=friend,
                   contacts=[("email", "old@example.id"), ("phone", "0812-3456-7890")])
    form = client.get(f"/parties/{budi.pk}/edit/").content.decode()
    assert 'value="old@example.id"' in form and f'value="#{friend.pk}"' in form
    response = client.post(f"/parties/{budi.pk}/edit/", _form(
        name="Budi Santoso", external_id="P-1", referred_by=f"#{friend.pk}", scope="internal",
        objects_to_profiling="on", contact_email="new@example.id", contact_phone="+62 812 3456 7890",
    ))
    assert response.status_code == 302
    budi.refresh_from_db()
    assert budi.name == "Budi Santoso" and budi.scope == "internal" and budi.objects_to_profiling
    assert budi.referred_by == friend
    assert _contacts(budi) == [("email", "new@example.id"), ("phone", "+6281234567890")]
    event = AuditEvent.objects.get(action="party.update", target_id=str(budi.pk))
    assert event.actor == sales and "contacts" in event.changes


@pytest.fixture
def as_sales_client(sales):
    return english_client(sales), sales


def test_it_suggests_parties_while_typing_a_reference(as_support):
    f.party("PT Maju Jaya", kind=PartyKind.ORGANIZATION, external_id="ORG-1")
    lone = f.party("PT Maju Mundur", kind=PartyKind.ORGANIZATION)
    html = as_support.get("/parties/options/", {"member_of": "maju"}, HTTP_HX_REQUEST="true").content.decode()
    assert re.findall(r'<option value="([^"]+)">([^<]+)</option>', html) == [
        ("ORG-1", "PT Maju Jaya"), (f"#{lone.pk}", "PT Maju Mundur"),
    ]


def test_it_refuses_a_post_without_the_csrf_token(support):
    client = english_client(support, enforce_csrf_checks=True)
    response = client.post("/parties/new/", _form(name="Budi"))
    assert response.status_code == 403
    assert not Party.objects.exists()
    form = client.get("/parties/new/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert f'"X-CSRFToken": "' in form  # htmx requests carry it in a header
    response = client.post("/parties/new/", _form(name="Budi", csrfmiddlewaretoken=token))
    assert response.status_code == 302
    assert Party.objects.filter(name="Budi").exists()


def test_it_shows_phones_in_the_national_format_and_keeps_them_on_save(as_support):
    budi = f.party("Budi", contacts=[("phone", "+62 812 2226 9572"), ("whatsapp", "0813-1111-2222"),
                                     ("email", "budi@example.id")])
    form = as_support.get(f"/parties/{budi.pk}/edit/").content.decode()
    phone = re.search(r'name="contact_phone" value="([^"]*)"', form).group(1)
    whatsapp = re.search(r'name="contact_whatsapp" value="([^"]*)"', form).group(1)
    assert (phone, whatsapp) == ("0812-2226-9572", "0813-1111-2222")
    response = as_support.post(f"/parties/{budi.pk}/edit/", _form(
        name="Budi", contact_phone=phone, contact_whatsapp=whatsapp, contact_email="budi@example.id"))
    assert response.status_code == 302
    assert _contacts(budi) == [("email", "budi@example.id"), ("phone", "+6281222269572"),
                               ("whatsapp", "+6281311112222")]
