"""Error pages with Kenal's header in both languages, and JSON for every API error."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from kenal.accounts.models import User
from tests.conftest import PASSWORD
from tests.web.conftest import english_client

pytestmark = pytest.mark.django_db


def _client(user: User | None, language: str) -> Client:
    client = Client(headers={"Accept-Language": language}, raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _assert_error_page(response, status: int, *texts: str) -> None:
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert 'class="site-header"' in html and 'class="brand"' in html
    assert 'href="/"' in html
    for text in texts:
        assert text in html, text


def test_it_shows_a_page_not_found_with_a_way_home_in_both_languages(manager):
    english = _client(manager, "en").get("/parties/999999/")
    _assert_error_page(english, 404, 'lang="en"', "Page not found", "Go to the home page", "Parties")
    indonesian = _client(manager, "id").get("/parties/999999/")
    _assert_error_page(indonesian, 404, 'lang="id"', "Halaman tidak ditemukan", "Ke halaman utama")
    assert "Page not found" not in indonesian.content.decode()


def test_it_shows_a_styled_access_denied_page_in_both_languages(db):
    outsider = User.objects.create_user(username="tamu", password=PASSWORD, role="")
    english = _client(outsider, "en").get("/parties/")
    _assert_error_page(english, 403, "Access denied", "ask an administrator")
    indonesian = _client(outsider, "id").get("/parties/")
    _assert_error_page(indonesian, 403, "Akses ditolak", "hubungi administrator", "Ke halaman utama")


@pytest.mark.urls("tests.web.failing_urls")
def test_it_shows_a_styled_server_error_page_in_both_languages(manager):
    english = _client(manager, "en").get("/boom/")
    _assert_error_page(english, 500, "Something went wrong", "tell your administrator")
    indonesian = _client(manager, "id").get("/boom/")
    _assert_error_page(indonesian, 500, "Terjadi kesalahan", "Ke halaman utama")
    assert "a bug" not in indonesian.content.decode()


@pytest.mark.urls("tests.web.failing_urls")
def test_it_keeps_the_signed_in_header_and_a_working_language_switch_on_the_server_error_page(manager):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False, headers={"Accept-Language": "en"})
    client.force_login(manager)
    failed = client.get("/boom/")
    html = failed.content.decode()
    assert failed.status_code == 500
    assert "maya" in html and "Log out" in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    switched = client.post("/account/language/", {"language": "id", "next": "/parties/", "csrfmiddlewaretoken": token})
    assert switched.status_code == 302
    manager.refresh_from_db()
    assert manager.language == "id"


@pytest.mark.urls("tests.web.failing_urls")
def test_it_answers_a_server_error_under_the_api_in_json(manager):
    response = _client(manager, "id").get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Terjadi kesalahan di pihak kami; silakan coba lagi nanti."}


@pytest.mark.parametrize("path", ["/api/v1/parties/abc", "/api/v1/no-such-thing", "/api/v2/parties", "/api/v1/parties/999999"])
def test_it_answers_not_found_under_the_api_in_json_in_the_requests_language(path, manager):
    english = _client(manager, "en").get(path)
    assert english.status_code == 404
    assert english["Content-Type"].startswith("application/json")
    assert english.json() == {"detail": "Not found."}
    assert _client(manager, "id").get(path).json() == {"detail": "Tidak ditemukan."}


def test_it_answers_a_method_the_api_does_not_take_in_json(manager):
    response = _client(manager, "en").delete("/api/v1/parties")
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}
    assert response.json() == {"detail": f"This address does not take DELETE; it takes {response['Allow']}."}
    indonesian = _client(manager, "id").delete("/api/v1/parties")
    assert indonesian.json()["detail"].startswith("Alamat ini tidak menerima DELETE")


def test_it_answers_a_body_that_is_not_json_in_the_requests_language(manager):
    response = _client(manager, "id").post("/api/v1/parties", "{name:", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Isi permintaan bukan JSON yang valid."}


def test_it_translates_validation_errors_with_readable_locations(manager):
    response = _client(manager, "id").get("/api/v1/parties", {"limit": "banyak"})
    assert response.status_code == 422
    assert response.json() == {"detail": "Data tidak valid.", "errors": {"limit": ["Masukkan bilangan bulat."]}}
    english = _client(manager, "en").get("/api/v1/parties", {"limit": "many"})
    assert english.json()["errors"] == {"limit": ["Enter a whole number."]}


def test_it_answers_401_and_403_in_the_requests_language(manager):
    assert _client(None, "id").get("/api/v1/parties").json()["detail"].startswith("Kirim token API yang valid")
    assert _client(None, "en").get("/api/v1/parties").json()["detail"].startswith("Send a valid API token")
    browser = Client(enforce_csrf_checks=True, headers={"Accept-Language": "id"})
    browser.force_login(manager)
    refused = browser.post("/api/v1/parties", {"name": "Budi"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Pemeriksaan CSRF gagal: peramban yang sudah masuk mengirim nilai cookie csrftoken sebagai header X-CSRFToken."}


def test_it_titles_the_admin_in_the_users_language(admin_user):
    indonesian = _client(admin_user, "id").get("/admin/").content.decode()
    assert "<title>Data dan pengguna | Administrasi Kenal</title>" in indonesian
    assert '<a href="/admin/">Administrasi Kenal</a>' in indonesian
    assert "Django administration" not in indonesian and "Django site admin" not in indonesian
    english = _client(admin_user, "en").get("/admin/").content.decode()
    assert "<title>Data and users | Kenal administration</title>" in english
    assert '<a href="/admin/">Kenal administration</a>' in english
