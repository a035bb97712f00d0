"""The web tests read English msgids, so their clients ask for English the way a
browser does; the language tests choose languages explicitly."""

from __future__ import annotations

import pytest
from django.test import Client


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
