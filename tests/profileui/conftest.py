"""Screens are read in English the way a browser asks for it; the language tests
choose the language explicitly."""

from __future__ import annotations

import pytest
from django.test import Client


def client_for(user, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    return client


@pytest.fixture
def as_manager(manager) -> Client:
    return client_for(manager)


@pytest.fixture
def as_support(support) -> Client:
    return client_for(support)
