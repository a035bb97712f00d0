from __future__ import annotations

import re
from datetime import datetime, timezone

from django.conf import settings
from django.test import Client
from django.utils import translation

from kenal.accounts.services import token_create


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)">', html).group(1)


def test_it_switches_the_interface_language_and_remembers_it_on_the_user(sales):
    client = Client(headers={"Accept-Language": "id"})
    client.force_login(sales)
    assert _lang(client.get("/parties/").content.decode()) == "id"
    response = client.post("/account/language/", {"language": "en", "next": "/parties/?q=budi"})
    assert response.status_code == 302 and response["Location"] == "/parties/?q=budi"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    sales.refresh_from_db()
    assert sales.language == "en"
    html = client.get("/parties/").content.decode()
    assert _lang(html) == "en"
    assert 'value="en" lang="en" title="English" aria-label="English" aria-pressed="true"' in html


def test_it_keeps_the_users_choice_on_another_browser(sales):
    sales.language = "en"
    sales.save()
    elsewhere = Client(headers={"Accept-Language": "id"})
    elsewhere.force_login(sales)
    assert _lang(elsewhere.get("/parties/").content.decode()) == "en"


def test_it_shows_validation_messages_in_the_users_language(sales):
    client = Client()
    client.force_login(sales)
    client.post("/account/language/", {"language": "id", "next": "/parties/new/"})
    html = client.post("/parties/new/", {"name": "", "kind": "person"}).content.decode()
    with translation.override("id"):
        required = translation.gettext("This field is required.")
    assert required != "This field is required."
    assert required in html
    client.post("/account/language/", {"language": "en", "next": "/parties/new/"})
    html = client.post("/parties/new/", {"name": "", "kind": "person"}).content.decode()
    assert "This field is required." in html


def test_it_never_redirects_to_another_site(sales):
    client = Client()
    client.force_login(sales)
    response = client.post("/account/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/parties/"


def test_it_ignores_a_language_it_does_not_offer(sales):
    client = Client()
    client.force_login(sales)
    response = client.post("/account/language/", {"language": "fr", "next": "/parties/"})
    assert response["Location"] == "/parties/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    sales.refresh_from_db()
    assert sales.language == ""


def test_it_only_switches_on_a_post_with_the_csrf_token(sales):
    client = Client(enforce_csrf_checks=True)
    client.force_login(sales)
    assert client.get("/account/language/").status_code == 405
    assert client.post("/account/language/", {"language": "en", "next": "/parties/"}).status_code == 403
    sales.refresh_from_db()
    assert sales.language == ""


def test_it_offers_the_language_switch_on_the_login_page(db):
    visitor = Client(headers={"Accept-Language": "id"})
    html = visitor.get("/login/").content.decode()
    assert _lang(html) == "id"
    assert 'action="/account/language/"' in html and 'value="en" lang="en"' in html
    assert "Nama pengguna</label>" in html and "Kata sandi</label>" in html
    assert "{#" not in html and "{%" not in html  # no template comment shows on the page
    response = visitor.post("/account/language/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    html = visitor.get("/login/").content.decode()
    assert _lang(html) == "en"
    assert "Username</label>" in html and "Password</label>" in html


def test_it_writes_form_labels_without_a_colon(sales, manager):
    for user, url in ((sales, "/parties/new/"), (manager, "/settings/classification/"), (sales, "/account/tokens/")):
        client = Client(headers={"Accept-Language": "en"})
        client.force_login(user)
        html = client.get(url).content.decode()
        labels = re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)
        assert labels, url
        assert [text for text in labels if text.strip().endswith(":")] == [], url
    html = Client(headers={"Accept-Language": "en"}).get("/login/").content.decode()
    assert "Username</label>" in html


def test_it_writes_dates_in_one_style_on_the_tokens_page(sales):
    token, _raw = token_create(user=sales, name="ekspor akuntansi")
    token.created_at = datetime(2026, 12, 29, 7, 5, tzinfo=timezone.utc)  # 14.05 in Jakarta
    token.save(update_fields=["created_at"])
    client = Client()
    client.force_login(sales)
    client.post("/account/language/", {"language": "id", "next": "/"})
    assert "29 Des 2026 14.05" in client.get("/account/tokens/").content.decode()
    client.post("/account/language/", {"language": "en", "next": "/"})
    assert "29 Dec 2026, 14:05" in client.get("/account/tokens/").content.decode()
