"""Screens are read in English the way a browser asks for it; the language tests
choose the language explicitly."""

from __future__ import annotations

import os

import pytest
from django.test import Client

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the
# browser test makes around it are still synchronous, one at a time.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
