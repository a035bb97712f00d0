"""What a user trying Kenal with real spreadsheets ran into: discounts above a line's
amount, phone numbers that are not numbers, made-up currencies, files saved by Excel
with Indonesian settings, and files that are not CSV at all."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kenal.agreements.models import Agreement
from kenal.commerce.models import Order, OrderLine
from kenal.interchange.services import import_file
from kenal.interchange.validation import ImportInvalid
from kenal.parties.models import ContactPoint, Party
from tests.interchange.conftest import ORDER_HEADER, snapshot

pytestmark = pytest.mark.django_db


def problems(path: Path, kind: str) -> list[tuple[int, str, str, str]]:
    with pytest.raises(ImportInvalid) as caught:
        import_file(kind=kind, path=path)
    return [(p.row, p.column, p.value, p.message) for p in caught.value.report.problems]


def line(order: str, price: str, *, discount: str = "", currency: str = "", quantity: str = "1",
         party: str = "P-1") -> list[str]:
    return [order, party, "2026-03-02T10:00:00", "KOPI", "", quantity, price, discount, "", "", "store", currency, ""]


@pytest.fixture
def siti(write_csv) -> Party:
    import_file(kind="parties", path=write_csv("parties.csv", ["external_id", "kind", "name"], [
        ["P-1", "person", "Siti Rahma"], ["P-2", "organization", "PT Maju"]]))
    return Party.objects.get(external_id="P-1")


def test_it_refuses_a_discount_larger_than_the_line_amount(write_csv, siti):
    path = write_csv("orders.csv", ORDER_HEADER, [
        line("O-1", "10000", discount="5000"), line("O-2", "10000", discount="30000", quantity="2")])

    found = problems(path, "orders")

    assert [(row, column, value) for row, column, value, _message in found] == [(3, "discount", "30000")]
    assert "larger than the line's amount" in found[0][3]
    assert not Order.objects.filter(buyer=siti).exists() and not OrderLine.objects.exists()


def test_it_refuses_phone_numbers_that_are_not_valid_for_their_region(write_csv):
    path = write_csv("parties.csv", ["external_id", "kind", "name", "phone", "whatsapp"], [
        ["P-1", "person", "Siti", "12345", ""],
        ["P-2", "person", "Budi", "(626) 555-1234", ""],
        ["P-3", "person", "Dewi", "0812-3456-7890", "6281311112222"],
    ])

    found = problems(path, "parties")

    assert [(row, column, value) for row, column, value, _message in found] == [
        (2, "phone", "12345"), (3, "phone", "(626) 555-1234")]
    assert all("not a phone number" in message for *_rest, message in found)
    assert not Party.objects.exists() and not ContactPoint.objects.exists()


def test_it_reads_an_american_number_as_american_where_the_region_is_the_us(write_csv, settings):
    settings.KENAL_DEFAULT_REGION = "US"
    path = write_csv("parties.csv", ["external_id", "kind", "name", "phone"], [
        ["P-2", "person", "Budi", "(626) 555-1234"]])

    import_file(kind="parties", path=path)

    assert list(ContactPoint.objects.values_list("value", flat=True)) == ["+16265551234"]


def test_it_stores_valid_phone_numbers_in_e164(write_csv):
    path = write_csv("parties.csv", ["external_id", "kind", "name", "phone", "whatsapp"], [
        ["P-3", "person", "Dewi", "0812-3456-7890", "6281311112222"]])

    import_file(kind="parties", path=path)

    assert set(ContactPoint.objects.values_list("value", flat=True)) == {"+6281234567890", "+6281311112222"}


def test_it_refuses_a_currency_that_is_not_iso_4217(write_csv, siti):
    orders = write_csv("orders.csv", ORDER_HEADER, [line("O-1", "10000", currency="XYZ")])
    agreements = write_csv("agreements.csv", ["external_id", "party", "title", "starts_on", "value", "currency"], [
        ["A-1", "P-2", "Retainer", "2026-01-01", "1000000", "XYZ"]])

    assert [(r, c, v) for r, c, v, _m in problems(orders, "orders")] == [(2, "currency", "XYZ")]
    assert [(r, c, v) for r, c, v, _m in problems(agreements, "agreements")] == [(2, "currency", "XYZ")]
    assert "ISO 4217" in problems(orders, "orders")[0][3]
    assert not Order.objects.exists() and not Agreement.objects.exists()


def test_it_refuses_an_order_whose_lines_are_in_two_currencies(write_csv, siti):
    path = write_csv("orders.csv", ORDER_HEADER, [line("O-1", "10000", currency="idr"),
                                                  line("O-1", "10.50", currency="USD")])

    found = problems(path, "orders")

    assert [(r, c, v) for r, c, v, _m in found] == [(3, "currency", "USD")]
    assert "in IDR on row 2" in found[0][3]


def test_it_reads_a_semicolon_file_saved_by_excel_with_indonesian_settings(tmp_path, siti):
    path = tmp_path / "orders.csv"
    path.write_text(
        ";".join(ORDER_HEADER) + "\r\n"
        "O-1;P-1;2026-03-02T10:00:00;KOPI;;2;1.250.000;5.000;;;store;;\r\n"
        "O-1;P-1;2026-03-02T10:00:00;TEH;;1,5;150000,00;;;;store;;\r\n"
        "O-2;P-1;2026-03-03;BUKU;;1;\"12,50\";;;;web;USD;\r\n",
        encoding="utf-8-sig",
    )

    result = import_file(kind="orders", path=path)

    assert result.created == 3
    kopi, teh = OrderLine.objects.filter(order__external_id="O-1").order_by("line_no")
    assert (kopi.quantity, kopi.unit_price, kopi.discount) == (Decimal(2), Decimal(1250000), Decimal(5000))
    assert (teh.quantity, teh.unit_price) == (Decimal("1.5"), Decimal(150000))
    assert Order.objects.get(external_id="O-1").paid_total == Decimal(2 * 1250000 - 5000 + 225000)
    assert OrderLine.objects.get(order__external_id="O-2").unit_price == Decimal("12.50")


def test_it_reads_a_semicolon_parties_file(tmp_path):
    path = tmp_path / "parties.csv"
    path.write_text("external_id;kind;name;phone\nP-1;person;Siti, Rahma;0812-3456-7890\n", encoding="utf-8")

    import_file(kind="parties", path=path)

    assert Party.objects.get(external_id="P-1").name == "Siti, Rahma"


@pytest.mark.parametrize(("price", "currency", "hint"), [
    ("25.000", "", "rupiah has no decimals; in a comma-separated file write 25000, not 25.000"),
    ("10.5", "IDR", "rupiah has no decimals"),
    ("10.505", "USD", "at most 2 decimals"),
])
def test_it_refuses_money_with_more_decimals_than_its_currency(write_csv, siti, price, currency, hint):
    path = write_csv("orders.csv", ORDER_HEADER, [line("O-1", price, currency=currency)])

    [(row, column, value, message)] = problems(path, "orders")

    assert (row, column, value) == (2, "unit_price", price) and hint in message
    assert not Order.objects.exists()


def test_it_accepts_zeros_past_a_currencys_decimals(write_csv, siti):
    path = write_csv("orders.csv", ORDER_HEADER, [line("O-1", "150000.00"), line("O-2", "10.50", currency="USD")])

    import_file(kind="orders", path=path)

    assert Order.objects.get(external_id="O-1").paid_total == Decimal(150000)
    assert Order.objects.get(external_id="O-2").paid_total == Decimal("10.50")


def test_it_refuses_comma_decimals_in_a_semicolon_file_written_with_dots(tmp_path, siti):
    path = tmp_path / "orders.csv"
    path.write_text(";".join(ORDER_HEADER) + "\nO-1;P-1;2026-03-02;KOPI;;1;150000.50;;;;;;\n", encoding="utf-8")

    [(row, column, value, message)] = problems(path, "orders")

    assert (row, column, value) == (2, "unit_price", "150000.50") and "150000,00" in message


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1b[31m"
XLSX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml\x1b]0;pwned\x07"


@pytest.mark.parametrize(("content", "said"), [
    (PNG, "looks like a picture"),
    (XLSX, "looks like an Excel workbook"),
    ("external_id,kind,name\nP-1,person,Siti\n".encode("utf-16"), "UTF-16"),
    ("external_id,kind,name\nP-1,person,Siti\n".encode("utf-16-le"), "UTF-16"),
    (bytes(random.Random(4).randrange(128, 256) for _ in range(3000)) + b"\x1b[2J", "not UTF-8"),
    (b"external_id,kind,name\nP-1,person,Si\x1b[2Jti\x00\n", "binary data"),
])
def test_it_says_what_a_file_that_is_not_csv_looks_like_without_printing_control_bytes(
    tmp_path, capsys, content, said
):
    path = tmp_path / "parties.csv"
    path.write_bytes(content)
    before = snapshot()

    with pytest.raises(CommandError) as caught:
        call_command("import", "parties", str(path))

    err = capsys.readouterr().err
    assert said in err and "nothing of it was imported" in str(caught.value)
    assert all(ch.isprintable() for line in err.splitlines() for ch in line)
    assert len(err) < 600
    assert snapshot() == before


def test_it_escapes_control_characters_of_a_bad_value(write_csv, siti, capsys):
    path = write_csv("orders.csv", ORDER_HEADER, [line("O-1", "10\x1b[31m00")])

    with pytest.raises(CommandError):
        call_command("import", "orders", str(path))

    err = capsys.readouterr().err
    assert "value “10\\x1b[31m00”" in err and "\x1b" not in err


def test_it_escapes_control_characters_quoted_from_another_row(write_csv, siti, capsys):
    path = write_csv("orders.csv", ORDER_HEADER, [line("O-\x1b[2J", "1000"), line("O-\x1b[2J", "1000", party="P-2")])

    with pytest.raises(CommandError):
        call_command("import", "orders", str(path))

    err = capsys.readouterr().err
    assert "the order O-\\x1b[2J has the buyer" in err and "\x1b" not in err


def test_it_reports_problems_across_rows_in_the_order_of_the_file(write_csv, siti):
    path = write_csv("orders.csv", ORDER_HEADER, [
        line("O-1", "1000"), line("O-1", "1000", party="P-2"),
        ["O-2", "P-1", "2026-03-02", "KOPI", "service", "1", "1000", "", "", "P-404", "", "", ""],
        ["O-3", "P-405", "2026-03-02", "KOPI", "goods", "1", "-5", "", "", "", "", "", ""],
    ])

    found = problems(path, "orders")

    assert [(r, c, v) for r, c, v, _m in found] == [
        (3, "party", "P-2"), (4, "consumer", "P-404"), (5, "unit_price", "-5"), (5, "party", "P-405"),
        (5, "product_kind", "goods")]
    assert found[-1][3] == "the SKU KOPI is “service” on row 4"


def test_it_reads_choices_written_in_capitals(write_csv, siti):
    path = write_csv("interactions.csv", ["party", "occurred_at", "channel", "direction", "kind", "body"], [
        ["P-1", "2026-03-03T08:00:00", "WhatsApp", "Inbound", "Question", "Ada ukuran L?"]])

    import_file(kind="interactions", path=path)

    assert list(siti.interactions.values_list("channel", "direction", "kind")) == [("whatsapp", "inbound", "question")]
