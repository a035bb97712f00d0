"""The OpenAPI schema and the interactive documentation."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/parties", "/api/v1/parties/{party_id}", "/api/v1/orders", "/api/v1/orders/{order_id}",
    "/api/v1/agreements", "/api/v1/agreements/{agreement_id}",
    "/api/v1/interactions", "/api/v1/interactions/{interaction_id}",
}


def test_it_serves_the_openapi_schema_listing_every_path(api):
    response = api.client.get("/api/v1/openapi.json", headers=api.headers)
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Kenal API"
    assert schema["info"]["version"] == "1"
    assert PATHS <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/parties"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/parties/{party_id}"]) == {"get", "patch"}
    listed = {p["name"] for p in schema["paths"]["/api/v1/parties"]["get"]["parameters"]}
    assert {"q", "kind", "limit", "offset"} <= listed


def test_it_publishes_the_openapi_schema_without_credentials():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert PATHS <= set(schema["paths"])
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


def test_it_still_requires_a_token_for_every_operation_the_schema_describes(manager):
    """Client generators and API fuzzers read the public schema; what it describes is
    no more open for that."""
    schema = Client().get("/api/v1/openapi.json").json()
    calls = 0
    for path, operations in schema["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in operations:
            response = Client().generic(method.upper(), url, "{}", content_type="application/json")
            assert response.status_code == 401, (method, path, response.content)
            assert response.json()["detail"], (method, path)
            assert operations[method]["security"], (method, path)
            calls += 1
    assert calls >= 10


def test_it_serves_the_schema_to_a_signed_in_browser(as_manager):
    assert as_manager.get("/api/v1/openapi.json").json()["info"]["title"] == "Kenal API"


def test_it_describes_the_api_in_the_readers_language():
    english = Client().get("/api/v1/openapi.json", headers={"Accept-Language": "en"}).json()
    indonesian = Client().get("/api/v1/openapi.json", headers={"Accept-Language": "id"}).json()
    assert "Every call needs a personal API token" in english["info"]["description"]
    assert english["info"]["description"] != indonesian["info"]["description"]


def test_it_serves_the_docs_page_to_an_anonymous_visitor():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert "swagger-ui-bundle.js" in response.content.decode()


def test_it_serves_the_docs_page_with_local_assets_only(as_manager):
    response = as_manager.get("/api/v1/docs")
    assert response.status_code == 200
    policy = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == policy["style-src"] == "'self'"
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources)
    assert all(s.startswith("/static/") for s in sources), sources
    assert "cdn" not in html.lower()
    for asset in sources:
        served = as_manager.get(asset)
        assert served.status_code == 200, asset
        assert b"".join(served.streaming_content if served.streaming else [served.content])


@pytest.mark.browser
def test_it_renders_the_docs_in_a_browser_without_policy_violations(sync_db_beside_browser, manager, page, login, live_server):
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    login(manager)
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/parties" in [p.strip() for p in paths]
    # Expanding an operation and trying it out is where Swagger UI would style inline.
    operation = page.locator("#operations-parties-kenal_parties_api_list_parties")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert violations == []
    assert all(url.startswith((live_server.url, "data:")) for url in requested), requested
