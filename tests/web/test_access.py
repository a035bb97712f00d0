from __future__ import annotations

import pytest

from kenal.accounts.models import User
from tests.conftest import PASSWORD
from tests.web import factories as f
from tests.web.conftest import english_client


@pytest.fixture
def budi(db):
    return f.party("Budi Santoso", external_id="P-1")


def _pages(party) -> list[str]:
    return ["/parties/", "/parties/new/", f"/parties/{party.pk}/", f"/parties/{party.pk}/edit/", "/parties/options/?q=bu", "/parties/counts/?q=bu"]


def test_it_sends_anonymous_visitors_to_the_login_page_from_every_page(client, budi):
    for url in _pages(budi):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url
    # The language switch is open to visitors (the login page offers it); where it
    # sends them back to still asks them to log in.
    response = client.post("/account/language/", {"language": "en", "next": "/parties/"}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/")
    assert '<html lang="en">' in response.content.decode()


def test_it_stores_nothing_when_an_anonymous_visitor_posts_a_party(client, budi):
    client.post("/parties/new/", {"name": "Intruder", "kind": "person"})
    client.post(f"/parties/{budi.pk}/edit/", {"name": "Renamed", "kind": "person"})
    budi.refresh_from_db()
    assert budi.name == "Budi Santoso"
    assert not budi.__class__.objects.filter(name="Intruder").exists()


@pytest.mark.parametrize("persona", ["admin_user", "manager", "csm", "sales", "support"])
def test_it_lets_every_staff_role_see_and_change_parties(request, persona, budi):
    user = request.getfixturevalue(persona)
    client = english_client(user)
    for url in _pages(budi):
        assert client.get(url).status_code == 200, url
    response = client.post(f"/parties/{budi.pk}/edit/", {"name": f"Budi ({persona})", "kind": "person", "external_id": "P-1"})
    assert response.status_code == 302
    budi.refresh_from_db()
    assert budi.name == f"Budi ({persona})"


def test_it_denies_a_user_without_a_staff_role(budi):
    outsider = User.objects.create_user(username="tamu", password=PASSWORD, role="")
    client = english_client(outsider)
    for url in _pages(budi):
        assert client.get(url).status_code == 403, url
    client.post(f"/parties/{budi.pk}/edit/", {"name": "Changed", "kind": "person"})
    budi.refresh_from_db()
    assert budi.name == "Budi Santoso"


def test_it_answers_404_for_a_party_that_does_not_exist(as_support):
    assert as_support.get("/parties/999999/").status_code == 404
    assert as_support.get("/parties/999999/edit/").status_code == 404


def test_it_signs_in_through_the_login_form_and_out_with_a_post(client, sales):
    page = client.get("/login/")
    assert b'name="username"' in page.content
    response = client.post("/login/", {"username": "sinta", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/parties/"
    assert "sinta" in response.content.decode()
    assert client.get("/logout/").status_code == 405
    client.post("/logout/")
    assert client.get("/parties/").status_code == 302


def test_it_shows_the_login_error_for_a_wrong_password(client, sales):
    response = client.post("/login/", {"username": "sinta", "password": "wrong"})
    assert response.status_code == 200
    assert b"alert--error" in response.content
    assert "_auth_user_id" not in client.session


def test_it_shows_each_role_the_links_it_may_follow(admin_user, manager, support):
    admin_page = english_client(admin_user).get("/parties/").content.decode()
    assert 'href="/admin/"' in admin_page and 'href="/api/v1/docs"' in admin_page
    manager_page = english_client(manager).get("/parties/").content.decode()
    assert 'href="/admin/"' not in manager_page and 'href="/settings/classification/"' in manager_page
    support_page = english_client(support).get("/parties/").content.decode()
    assert 'href="/admin/"' not in support_page and 'href="/settings/classification/"' not in support_page
    assert 'aria-current="page">Parties</a>' in support_page
    assert '<button type="submit" class="button button--ghost">Log out</button>' in support_page
