"""Fixtures for the API: a personal token for the manager, and JSON calls with it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from kenal.accounts.services import token_create


@pytest.fixture
def manager_token(manager) -> str:
    _token, raw = token_create(user=manager, name="integration")
    return raw


class Api:
    """A client sending a bearer token and JSON, as an API consumer does."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, data: dict):
        return self.client.post(f"/api/v1{path}", data, content_type="application/json", headers=self.headers)

    def patch(self, path: str, data: dict):
        return self.client.patch(f"/api/v1{path}", data, content_type="application/json", headers=self.headers)


@pytest.fixture
def api(manager_token) -> Api:
    return Api(manager_token)


@pytest.fixture(scope="session")
def sync_db_beside_browser() -> Iterator[None]:
    """Playwright's sync API runs an event loop in the test's thread, so Django takes
    every query as coming from async code and refuses it; the queries are in fact
    synchronous, one at a time. Session-wide, so the database teardown after the
    browser tests is allowed too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield
