"""Set-based merging of staged interchange rows into Kenal's tables.

Checked rows are staged in session-local TEMP tables (PostgreSQL COPY, SQLite
executemany), then merged with a few INSERT ... SELECT and UPDATE ... FROM statements
whose WHERE clause skips rows that would not change, so re-importing a file rewrites
nothing. Table names come from the models' ``_meta``; the SQL is the same on
both databases except for the small differences the ``Dialect`` hides.
"""

from __future__ import annotations

import csv
import io
import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from kenal.agreements.models import Agreement
from kenal.commerce.models import Order, OrderLine, Product, ProductKind
from kenal.commerce.summary import SUMMARY, summary_aggregates
from kenal.interactions.models import Interaction
from kenal.parties.models import ContactPoint, Party

BATCH = 20_000


class Dialect:
    """What differs between PostgreSQL and SQLite in the statements below."""

    TYPES = {
        "postgresql": {
            "text": "text", "int": "bigint", "ts": "timestamptz", "date": "date", "bool": "boolean",
            "money": "numeric(16, 2)", "qty": "numeric(12, 3)",
        },
        # Same affinities as Django's columns, so staged and stored values compare equal.
        "sqlite": {
            "text": "TEXT", "int": "INTEGER", "ts": "TEXT", "date": "TEXT", "bool": "INTEGER",
            "money": "NUMERIC", "qty": "NUMERIC",
        },
    }

    def __init__(self) -> None:
        self.vendor = connection.vendor
        if self.vendor not in self.TYPES:
            raise NotImplementedError(f"Imports support PostgreSQL and SQLite, not {self.vendor}.")
        self.is_postgres = self.vendor == "postgresql"

    def type(self, name: str) -> str:
        return self.TYPES[self.vendor][name]

    def differs(self, a: str, b: str) -> str:
        return f"{a} IS DISTINCT FROM {b}" if self.is_postgres else f"{a} IS NOT {b}"

    def any_differs(self, table: str, other: str, columns: Iterable[str]) -> str:
        return " OR ".join(self.differs(f"{table}.{c}", f"{other}.{c}") for c in columns)

    @contextmanager
    def tuned(self, cursor: CursorWrapper) -> Iterator[None]:
        """Session settings for the merge, inside its transaction: room to hash and
        cache a million staged lines in memory instead of spilling to disk."""
        if self.is_postgres:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")
            yield
            return
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -262144")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA cache_size = {previous}")

    @contextmanager
    def spilling(self, cursor: CursorWrapper) -> Iterator[None]:
        """Staging tables and the sorts over them on disk: Kenal's SQLite connections
        keep temporary tables in memory, which for ten million staged lines would be
        gigabytes. Changing temp_store drops the connection's temporary tables, so
        this is done only outside a transaction, before the staging tables exist;
        work tables of other code are created again when next needed."""
        if self.is_postgres or connection.in_atomic_block:
            yield
            return
        cursor.execute("PRAGMA temp_store")
        previous = int(cursor.fetchone()[0])
        if previous != 2:
            yield
            return
        cursor.execute("PRAGMA temp_store = FILE")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA temp_store = {previous}")

    def now(self) -> Any:
        return connection.ops.adapt_datetimefield_value(timezone.now())


def table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _doubles(cursor: CursorWrapper, dialect: Dialect, *, target: str, rows: int) -> bool:
    """Whether an import of ``rows`` rows at least doubles ``target`` (an estimate:
    the planner's row count on PostgreSQL, the highest rowid on SQLite)."""
    if dialect.is_postgres:
        cursor.execute("SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = %s::regclass", [target])
    else:
        cursor.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {target}")
    return rows > cursor.fetchone()[0]


def _secondary_indexes(cursor: CursorWrapper, dialect: Dialect, tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of ``tables`` that enforce nothing: not the
    primary key, nor a unique one (the merge's ON CONFLICT needs those)."""
    if dialect.is_postgres:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary"
            " ORDER BY 1",
            [tables],
        )
        return cursor.fetchall()
    names = [name.strip('"') for name in tables]
    cursor.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({', '.join(['%s'] * len(names))}) AND sql NOT LIKE 'CREATE UNIQUE%%' ORDER BY name",
        names,
    )
    return [(f'"{name}"', sql) for name, sql in cursor.fetchall()]


@contextmanager
def indexes_built_at_the_end(
    cursor: CursorWrapper, dialect: Dialect, *, tables: list[str], rows: int, unique: bool = False
) -> Iterator[None]:
    """When an import at least doubles ``tables[0]``, the secondary indexes of
    ``tables`` are dropped before the merge and built again after it, each in one
    sort, instead of taking millions of inserts at random places (and on PostgreSQL
    the write-ahead log of every index page touched): for a million lines that is
    most of the merge. On PostgreSQL the foreign keys of ``tables`` are likewise
    checked once, by adding the constraints back (one join per key), instead of by a
    trigger for each inserted row at commit, and with ``unique`` (for a merge that
    needs no ON CONFLICT, see write_changed) their unique constraints are built
    again at the end too. SQLite keeps its unique indexes: without them it could not
    find the stored rows, and the new ones come in the order of their keys anyway.

    The price: until the import commits, the tables and the ones they refer to are
    locked, so this is only for the large first loads. If anything fails, the
    transaction rolls back with the indexes and constraints as they were."""
    if not _doubles(cursor, dialect, target=tables[0], rows=rows):
        yield
        return
    indexes = _secondary_indexes(cursor, dialect, tables)
    keys: list[tuple[str, str, str]] = []
    if dialect.is_postgres:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = ANY(%s) AND conrelid = ANY(%s::regclass[]) ORDER BY contype = 'u', conname",
            [["f", "u"] if unique else ["f"], tables],
        )
        keys = cursor.fetchall()
        # Checks this transaction has deferred so far run now: PostgreSQL refuses to alter
        # a table with checks still pending (a parties import just before, in the same
        # transaction). The keys are deferred again afterwards, as Django declares them.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for name, constraint, _definition in keys:
        cursor.execute(f'ALTER TABLE {name} DROP CONSTRAINT "{constraint}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, constraint, definition in reversed(keys):  # unique ones first
        cursor.execute(f'ALTER TABLE {name} ADD CONSTRAINT "{constraint}" {definition}')
    if keys:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@dataclass(frozen=True)
class StageTable:
    """A TEMP table: ``loaded`` columns come from the checked rows, in the order the
    checks emit them; ``extra`` columns are filled by the merge."""

    name: str
    loaded: tuple[tuple[str, str], ...]
    extra: tuple[tuple[str, str], ...] = ()
    primary_key: str | None = None

    def create(self, cursor: CursorWrapper, dialect: Dialect) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
        columns = [
            f"{name} {dialect.type(kind)}{' PRIMARY KEY' if name == self.primary_key else ''}"
            for name, kind in self.loaded + self.extra
        ]
        cursor.execute(f"CREATE TEMP TABLE {self.name} ({', '.join(columns)})")

    def drop(self, cursor: CursorWrapper) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {self.name}")


class StagingWriter:
    """Writes staged batches to their TEMP tables on a thread of its own, so that the
    database stores one batch while the checks read the next: sqlite3's executemany
    and psycopg's COPY let go of the GIL while the database works, which on two cores
    overlaps most of the staging with the checks. At most ``DEPTH`` batches wait, so
    memory stays bounded whatever the file's size.

    The thread uses the import's connection alone until ``close``; the checking thread
    does not touch the database meanwhile. A failure on the thread is raised again on
    the checking thread, at its next batch or at ``close``, and whatever is still queued
    is then dropped unwritten: the staging tables are dropped with the import anyway."""

    DEPTH = 2

    def __init__(self, cursor: CursorWrapper, dialect: Dialect) -> None:
        # The DB-API cursor: Django's wrapper checks which thread uses its connection.
        # On SQLite a plain sqlite3 cursor, which takes each batch as it is instead of
        # converting the statement's placeholders and copying the batch's iterator.
        self.cursor = cursor.cursor if dialect.is_postgres else cursor.cursor.connection.cursor()
        self.queue: queue.Queue[tuple[Stager, list[tuple[Any, ...]]] | None] = queue.Queue(maxsize=self.DEPTH)
        self.error: BaseException | None = None
        self.cancelled = False
        self.thread = threading.Thread(target=self._run, name="kenal-staging", daemon=True)
        self.thread.start()

    def put(self, stager: Stager, batch: list[tuple[Any, ...]]) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((stager, batch))

    def _run(self) -> None:
        while (job := self.queue.get()) is not None:
            if self.error is None and not self.cancelled:
                try:
                    job[0].write(self.cursor, job[1])
                except BaseException as exc:  # raised again on the checking thread
                    self.error = exc

    def close(self, *, cancel: bool = False) -> None:
        """Wait until every queued batch is written (or, with ``cancel``, dropped)."""
        self.cancelled = cancel
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and not cancel:
            raise self.error

    @contextmanager
    def running(self) -> Iterator[StagingWriter]:
        try:
            yield self
        except BaseException:
            self.close(cancel=True)
            raise
        self.close()


class Stager:
    """Collects staged rows and hands them to the writer in batches."""

    def __init__(self, writer: StagingWriter, dialect: Dialect, stage: StageTable) -> None:
        self.writer = writer
        self.dialect = dialect
        self.stage = stage
        self.batch: list[tuple[Any, ...]] = []
        names = ", ".join(name for name, _kind in stage.loaded)
        if dialect.is_postgres:
            self.statement = f"COPY {stage.name} ({names}) FROM STDIN WITH (FORMAT csv)"
        else:
            marks = ", ".join(["?"] * len(stage.loaded))
            self.statement = f"INSERT INTO {stage.name} ({names}) VALUES ({marks})"

    def add(self, row: tuple[Any, ...]) -> None:
        self.batch.append(row)
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.writer.put(self, self.batch)
            self.batch = []

    def write(self, cursor: Any, batch: list[tuple[Any, ...]]) -> None:
        """On the writer's thread, with its DB-API cursor."""
        if self.dialect.is_postgres:
            # In CSV COPY an unquoted empty field is NULL, which is what None becomes.
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(batch)
            with cursor.copy(self.statement) as copy:
                copy.write(buffer.getvalue())
        else:
            # One transaction per batch: in autocommit each row would be a transaction
            # of its own, which costs about a third of the insert. A savepoint, because
            # the import may run inside the caller's transaction.
            cursor.execute("SAVEPOINT kenal_stage")
            try:
                cursor.executemany(self.statement, batch)
            except BaseException:
                cursor.execute("ROLLBACK TO kenal_stage")
                raise
            finally:
                cursor.execute("RELEASE kenal_stage")

    def analyze(self, cursor: CursorWrapper) -> None:
        """After the writer is closed."""
        if self.dialect.is_postgres:
            # TEMP tables are never analysed automatically; without statistics the
            # planner picks nested loops over a million staged rows.
            cursor.execute(f"ANALYZE {self.stage.name}")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    details: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------------
# parties.csv

STAGE_PARTY = StageTable(
    "kenal_stage_party",
    (
        ("file_row", "int"), ("external_id", "text"), ("kind", "text"), ("name", "text"), ("scope", "text"),
        ("language", "text"), ("first_contact_at", "ts"), ("objects_to_profiling", "bool"),
        ("referred_by", "text"), ("member_of", "text"),
    ),
    (("party_id", "int"), ("referred_by_id", "int"), ("member_of_id", "int"), ("existed", "bool"),
     ("changed", "bool")),
)
STAGE_CONTACT = StageTable(
    "kenal_stage_contact", (("external_id", "text"), ("kind", "text"), ("value", "text")), (("party_id", "int"),)
)


# What an import sets on a party: column -> staged value ({s} is the staging table).
PARTY_VALUES = {
    "kind": "{s}.kind", "name": "{s}.name", "language": "COALESCE({s}.language, '')",
    "scope": "COALESCE({s}.scope, '')", "objects_to_profiling": "{s}.objects_to_profiling",
    "first_contact_at": "{s}.first_contact_at", "referred_by_id": "{s}.referred_by_id",
    "member_of_id": "{s}.member_of_id",
}


def merge_parties(
    cursor: CursorWrapper, dialect: Dialect, *, rows: int, columns: list[str], contact_kinds: list[str]
) -> Counts:
    """New parties are inserted first, so that references to parties later in the file
    resolve; then each existing party that differs (in the optional ``columns`` the file
    has, or in the contact points of the kinds it has columns for) is marked, updated
    once, and counted."""
    party, contact = table(Party), table(ContactPoint)
    stage, stage_contact = STAGE_PARTY.name, STAGE_CONTACT.name
    now = dialect.now()
    counts = Counts()
    cursor.execute(f"UPDATE {stage} SET party_id = p.id FROM {party} p WHERE p.external_id = {stage}.external_id")
    cursor.execute(f"UPDATE {stage} SET existed = (party_id IS NOT NULL), changed = FALSE")
    cursor.execute(
        f"INSERT INTO {party} (external_id, kind, name, language, scope, objects_to_profiling, first_contact_at,"
        f" notes, created_at, updated_at)"
        f" SELECT external_id, kind, name, COALESCE(language, ''), COALESCE(scope, ''), objects_to_profiling,"
        f" first_contact_at, '', %s, %s FROM {stage} WHERE party_id IS NULL",
        [now, now],
    )
    counts.created = cursor.rowcount
    # Every party named in the file exists from here on, so references may point forward.
    cursor.execute(
        f"UPDATE {stage} SET party_id = p.id FROM {party} p"
        f" WHERE {stage}.party_id IS NULL AND p.external_id = {stage}.external_id"
    )
    for column in ("referred_by", "member_of"):
        cursor.execute(f"UPDATE {stage} SET {column}_id = p.id FROM {party} p WHERE p.external_id = {stage}.{column}")
    cursor.execute(
        f"UPDATE {stage_contact} SET party_id = s.party_id FROM {stage} s WHERE s.external_id = {stage_contact}.external_id"
    )
    cursor.execute(f"CREATE INDEX kenal_stage_contact_key ON {stage_contact} (party_id, kind, value)")

    # Optional columns the file lacks leave what is stored alone, as for contact points.
    values = {
        column: expression for column, expression in PARTY_VALUES.items()
        if column in ("kind", "name") or column.removesuffix("_id") in columns
    }
    cursor.execute(
        f"UPDATE {stage} SET changed = TRUE FROM {party} p WHERE p.id = {stage}.party_id AND {stage}.existed AND ("
        + " OR ".join(dialect.differs(f"p.{c}", e.format(s=stage)) for c, e in values.items())
        + ")"
    )
    kinds = ", ".join(["%s"] * len(contact_kinds))
    unwanted_contacts = (
        f"FROM {contact} c WHERE c.kind IN ({kinds}) AND NOT EXISTS (SELECT 1 FROM {stage_contact} sc"
        f" WHERE sc.party_id = c.party_id AND sc.kind = c.kind AND sc.value = c.value)"
    )
    if contact_kinds:
        cursor.execute(
            f"UPDATE {stage} SET changed = TRUE WHERE existed AND NOT changed AND ("
            f" EXISTS (SELECT 1 {unwanted_contacts} AND c.party_id = {stage}.party_id)"
            f" OR EXISTS (SELECT 1 FROM {stage_contact} sc WHERE sc.party_id = {stage}.party_id AND NOT EXISTS"
            f" (SELECT 1 FROM {contact} c WHERE c.party_id = sc.party_id AND c.kind = sc.kind AND c.value = sc.value)))",
            contact_kinds,
        )
    assignments = ", ".join(f"{c} = {e.format(s='s')}" for c, e in values.items())
    cursor.execute(
        f"UPDATE {party} SET {assignments}, updated_at = %s"
        f" FROM {stage} s WHERE {party}.id = s.party_id AND (s.changed OR (NOT s.existed AND"
        f" (s.referred_by_id IS NOT NULL OR s.member_of_id IS NOT NULL)))",
        [now],
    )
    if contact_kinds:
        cursor.execute(
            f"DELETE FROM {contact} WHERE id IN (SELECT c.id {unwanted_contacts}"
            f" AND c.party_id IN (SELECT party_id FROM {stage}))",
            contact_kinds,
        )
        counts.details["contact_points_removed"] = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {contact} (party_id, kind, value) SELECT DISTINCT party_id, kind, value FROM {stage_contact}"
            f" WHERE true ON CONFLICT (party_id, kind, value) DO NOTHING"
        )
        counts.details["contact_points_added"] = cursor.rowcount
    cursor.execute(f"SELECT COUNT(*) FROM {stage} WHERE changed")
    counts.updated = cursor.fetchone()[0]
    counts.unchanged = rows - counts.created - counts.updated
    return counts


# ---------------------------------------------------------------------------------
# orders.csv

STAGE_LINE = StageTable(
    "kenal_stage_line",
    (
        ("file_row", "int"), ("order_ext", "text"), ("buyer", "text"), ("occurred_at", "ts"), ("sku", "text"),
        ("kind", "text"), ("quantity", "qty"), ("unit_price", "money"), ("discount", "money"),
        ("promo_code", "text"), ("consumer", "text"), ("channel", "text"), ("currency", "text"), ("status", "text"),
        # The line's number in its order and what the order's first line says; see number_lines.
        ("line_no", "int"), ("first_row", "int"), ("first_buyer", "text"), ("first_currency", "text"),
        ("first_channel", "text"),
    ),
)
# Each product of the file with each kind its lines give it, as check_orders first
# meets them (a few times over when its cache of products seen fills up).
STAGE_SKU = StageTable("kenal_stage_sku", (("first_row", "int"), ("sku", "text"), ("kind", "text")))
# Filled from the staged rows by number_lines and the merge.
STAGE_ORDER = "kenal_stage_order"
STAGE_PRODUCT = "kenal_stage_product"
ORDER_STAGES = (STAGE_ORDER, STAGE_PRODUCT)

def number_lines(cursor: CursorWrapper, dialect: Dialect) -> None:
    """Each line has its number in its order and what the order's first line says
    (buyer, currency, channel); the checks across rows and the merge read them.

    check_orders numbers the lines while reading, which is right when the lines of
    each order follow each other in the file, as any shop's export writes them. When
    an order's lines are scattered (its first line appears more than once), one window
    pass sorted by order and row numbers them all again. Products and the kinds their
    lines give them go to a small table of their own, from STAGE_SKU."""
    lines = STAGE_LINE.name
    for name in ORDER_STAGES:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(
        f"SELECT 1 FROM {lines} WHERE line_no = 1 AND order_ext IS NOT NULL GROUP BY order_ext"
        f" HAVING COUNT(*) > 1 LIMIT 1"
    )
    if cursor.fetchone():
        key = "file_row" if dialect.is_postgres else "rowid"
        cursor.execute(
            f"UPDATE {lines} SET line_no = w.line_no, first_row = w.first_row, first_buyer = w.first_buyer,"
            f" first_currency = w.first_currency, first_channel = w.first_channel"
            f" FROM (SELECT {key} AS k, ROW_NUMBER() OVER w AS line_no, FIRST_VALUE(file_row) OVER w AS first_row,"
            f" FIRST_VALUE(buyer) OVER w AS first_buyer, FIRST_VALUE(currency) OVER w AS first_currency,"
            f" FIRST_VALUE(channel) OVER w AS first_channel FROM {lines}"
            f" WINDOW w AS (PARTITION BY order_ext ORDER BY file_row)) w WHERE {lines}.{key} = w.k"
        )
        if dialect.is_postgres:
            cursor.execute(f"ANALYZE {lines}")
    cursor.execute(
        f"CREATE TEMP TABLE {STAGE_PRODUCT} AS SELECT sku, kind, MIN(first_row) AS first_row FROM {STAGE_SKU.name}"
        f" GROUP BY sku, kind"
    )


def write_changed(
    cursor: CursorWrapper, dialect: Dialect, *, target: str, key: tuple[str, ...], source: str, match: str,
    values: dict[str, str], stored: bool = True,
) -> int:
    """Write the staged rows that are new or differ from their stored row ``t`` (found
    by ``match``): an UPDATE of those that differ, then an INSERT of the new ones, and
    nothing for the rest, so a re-import rewrites nothing. Two plain statements rather
    than an INSERT ... ON CONFLICT, whose check of each row against the unique index
    is most of a large first import on PostgreSQL; that import builds the index
    afterwards instead (indexes_built_at_the_end). Returns the rows written. Without
    ``stored`` rows to compare with (a first import), every staged row is inserted."""
    changeable = [c for c in values if c not in key]
    updated = 0
    if stored:
        cursor.execute(
            f"UPDATE {target} SET " + ", ".join(f"{c} = x.{c}" for c in changeable)
            + " FROM (SELECT t.id AS id, " + ", ".join(f"{values[c]} AS {c}" for c in changeable)
            + f" FROM {source} JOIN {target} t ON {match} WHERE "
            + " OR ".join(dialect.differs(f"t.{c}", values[c]) for c in changeable)
            + f") x WHERE {target}.id = x.id"
        )
        updated = cursor.rowcount
    new = f" LEFT JOIN {target} t ON {match} WHERE t.id IS NULL" if stored else ""
    cursor.execute(f"INSERT INTO {target} ({', '.join(values)}) SELECT {', '.join(values.values())} FROM {source}{new}")
    return updated + cursor.rowcount


def merge_orders(cursor: CursorWrapper, dialect: Dialect, *, rows: int) -> Counts:
    """The lines of a file define each of its orders completely, so the order summary
    (kenal.commerce.summary) is computed over the staged lines, which are exactly the
    order's lines once the merge is done. The checks guarantee that all lines of an
    order have its buyer and currency, and all lines of a product its kind."""
    order, line, product, party = table(Order), table(OrderLine), table(Product), table(Party)
    staged, s_order = STAGE_LINE.name, STAGE_ORDER
    counts = Counts()
    cursor.execute(
        f"INSERT INTO {product} (sku, name, kind) SELECT sku, '', COALESCE(MAX(kind), %s) FROM {STAGE_PRODUCT}"
        f" GROUP BY sku ON CONFLICT (sku) DO NOTHING",
        [ProductKind.GOODS.value],
    )
    counts.details["products_created"] = cursor.rowcount
    # On PostgreSQL a new order takes its id from the table's sequence here, so that
    # its lines can refer to it without reading the orders back after the insert; on
    # SQLite that read is cheap, and the insert leaves the id to the database.
    new_id = f"nextval(pg_get_serial_sequence('{order}', 'id'))" if dialect.is_postgres else "NULL"
    cursor.execute(
        f"CREATE TEMP TABLE {s_order} AS SELECT a.order_ext AS external_id, p.id AS buyer_id, a.n,"
        f" COALESCE(a.channel, '') AS channel, a.currency, {', '.join('a.' + c for c in SUMMARY)},"
        f" o.id AS stored_id, COALESCE(o.id, {new_id}) AS order_id"
        # Every line of an order carries the same first_* values: MIN picks that one.
        f" FROM (SELECT order_ext, MIN(first_buyer) AS buyer, MIN(first_currency) AS currency,"
        f" MIN(first_channel) AS channel, COUNT(*) AS n, {summary_aggregates()} FROM {staged} GROUP BY order_ext) a"
        f" JOIN {party} p ON p.external_id = a.buyer LEFT JOIN {order} o ON o.external_id = a.order_ext"
    )
    cursor.execute(f"CREATE UNIQUE INDEX {s_order}_key ON {s_order} (external_id)")
    if dialect.is_postgres:
        cursor.execute(f"ANALYZE {s_order}")
    cursor.execute(f"SELECT COUNT(*), COUNT(stored_id) FROM {s_order}")
    orders_total, orders_existing = cursor.fetchone()
    cursor.execute(
        f"SELECT COUNT(*) FROM {s_order} so JOIN {line} l ON l.order_id = so.stored_id AND l.line_no <= so.n"
    )
    lines_existing = cursor.fetchone()[0]

    with indexes_built_at_the_end(cursor, dialect, tables=[line, order], rows=rows, unique=True):
        orders_changed = write_changed(
            cursor, dialect, target=order, key=("id", "external_id"), source=f"{s_order} so",
            match="t.id = so.stored_id",
            values={"id": "so.order_id", "external_id": "so.external_id", "buyer_id": "so.buyer_id",
                    "channel": "so.channel", "currency": "so.currency",
                    **{column: f"so.{column}" for column in SUMMARY}},
            stored=orders_existing > 0,
        )
        if not dialect.is_postgres:
            cursor.execute(
                f"UPDATE {s_order} SET order_id = o.id FROM {order} o"
                f" WHERE {s_order}.order_id IS NULL AND o.external_id = {s_order}.external_id"
            )
        lines_changed = write_changed(
            cursor, dialect, target=line, key=("order_id", "line_no"),
            source=f"{staged} s JOIN {s_order} so ON so.external_id = s.order_ext"
            f" JOIN {product} pr ON pr.sku = s.sku LEFT JOIN {party} c ON c.external_id = s.consumer",
            match="t.order_id = so.order_id AND t.line_no = s.line_no",
            values={
                "order_id": "so.order_id", "line_no": "s.line_no", "product_id": "pr.id",
                "occurred_at": "s.occurred_at", "quantity": "s.quantity", "unit_price": "s.unit_price",
                "discount": "s.discount", "promo_code": "COALESCE(s.promo_code, '')", "consumer_id": "c.id",
                "channel": "COALESCE(s.channel, '')", "currency": "s.currency", "status": "s.status",
            },
            stored=lines_existing > 0,
        )
    cursor.execute(
        f"DELETE FROM {line} WHERE id IN (SELECT l.id FROM {s_order} so"
        f" JOIN {line} l ON l.order_id = so.order_id AND l.line_no > so.n)"
    )
    counts.deleted = cursor.rowcount
    counts.created = rows - lines_existing
    counts.updated = lines_changed - counts.created
    counts.unchanged = lines_existing - counts.updated
    orders_created = orders_total - orders_existing
    counts.details["orders_created"] = orders_created
    counts.details["orders_updated"] = orders_changed - orders_created
    counts.details["orders_unchanged"] = orders_existing - (orders_changed - orders_created)
    return counts


# ---------------------------------------------------------------------------------
# agreements.csv

STAGE_AGREEMENT = StageTable(
    "kenal_stage_agreement",
    (
        ("file_row", "int"), ("external_id", "text"), ("party", "text"), ("title", "text"),
        ("service_kind", "text"), ("tier", "text"), ("signed_by_provider_at", "ts"), ("signed_by_client_at", "ts"),
        ("starts_on", "date"), ("ends_on", "date"), ("terminated_on", "date"), ("auto_renew", "bool"),
        ("value", "money"), ("currency", "text"), ("billing_period", "text"), ("csm_id", "int"),
    ),
    (("party_id", "int"),),
)
AGREEMENT_COLUMNS = (
    "party_id", "title", "service_kind", "tier", "signed_by_provider_at", "signed_by_client_at", "starts_on",
    "ends_on", "terminated_on", "auto_renew", "value", "currency", "billing_period", "csm_id",
)


def merge_agreements(cursor: CursorWrapper, dialect: Dialect, *, rows: int) -> Counts:
    agreement, stage = table(Agreement), STAGE_AGREEMENT.name
    now = dialect.now()
    cursor.execute(f"UPDATE {stage} SET party_id = p.id FROM {table(Party)} p WHERE p.external_id = {stage}.party")
    cursor.execute(f"SELECT COUNT(*) FROM {stage} s JOIN {agreement} a ON a.external_id = s.external_id")
    existing = cursor.fetchone()[0]
    selected = ", ".join(
        f"COALESCE({c}, '')" if c in {"tier", "billing_period"} else c for c in AGREEMENT_COLUMNS
    )
    cursor.execute(
        f"INSERT INTO {agreement} (external_id, {', '.join(AGREEMENT_COLUMNS)}, created_at, updated_at)"
        f" SELECT external_id, {selected}, %s, %s FROM {stage} WHERE true"
        f" ON CONFLICT (external_id) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in (*AGREEMENT_COLUMNS, "updated_at"))
        + f" WHERE {dialect.any_differs(agreement, 'excluded', AGREEMENT_COLUMNS)}",
        [now, now],
    )
    created = rows - existing
    updated = cursor.rowcount - created
    return Counts(created=created, updated=updated, unchanged=existing - updated)


# ---------------------------------------------------------------------------------
# interactions.csv

STAGE_INTERACTION = StageTable(
    "kenal_stage_interaction",
    (
        ("file_row", "int"), ("source_key", "text"), ("party", "text"), ("occurred_at", "ts"), ("channel", "text"),
        ("direction", "text"), ("kind", "text"), ("body", "text"),
    ),
)


def merge_interactions(cursor: CursorWrapper, dialect: Dialect, *, rows: int) -> Counts:
    """Interactions are facts that happened: a row already imported is skipped, never
    changed (its key is a digest of its content, so a changed row is a new fact)."""
    interaction, stage = table(Interaction), STAGE_INTERACTION.name
    with indexes_built_at_the_end(cursor, dialect, tables=[interaction], rows=rows):
        # In the order of the unique key, a digest, so that its index is written page
        # after page instead of at random places.
        cursor.execute(
            f"INSERT INTO {interaction} (source_key, party_id, occurred_at, channel, direction, kind, body, created_at)"
            f" SELECT s.source_key, p.id, s.occurred_at, s.channel, s.direction, s.kind, COALESCE(s.body, ''), %s"
            f" FROM {stage} s JOIN {table(Party)} p ON p.external_id = s.party WHERE true ORDER BY s.source_key"
            f" ON CONFLICT (source_key) DO NOTHING",
            [dialect.now()],
        )
        created = cursor.rowcount
    return Counts(created=created, unchanged=rows - created)
