from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kenal.agreements.models import Agreement
from kenal.audit.models import AuditEvent
from kenal.commerce.models import Order, OrderLine, Product
from kenal.interactions.models import Interaction
from kenal.interchange import loader
from kenal.interchange.models import ImportRun
from kenal.interchange.services import import_file
from kenal.interchange.validation import ImportInvalid, interaction_key
from kenal.parties.models import ContactPoint, Party
from tests.interchange.conftest import ORDER_HEADER, PARTY_HEADER, snapshot

pytestmark = pytest.mark.django_db

AGREEMENT_HEADER = ["external_id", "party", "title", "service_kind", "tier", "signed_by_provider_at",
                    "signed_by_client_at", "starts_on", "ends_on", "terminated_on", "auto_renew", "value",
                    "currency", "billing_period", "csm"]
INTERACTION_HEADER = ["party", "occurred_at", "channel", "direction", "kind", "body"]


def contacts(external_id: str) -> set[tuple[str, str]]:
    return set(ContactPoint.objects.filter(party__external_id=external_id).values_list("kind", "value"))


def test_it_imports_parties_with_contacts_and_references(parties_file):
    result = import_file(kind="parties", path=parties_file)

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    siti, budi, maju = (Party.objects.get(external_id=x) for x in ("P-1", "P-2", "P-9"))
    assert siti.name == "Siti Rahma" and siti.kind == "person" and siti.language == "id"
    assert contacts("P-1") == {("email", "siti@example.test"), ("phone", "+6281234567890")}
    assert contacts("P-2") == {("phone", "+6281311112222"), ("whatsapp", "+6281311112222")}
    assert budi.referred_by == siti and budi.member_of == maju and budi.objects_to_profiling is True
    assert maju.kind == "organization" and maju.scope == "intermediate"
    # Without an offset a time is Jakarta time; a bare date is Jakarta midnight.
    assert siti.first_contact_at == datetime(2026, 3, 1, 7, 5, tzinfo=UTC)
    assert maju.first_contact_at == datetime(2026, 1, 31, 17, 0, tzinfo=UTC)
    run = ImportRun.objects.get()
    assert (run.kind, run.file_name, run.created) == ("parties", "parties.csv", 3)
    assert AuditEvent.objects.filter(action="interchange.import", target_id=str(run.pk)).exists()


def test_it_imports_order_lines_and_keeps_the_order_summary(parties_file, orders_file):
    import_file(kind="parties", path=parties_file)
    result = import_file(kind="orders", path=orders_file)

    assert (result.rows, result.created) == (4, 4)
    assert result.details["orders_created"] == 2 and result.details["products_created"] == 4
    first = Order.objects.get(external_id="O-1")
    assert first.buyer.external_id == "P-1" and first.channel == "store" and first.currency == "IDR"
    assert first.occurred_at == datetime(2026, 3, 2, 2, 30, tzinfo=UTC)  # the earliest line, 09:30 Jakarta
    # Paid lines only: 2 x 45000 + (15000 - 5000); the cancelled tea does not count.
    assert first.is_paid and first.has_promotion
    assert first.paid_total == Decimal("100000.00") and first.max_paid_quantity == Decimal("2")
    lines = list(first.lines.order_by("line_no"))
    assert [(line.line_no, line.product.sku, line.status) for line in lines] == [
        (1, "KOPI-250", "paid"), (2, "GULA-1", "paid"), (3, "TEH-10", "cancelled")]
    assert lines[1].consumer.external_id == "P-2" and lines[1].discount == Decimal("5000")
    second = Order.objects.get(external_id="O-2")
    assert not second.is_paid and second.paid_total == 0 and second.currency == "IDR"
    assert second.occurred_at == datetime(2026, 3, 4, 17, 0, tzinfo=UTC)
    assert Product.objects.get(sku="KONSULTASI").kind == "professional_service"
    assert Product.objects.get(sku="KOPI-250").kind == "goods"


def test_an_import_leaves_every_reference_of_orders_and_lines_enforced(parties_file, orders_file):
    """A large first import checks references once at the end instead of row by row
    (on PostgreSQL by re-adding the keys); afterwards the keys must all be there."""
    from django.db import connection

    import_file(kind="parties", path=parties_file)
    import_file(kind="orders", path=orders_file)
    import_file(kind="orders", path=orders_file)
    with connection.cursor() as cursor:
        found = {
            (model._meta.db_table, tuple(spec["columns"]), spec["foreign_key"])
            for model in (Order, OrderLine)
            for spec in connection.introspection.get_constraints(cursor, model._meta.db_table).values()
            if spec["foreign_key"]
        }
    assert found == {
        ("commerce_order", ("buyer_id",), ("parties_party", "id")),
        ("commerce_orderline", ("order_id",), ("commerce_order", "id")),
        ("commerce_orderline", ("product_id",), ("commerce_product", "id")),
        ("commerce_orderline", ("consumer_id",), ("parties_party", "id")),
    }
    assert OrderLine.objects.filter(order__external_id="O-1").count() == 3


def test_it_numbers_the_lines_of_an_order_scattered_over_the_file(write_csv, parties_file):
    import_file(kind="parties", path=parties_file)
    path = write_csv("orders.csv", ORDER_HEADER, [
        ["O-1", "P-1", "2026-03-02T10:00:00", "KOPI-250", "", "1", "45000", "", "", "", "store", "", ""],
        ["O-2", "P-9", "2026-03-03T10:00:00", "TEH-10", "", "1", "10000", "", "", "", "web", "", ""],
        ["O-1", "P-1", "2026-03-02T08:00:00", "GULA-1", "", "2", "15000", "", "", "", "web", "", ""],
    ])
    result = import_file(kind="orders", path=path)

    assert result.created == 3 and result.details["orders_created"] == 2
    first = Order.objects.get(external_id="O-1")
    assert [(line.line_no, line.product.sku) for line in first.lines.order_by("line_no")] == [
        (1, "KOPI-250"), (2, "GULA-1")]
    # The order's channel is its first line's; its time its earliest line's.
    assert first.channel == "store" and first.paid_total == Decimal("75000.00")
    assert first.occurred_at == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    assert import_file(kind="orders", path=path).unchanged == 3


def test_it_reads_values_with_spaces_around_them_as_without(write_csv, parties_file):
    import_file(kind="parties", path=parties_file)
    path = write_csv("orders.csv", ORDER_HEADER, [
        [" O-1 ", " P-1 ", " 2026-03-02T10:00:00 ", " KOPI-250 ", " goods ", " 2 ", " 45000.00 ", " 5000 ", "", "",
         " Store ", " idr ", " paid "],
        ["O-1", "P-1", "2026-03-02T10:00:00", "KOPI-250", "goods", "2", "45000.00", "5000", "", "", "store", "IDR",
         "paid"],
    ])
    import_file(kind="orders", path=path)

    spaced, plain = OrderLine.objects.filter(order__external_id="O-1").order_by("line_no")
    fields = ("occurred_at", "quantity", "unit_price", "discount", "channel", "currency", "status", "product_id")
    assert [getattr(spaced, name) for name in fields] == [getattr(plain, name) for name in fields]
    assert spaced.order.paid_total == Decimal("170000.00")


def test_an_imported_order_has_the_summary_the_order_form_gives_it(write_csv, parties_file):
    """Lines at different times, paid, refunded and cancelled, with promotions on the
    lines that do not count: the same order saved by the service and imported gets
    the same summary."""
    from kenal.commerce.services import LineData, order_create

    import_file(kind="parties", path=parties_file)
    buyer = Party.objects.get(external_id="P-1")
    jakarta = ZoneInfo("Asia/Jakarta")
    specs = [
        ("KOPI-250", "2026-03-02T10:00:00", "2.5", "45000", "0", "", "paid"),
        ("GULA-1", "2026-03-02T09:30:00", "1", "15000", "0", "", "paid"),
        ("TEH-10", "2026-03-01T18:00:00", "40", "10000", "5000", "HEMAT", "refunded"),
        ("ROTI", "2026-03-02T11:00:00", "3", "8000", "1000", "", "cancelled"),
    ]
    saved = order_create(actor=None, buyer=buyer, external_id="FORM-1", lines=[
        LineData(sku=sku, occurred_at=datetime.fromisoformat(when).replace(tzinfo=jakarta), quantity=Decimal(qty),
                 unit_price=Decimal(price), discount=Decimal(discount), promo_code=promo, status=status)
        for sku, when, qty, price, discount, promo, status in specs
    ])
    path = write_csv("orders.csv", ORDER_HEADER, [
        ["FILE-1", "P-1", when, sku, "", qty, price, discount, promo, "", "", "", status]
        for sku, when, qty, price, discount, promo, status in specs
    ])
    import_file(kind="orders", path=path)

    saved.refresh_from_db()
    imported = Order.objects.get(external_id="FILE-1")
    fields = ("occurred_at", "is_paid", "has_promotion", "max_paid_quantity", "paid_total")
    assert [getattr(imported, name) for name in fields] == [getattr(saved, name) for name in fields]
    assert saved.occurred_at == datetime(2026, 3, 1, 11, 0, tzinfo=UTC)  # the refunded line, earliest of all
    assert saved.is_paid and not saved.has_promotion
    assert saved.max_paid_quantity == Decimal("2.5") and saved.paid_total == Decimal("127500.00")


def test_a_first_import_builds_the_indexes_of_the_tables_it_fills_again(parties_file, orders_file):
    from django.db import connection

    def indexes() -> set[str]:
        with connection.cursor() as cursor:
            return {
                name for model in (Order, OrderLine, Interaction)
                for name in connection.introspection.get_constraints(cursor, model._meta.db_table)
            }

    before = indexes()
    import_file(kind="parties", path=parties_file)
    import_file(kind="orders", path=orders_file)

    assert indexes() == before
    assert {"order_buyer_summary_idx", "order_line_product_time_idx", "order_line_consumer_idx"} <= before


def test_it_imports_agreements_with_their_csm(write_csv, parties_file, csm, manager):
    import_file(kind="parties", path=parties_file)
    path = write_csv("agreements.csv", AGREEMENT_HEADER, [
        ["A-1", "P-9", "Pembukuan bulanan", "", "enterprise", "2026-01-10", "2026-01-12T09:00:00+07:00",
         "2026-02-01", "2027-01-31", "", "true", "12000000.00", "", "monthly", "citra"],
        ["A-2", "P-1", "Konsultasi pajak", "service", "", "2026-01-10", "", "2026-02-01", "", "", "", "", "", "",
         "MAYA@example.test"],
    ])
    result = import_file(kind="agreements", path=path)

    assert result.created == 2
    signed = Agreement.objects.get(external_id="A-1")
    assert signed.party.external_id == "P-9" and signed.csm == csm and signed.is_signed
    assert signed.service_kind == "professional_service" and signed.tier == "enterprise"
    assert signed.starts_on == date(2026, 2, 1) and signed.ends_on == date(2027, 1, 31)
    assert signed.signed_by_client_at == datetime(2026, 1, 12, 2, 0, tzinfo=UTC)
    assert signed.auto_renew and signed.value == Decimal("12000000") and signed.billing_period == "monthly"
    proposal = Agreement.objects.get(external_id="A-2")
    assert not proposal.is_signed and proposal.csm == manager and proposal.ends_on is None
    assert proposal.value is None and proposal.currency == "IDR"


def test_it_imports_interactions_once(write_csv, parties_file):
    import_file(kind="parties", path=parties_file)
    rows = [
        ["P-1", "2026-03-03T08:00:00", "whatsapp", "inbound", "question", "Ada ukuran L?"],
        ["P-1", "2026-03-03T08:05:00", "whatsapp", "outbound", "", "Ada, kak."],
    ]
    path = write_csv("interactions.csv", INTERACTION_HEADER, rows)
    first = import_file(kind="interactions", path=path)
    path = write_csv("interactions.csv", INTERACTION_HEADER, [*rows, ["P-2", "2026-03-04", "email", "inbound", "", ""]])
    second = import_file(kind="interactions", path=path)

    assert (first.created, second.created, second.unchanged) == (2, 1, 2)
    question = Interaction.objects.get(kind="question")
    assert question.occurred_at == datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
    assert question.source_key == interaction_key(
        party="P-1", occurred_at=question.occurred_at, channel="whatsapp", direction="inbound", kind="question",
        body="Ada ukuran L?",
    )
    assert Interaction.objects.get(body="Ada, kak.").kind == "message"
    assert Interaction.objects.count() == 3


def test_it_changes_nothing_when_the_same_files_are_imported_again(write_csv, parties_file, orders_file, csm):
    agreements = write_csv("agreements.csv", AGREEMENT_HEADER, [
        ["A-1", "P-9", "Retainer", "", "", "2026-01-10", "2026-01-10", "2026-02-01", "", "", "", "100.50", "USD", "",
         "citra"]])
    interactions = write_csv("interactions.csv", INTERACTION_HEADER, [
        ["P-1", "2026-03-03T08:00:00", "whatsapp", "inbound", "question", "Ada ukuran L?"]])
    files = [("parties", parties_file), ("orders", orders_file), ("agreements", agreements),
             ("interactions", interactions)]
    for kind, path in files:
        import_file(kind=kind, path=path)
    before = snapshot()

    for kind, path in files:
        result = import_file(kind=kind, path=path)
        assert (result.created, result.updated, result.deleted) == (0, 0, 0), kind
        assert result.unchanged == result.rows
    assert snapshot() == before


def test_it_updates_changed_rows_and_only_those(write_csv, parties_file, orders_file):
    import_file(kind="parties", path=parties_file)
    import_file(kind="orders", path=orders_file)
    before = {p.external_id: p.updated_at for p in Party.objects.all()}

    changed_parties = write_csv("parties2.csv", ["external_id", "kind", "name", "email"], [
        ["P-1", "person", "Siti Rahma", "siti.baru@example.test"],
        ["P-2", "person", "Budi S.", ""],
    ])
    result = import_file(kind="parties", path=changed_parties)

    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    # The file's email column replaces emails; phones, absent from the file, stay.
    assert contacts("P-1") == {("email", "siti.baru@example.test"), ("phone", "+6281234567890")}
    assert contacts("P-2") == {("phone", "+6281311112222"), ("whatsapp", "+6281311112222")}
    budi = Party.objects.get(external_id="P-2")
    assert budi.name == "Budi S." and budi.updated_at > before["P-2"]
    # Columns the file lacks leave what is stored alone.
    assert budi.referred_by.external_id == "P-1" and budi.language == "en" and budi.member_of.external_id == "P-9"
    assert Party.objects.get(external_id="P-9").updated_at == before["P-9"]

    fewer_lines = write_csv("orders2.csv", ORDER_HEADER, [
        ["O-1", "P-1", "2026-03-02T10:00:00+07:00", "KOPI-250", "", "5", "45000.00", "", "", "", "store", "", ""],
    ])
    result = import_file(kind="orders", path=fewer_lines)

    assert (result.created, result.updated, result.unchanged, result.deleted) == (0, 1, 0, 2)
    order = Order.objects.get(external_id="O-1")
    assert list(order.lines.values_list("line_no", "quantity")) == [(1, Decimal("5"))]
    assert order.paid_total == Decimal("225000") and not order.has_promotion and order.max_paid_quantity == 5
    assert order.occurred_at == datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    assert OrderLine.objects.filter(order__external_id="O-2").count() == 1


def test_it_accepts_a_leading_byte_order_mark(write_csv):
    path = write_csv("parties.csv", ["external_id", "kind", "name"], [["P-1", "person", "Siti"]], bom=True)

    import_file(kind="parties", path=path)

    assert Party.objects.get(external_id="P-1").name == "Siti"


def test_it_names_the_line_of_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "parties.csv"
    path.write_bytes("external_id,kind,name\nP-1,person,Siti\nP-2,person,Jos\u00e9\n".encode("latin-1"))

    with pytest.raises(ImportInvalid) as caught:
        import_file(kind="parties", path=path)

    [problem] = caught.value.report.problems
    assert problem.row == 3 and problem.value.startswith("P-2,person,Jos") and "UTF-8" in problem.message
    assert not Party.objects.exists()


def test_it_ignores_unknown_columns(write_csv):
    path = write_csv("parties.csv", ["external_id", "kind", "name", "favourite_colour"], [["P-1", "person", "Siti", "red"]])

    assert import_file(kind="parties", path=path).created == 1


def test_a_dry_run_counts_and_writes_nothing(parties_file, orders_file):
    import_file(kind="parties", path=parties_file)
    before = snapshot()
    runs = ImportRun.objects.count()

    result = import_file(kind="orders", path=orders_file, dry_run=True)

    assert result.dry_run and result.created == 4 and result.details["orders_created"] == 2
    assert snapshot() == before and ImportRun.objects.count() == runs
    assert "nothing was written" in result.summary()


BAD_FILES = {
    "missing required column": (
        ["order_id", "party", "sku", "unit_price"], [["O-1", "P-1", "KOPI", "1000"]],
        [(1, "occurred_at", "")]),
    "bad date": (
        ORDER_HEADER, [["O-1", "P-1", "02/03/2026", "KOPI", "", "1", "1000", "", "", "", "", "", ""]],
        [(2, "occurred_at", "02/03/2026")]),
    "unknown party": (
        ORDER_HEADER, [["O-1", "P-404", "2026-03-02", "KOPI", "", "1", "1000", "", "", "", "", "", ""]],
        [(2, "party", "P-404")]),
    "bad enum": (
        ORDER_HEADER, [["O-1", "P-1", "2026-03-02", "KOPI", "", "1", "1000", "", "", "", "", "", "lunas"]],
        [(2, "status", "lunas")]),
    "negative quantity": (
        ORDER_HEADER, [["O-1", "P-1", "2026-03-02", "KOPI", "", "-1", "1000", "", "", "", "", "", ""]],
        [(2, "quantity", "-1")]),
    "mismatched buyer": (
        ORDER_HEADER, [["O-1", "P-1", "2026-03-02", "KOPI", "", "1", "1000", "", "", "", "", "", ""],
                       ["O-1", "P-2", "2026-03-02", "TEH", "", "1", "1000", "", "", "", "", "", ""]],
        [(3, "party", "P-2")]),
    "mismatched buyer on a line further down the file": (
        ORDER_HEADER, [["O-1", "P-1", "2026-03-02", "KOPI", "", "1", "1000", "", "", "", "", "", ""],
                       ["O-3", "P-1", "2026-03-02", "KOPI", "", "1", "1000", "", "", "", "", "", ""],
                       ["O-1", "P-2", "2026-03-02", "TEH", "", "1", "1000", "", "", "", "", "", ""]],
        [(4, "party", "P-2")]),
    "comma decimal and negative discount": (
        ORDER_HEADER, [["O-1", "P-1", "2026-03-02", "KOPI", "", "1", "1.000,50", "-5", "", "", "", "", ""]],
        [(2, "unit_price", "1.000,50"), (2, "discount", "-5")]),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_it_rejects_a_bad_orders_file_and_writes_nothing(case, write_csv, parties_file):
    import_file(kind="parties", path=parties_file)
    header, rows, expected = BAD_FILES[case]
    good = ["O-9", "P-1", "2026-03-01", "GOOD", "", "1", "1000", "", "", "", "", "", ""]
    path = write_csv("orders.csv", header, [good, *rows] if header == ORDER_HEADER else rows)
    if header == ORDER_HEADER:
        expected = [(row + 1, column, value) for row, column, value in expected]
    before = snapshot()

    with pytest.raises(ImportInvalid) as caught:
        import_file(kind="orders", path=path)

    assert [(p.row, p.column, p.value) for p in caught.value.report.problems] == expected
    assert all(p.message for p in caught.value.report.problems)
    assert snapshot() == before


def test_it_reports_every_bad_party_row_and_writes_nothing(write_csv):
    path = write_csv("parties.csv", PARTY_HEADER, [
        ["P-1", "person", "Siti", "not-an-email", "12", "", "", "", "", "", "", ""],
        ["P-2", "persona", "", "", "", "", "", "P-404", "P-3", "fr", "kemarin", "maybe"],
        ["P-3", "person", "Budi", "", "", "", "", "", "", "", "", ""],
        ["P-1", "person", "Siti again", "", "", "", "", "", "", "", "", ""],
    ])

    with pytest.raises(ImportInvalid) as caught:
        import_file(kind="parties", path=path)

    found = {(p.row, p.column, p.value) for p in caught.value.report.problems}
    assert found == {
        (2, "email", "not-an-email"), (2, "phone", "12"), (3, "kind", "persona"), (3, "name", ""),
        (3, "language", "fr"), (3, "first_contact_at", "kemarin"), (3, "objects_to_profiling", "maybe"),
        (3, "referred_by", "P-404"), (3, "member_of", "P-3"), (5, "external_id", "P-1"),
    }
    member = next(p for p in caught.value.report.problems if p.column == "member_of")
    assert "organisation" in member.message
    assert not Party.objects.exists() and not ContactPoint.objects.exists()


def test_it_reports_an_unknown_csm_and_a_repeated_agreement(write_csv, parties_file):
    import_file(kind="parties", path=parties_file)
    path = write_csv("agreements.csv", ["external_id", "party", "title", "starts_on", "ends_on", "csm"], [
        ["A-1", "P-9", "Retainer", "2026-02-01", "2026-01-01", "nobody"],
        ["A-1", "P-9", "Retainer", "2026-02-01", "", ""]])

    with pytest.raises(ImportInvalid) as caught:
        import_file(kind="agreements", path=path)

    assert {(p.row, p.column, p.value) for p in caught.value.report.problems} == {
        (2, "ends_on", "2026-01-01"), (2, "csm", "nobody"), (3, "external_id", "A-1")}
    assert not Agreement.objects.exists()


def test_the_report_stops_at_a_hundred_problems_and_counts_the_rest(write_csv):
    path = write_csv("interactions.csv", INTERACTION_HEADER, [
        ["P-404", "2026-03-03", "whatsapp", "inbound", "", ""] for _ in range(150)])

    with pytest.raises(ImportInvalid) as caught:
        import_file(kind="interactions", path=path)

    lines = caught.value.report.lines()
    assert len(lines) == 101 and "50 more problems" in lines[-1]
    assert lines[0].startswith("Row 2, column party, value “P-404”:")


def test_the_command_prints_the_report_and_fails(write_csv, parties_file, capsys):
    import_file(kind="parties", path=parties_file)
    path = write_csv("orders.csv", ORDER_HEADER, [
        ["O-1", "P-1", "2026-03-02", "KOPI", "", "0", "1000", "", "", "", "", "", ""]])

    with pytest.raises(CommandError) as caught:
        call_command("import", "orders", str(path))

    assert caught.value.returncode == 1
    assert "1 problem" in str(caught.value)
    err = capsys.readouterr().err
    assert "Row 2, column quantity, value “0”: must be more than zero" in err
    assert not Order.objects.exists()


def test_the_command_prints_a_summary(parties_file, capsys):
    call_command("import", "parties", str(parties_file))
    call_command("import", "parties", str(parties_file), "--dry-run")

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Imported parties: 3 rows: 3 created, 0 updated, 0 unchanged (contact points removed: 0, contact points added: 5)."
    assert out[1].startswith("Dry run, nothing was written.") and "0 created, 0 updated, 3 unchanged" in out[1]


def _many_lines(count: int) -> list[list[str]]:
    """Order lines enough for several staged batches (loader.BATCH), one order of two lines each."""
    return [
        [f"O-{n // 2}", "P-1", "2026-03-02T10:00:00+07:00", f"SKU-{n % 7}", "", "1", "1000", "", "", "", "web", "",
         ""]
        for n in range(count)
    ]


@pytest.mark.parametrize(("last", "expected"), [
    (["O-LAST", "P-1", "2026-03-02", "KOPI", "", "1", "seribu", "", "", "", "", "", ""], "unit_price"),
    (["O-LAST", "NOBODY", "2026-03-02", "KOPI", "", "1", "1000", "", "", "", "", "", ""], "party"),
])
def test_a_problem_on_the_last_line_of_a_large_file_writes_nothing(last, expected, write_csv, parties_file):
    """Rows are staged in batches while the file is still being checked; a problem on the
    file's very last line still stops all of them."""
    import_file(kind="parties", path=parties_file)
    count = 2 * loader.BATCH + 5
    path = write_csv("orders.csv", ORDER_HEADER, [*_many_lines(count), last])
    before = snapshot()

    with pytest.raises(ImportInvalid) as caught:
        import_file(kind="orders", path=path)

    assert [(p.row, p.column) for p in caught.value.report.problems] == [(count + 2, expected)]
    assert snapshot() == before


def test_a_late_bad_interaction_writes_nothing(write_csv, parties_file):
    import_file(kind="parties", path=parties_file)
    count = loader.BATCH + 3
    rows = [["P-1", f"2026-03-02T10:{n // 60 % 60:02d}:{n % 60:02d}+07:00", "whatsapp", "inbound", "", f"m{n}"]
            for n in range(count)]
    path = write_csv("interactions.csv", INTERACTION_HEADER, [*rows, ["P-1", "2026-03-02", "pigeon", "inbound", "", ""]])

    with pytest.raises(ImportInvalid) as caught:
        import_file(kind="interactions", path=path)

    assert [(p.row, p.column) for p in caught.value.report.problems] == [(count + 2, "channel")]
    assert not Interaction.objects.exists()


def test_the_import_works_again_after_a_rejected_large_file(write_csv, parties_file):
    """A rejected file leaves the connection as it was: the next import on it works."""
    import_file(kind="parties", path=parties_file)
    lines = _many_lines(loader.BATCH + 5)
    bad = write_csv("bad.csv", ORDER_HEADER, [*lines, ["O-X", "P-1", "kemarin", "KOPI", "", "1", "1", "", "", "",
                                                         "", "", ""]])
    with pytest.raises(ImportInvalid):
        import_file(kind="orders", path=bad)

    result = import_file(kind="orders", path=write_csv("good.csv", ORDER_HEADER, lines))

    assert result.created == len(lines)
    assert OrderLine.objects.count() == len(lines)
