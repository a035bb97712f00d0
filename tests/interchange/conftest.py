"""Helpers for import tests: CSV files written the way a spreadsheet would, and full
snapshots of the tables an import writes to, to prove that nothing changed."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.utils import translation

from kenal.agreements.models import Agreement
from kenal.commerce.models import Order, OrderLine, Product
from kenal.interactions.models import Interaction
from kenal.parties.models import ContactPoint, Party

SNAPSHOT_MODELS = (Party, ContactPoint, Product, Order, OrderLine, Agreement, Interaction)


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table an import writes, every column included (timestamps too)."""
    out = {}
    for model in SNAPSHOT_MODELS:
        columns = [f.attname for f in model._meta.concrete_fields]
        out[model._meta.label] = [
            {name: getattr(obj, name) for name in columns} for obj in model.objects.order_by("pk")
        ]
    return out


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Messages are asserted in English, whatever the default language."""
    with translation.override("en"):
        yield


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, header: list[str], rows: list[list[str]], *, bom: bool = False) -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as f:
            out = csv.writer(f)
            out.writerow(header)
            out.writerows(rows)
        return path

    return write


PARTY_HEADER = ["external_id", "kind", "name", "email", "phone", "whatsapp", "scope", "referred_by", "member_of",
                "language", "first_contact_at", "objects_to_profiling"]
ORDER_HEADER = ["order_id", "party", "occurred_at", "sku", "product_kind", "quantity", "unit_price", "discount",
                "promo_code", "consumer", "channel", "currency", "status"]


@pytest.fixture
def parties_file(write_csv) -> Path:
    # P-2 works at P-9, which comes later in the file: references may point forward.
    return write_csv("parties.csv", PARTY_HEADER, [
        ["P-1", "person", "Siti Rahma", "Siti@Example.test", "0812-3456-7890", "", "", "", "", "id",
         "2026-03-01T14:05:00", ""],
        ["P-2", "person", "Budi Santoso", "", "+62 813 1111 2222", "6281311112222", "", "P-1", "P-9", "en", "", "true"],
        ["P-9", "organization", "PT Maju Jaya", "info@maju.test", "", "", "intermediate", "", "", "", "2026-02-01", ""],
    ])


@pytest.fixture
def orders_file(write_csv) -> Path:
    return write_csv("orders.csv", ORDER_HEADER, [
        ["O-1", "P-1", "2026-03-02T10:00:00+07:00", "KOPI-250", "", "2", "45000.00", "", "", "", "store", "", ""],
        ["O-1", "P-1", "2026-03-02T09:30:00+07:00", "GULA-1", "goods", "1", "15000", "5000", "", "P-2", "store", "",
         "paid"],
        ["O-1", "P-1", "2026-03-02T10:00:00+07:00", "TEH-10", "", "3", "10000", "", "", "", "store", "", "cancelled"],
        ["O-2", "P-9", "2026-03-05", "KONSULTASI", "professional_service", "1", "2500000.00", "", "HEMAT", "", "web",
         "idr", "refunded"],
    ])
