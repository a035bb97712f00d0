"""Shared fixtures: named personas on a real database, and a real browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.test import Client

from kenal.accounts.models import Role, User

PASSWORD = "correct-horse-battery-staple-42"


def _user(username: str, role: str, **extra) -> User:
    return User.objects.create_user(
        username=username, email=f"{username}@example.test", password=PASSWORD, role=role, **extra
    )


@pytest.fixture
def admin_user(db) -> User:
    return _user("alya", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def manager(db) -> User:
    return _user("maya", Role.MANAGER)


@pytest.fixture
def csm(db) -> User:
    return _user("citra", Role.CSM)


@pytest.fixture
def sales(db) -> User:
    return _user("sinta", Role.SALES)


@pytest.fixture
def support(db) -> User:
    return _user("surya", Role.SUPPORT)


@pytest.fixture
def as_manager(manager) -> Client:
    client = Client()
    client.force_login(manager)
    return client


@pytest.fixture
def as_support(support) -> Client:
    client = Client()
    client.force_login(support)
    return client


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright. Skipped (failed under CI) without it."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required for the browser tests under CI")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def login(page, live_server):
    """Sign a persona in through the real login form."""

    def do(user: User) -> None:
        page.goto("/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)

    return do
