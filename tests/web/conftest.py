"""The web tests read English msgids, so their clients ask for English the way a
browser does; the language tests choose languages explicitly."""

from __future__ import annotations

import os

import pytest
from django.test import Client


# Playwright's sync API runs an event loop in the test thread, which makes Django
# refuse database calls there (the fixtures that create data) unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def english_client(user, **kwargs) -> Client:
    client = Client(headers={"Accept-Language": "en"}, **kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def as_support(support) -> Client:
    return english_client(support)


@pytest.fixture
def as_manager(manager) -> Client:
    return english_client(manager)
