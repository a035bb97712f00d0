"""Schemas shared by the apps' routers."""

from __future__ import annotations

from ninja import Schema


class PartyRef(Schema):
    """A party named from another record."""

    id: int
    external_id: str | None
    name: str


class UserRef(Schema):
    id: int
    username: str


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}
