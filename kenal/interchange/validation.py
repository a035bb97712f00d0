"""Reading and checking interchange CSV files (INTERCHANGE.md) before anything is written.

Each file is read once, streaming, and every row is checked on its own here: its
values parsed, its line's numbers held to the commerce rule, its phone numbers and
currency to the shared ones. Every row then goes to a staging sink, with its row
number, in a compact form (times in UTC, numbers as plain decimals, empty values as
None). What needs several rows at once (duplicate ids, references to parties, one
buyer and one currency per order, one kind per product) is checked over the staged
rows in SQL (``checks.py``), so memory stays the same whatever the size of the file:
nothing here keeps a value per row, per order or per party.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from hashlib import sha256
from operator import itemgetter
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kenal.agreements.models import BillingPeriod, ServiceKind
from kenal.commerce.models import LineStatus, ProductKind
from kenal.commerce.services import line_problems
from kenal.core.money import currency_decimals, currency_normalize
from kenal.interactions.models import Channel, Direction, InteractionKind
from kenal.parties.contacts import normalize_contact
from kenal.parties.models import ContactKind, Language, PartyKind, Scope

REPORT_LIMIT = 100
CONTACT_COLUMNS = tuple(ContactKind.values)
OPTIONAL_PARTY_COLUMNS = ("scope", "language", "first_contact_at", "objects_to_profiling", "referred_by", "member_of")
# Caches of values already checked are capped, so memory stays flat on any file.
CACHE_LIMIT = 100_000

Sink = Callable[[tuple[Any, ...]], None]


def visible(text: str) -> str:
    """``text`` safe to print on a terminal: control characters (and anything else a
    terminal would act on) written as escapes, so a binary file cannot garble it."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, column %(column)s, value “%(value)s”: %(message)s") % {
            "row": self.row, "column": self.column or "-", "value": self.value, "message": self.message,
        }


@dataclass
class Report:
    """The problems found in one file. Only the first REPORT_LIMIT are kept: past that,
    a reader needs to fix the cause, not read a million lines about it."""

    problems: list[Problem] = field(default_factory=list)
    total: int = 0

    @property
    def room(self) -> int:
        return REPORT_LIMIT - len(self.problems)

    def add(self, row: int, column: str, value: str, message: str) -> None:
        self.total += 1
        if len(self.problems) < REPORT_LIMIT:
            # Messages may quote other cells (an order's buyer on another row).
            self.problems.append(Problem(row, column, visible((value or "")[:80]), visible(message)))

    def count(self, extra: int) -> None:
        """Problems found past the limit: counted, not kept."""
        self.total += extra

    def __bool__(self) -> bool:
        return self.total > 0

    def lines(self) -> list[str]:
        # Checks of single rows run while reading, checks across rows afterwards; a
        # reader wants them in the order of the file.
        out = [str(p) for p in sorted(self.problems, key=lambda p: p.row)]
        rest = self.total - len(self.problems)
        if rest:
            out.append(ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", rest) % {"count": rest})
        return out


class ImportInvalid(Exception):
    """The file has problems; nothing of it was written."""

    def __init__(self, report: Report) -> None:
        report.problems.sort(key=lambda problem: problem.row)
        super().__init__("\n".join(report.lines()))
        self.report = report


# ---------------------------------------------------------------------------------
# Numbers


class BadValue(ValueError):
    """A cell that cannot be read; its message says what is wrong in plain words."""


class Numbers:
    """How a file writes numbers. A comma-separated file writes them with a dot before
    the decimals and no thousands separators (``150000.00``); a semicolon-separated
    file, as Excel saves it under Indonesian settings, the Indonesian way (``150000,00``,
    ``1.250.000``). ``plain`` gives the number with a dot before its decimals, or None."""

    COMMA = re.compile(r"\d+(?:\.\d+)?")
    SEMICOLON = re.compile(r"(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
    GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")

    def __init__(self, *, semicolon: bool) -> None:
        self.semicolon = semicolon

    def plain(self, text: str) -> str | None:
        if self.semicolon:
            if self.SEMICOLON.fullmatch(text):
                return text.replace(".", "").replace(",", ".")
            return None
        return text if self.COMMA.fullmatch(text) else None

    def not_a_number(self, text: str) -> str:
        if text.startswith("-") and self.plain(text[1:]) is not None:
            return _("must not be negative")
        if self.semicolon:
            return _("is not a number; in a semicolon-separated file write it like 150000,00 or 1.250.000")
        return _("is not a number; write it like 150000.00 (a dot before the decimals, no thousands separators)")

    def amount(self, text: str, currency: str) -> str:
        """A money value in ``currency``, as a plain decimal; BadValue says why not.
        Zeros past the currency's decimals are harmless (``150000.00`` rupiah), but a
        third decimal in a comma-separated file is refused: ``25.000`` is far more
        likely a thousands separator than Rp 25."""
        plain = self.plain(text)
        if plain is None:
            raise BadValue(self.not_a_number(text))
        whole, _dot, fraction = plain.partition(".")
        if len(whole.lstrip("0")) > 14:
            raise BadValue(_("is too large"))
        places = min(currency_decimals(currency), 2)
        if len(fraction.rstrip("0")) > places or len(fraction) > max(places, 2):
            raise BadValue(self._too_many_decimals(text, currency, places))
        return plain

    def _too_many_decimals(self, text: str, currency: str, places: int) -> str:
        if currency == "IDR":
            message = _("rupiah has no decimals")
        else:
            message = ngettext(
                "an amount in %(currency)s has at most %(places)s decimal",
                "an amount in %(currency)s has at most %(places)s decimals", places,
            ) % {"currency": currency, "places": places}
        if not self.semicolon and self.GROUPED.fullmatch(text):
            message += "; " + _("in a comma-separated file write %(plain)s, not %(value)s") % {
                "plain": text.replace(".", ""), "value": text}
        return message

    def quantity(self, text: str) -> str:
        plain = self.plain(text)
        if plain is None:
            raise BadValue(self.not_a_number(text))
        whole, _dot, fraction = plain.partition(".")
        if len(whole.lstrip("0")) > 9:
            raise BadValue(_("is too large"))
        if len(fraction.rstrip("0")) > 3:
            raise BadValue(ngettext("has more than %(places)s decimal", "has more than %(places)s decimals", 3) % {
                "places": 3})
        if not Decimal(plain):
            raise BadValue(_("must be more than zero"))
        return plain


# ---------------------------------------------------------------------------------
# Reading

def not_utf8() -> str:
    return _("the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8)")


# What a file that is not CSV text usually is, by its first bytes.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "workbook"),
    (b"\xff\xfe", "utf16"),
    (b"\xfe\xff", "utf16"),
    (b"\x89PNG", "picture"),
    (b"\xff\xd8\xff", "picture"),
    (b"GIF8", "picture"),
    (b"%PDF", "pdf"),
    (b"\x1f\x8b", "archive"),
)


def _looks_like(head: bytes) -> str | None:
    """What a file that is not UTF-8 CSV text looks like, said so a person knows what
    to do about it; None when it may be text."""
    kind = next((kind for signature, kind in SIGNATURES if head.startswith(signature)), None)
    if kind is None and b"\x00" in head:
        # UTF-16 without a byte order mark: every other byte of Latin text is zero.
        kind = "utf16" if head[1:200:2].count(0) > len(head[1:200:2]) // 2 else "binary"
    return {
        None: None,
        "workbook": _("this looks like an Excel workbook, not a CSV file; in Excel choose Save As, CSV UTF-8"),
        "utf16": _("this looks like UTF-16 text (Excel's “Unicode Text”); save it as CSV UTF-8"),
        "picture": _("this looks like a picture, not a CSV file"),
        "pdf": _("this looks like a PDF document, not a CSV file"),
        "archive": _("this looks like a compressed archive; unpack it and import the CSV file inside"),
        "binary": _("the file holds binary data, not CSV text"),
    }[kind]


class CsvSource:
    """A CSV file's header and rows. Rows come padded to the header's width plus one
    always-empty cell, whose index stands in for optional columns the file lacks, so
    the checks below read every column the same way without a branch per cell.

    The delimiter is read from the header line: a semicolon when it has more
    semicolons than commas (Excel under Indonesian settings), else a comma."""

    def __init__(self, stream: IO[bytes], report: Report, on_bytes: Callable[[int], None] | None = None) -> None:
        self.report = report
        self._stream = stream
        self._on_bytes = on_bytes
        self.readable = self._check_encoding(stream)
        self.delimiter = ","
        if self.readable:
            first = stream.readline(1 << 20).decode("utf-8", "replace")
            stream.seek(0)
            if first.count(";") > first.count(","):
                self.delimiter = ";"
        self.numbers = Numbers(semicolon=self.delimiter == ";")
        self._reader = csv.reader(io.TextIOWrapper(stream, encoding="utf-8", newline=""), delimiter=self.delimiter)
        header: list[str] = []
        if self.readable:
            header = next(self._reader, [])
        self.header = [name.strip().lower() for name in header]
        if self.header:
            self.header[0] = self.header[0].removeprefix("\ufeff")
        self.columns = {name: i for i, name in enumerate(self.header) if name}
        self.width = len(self.header)

    def _check_encoding(self, stream: IO[bytes]) -> bool:
        """Decoding the whole file first, in large chunks, finds the line of a bad byte;
        decoding while parsing would only fail somewhere in the text read ahead."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        line = 1
        first = True
        while chunk := stream.read(1 << 22):
            if first and (kind := _looks_like(chunk[:4096])):
                self.report.add(1, "", chunk[:24].decode("latin-1"), kind)
                return False
            first = False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk.count(b"\n", 0, exc.start)
                start = max(chunk.rfind(b"\n", 0, exc.start) + 1, exc.start - 40)
                sample = chunk[start:exc.start + 8].decode("utf-8", "backslashreplace").strip()
                self.report.add(line, "", sample, not_utf8())
                return False
            if b"\x00" in chunk:
                at = chunk.index(b"\x00")
                self.report.add(line + chunk.count(b"\n", 0, at), "", "", _("the file holds binary data, not CSV text"))
                return False
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            self.report.add(line, "", "", not_utf8())
            return False
        stream.seek(0)
        return True

    def require(self, required: tuple[str, ...]) -> bool:
        if not self.readable:
            return False
        if not self.header:
            self.report.add(1, "", "", _("the file is empty; it needs a header row"))
            return False
        missing = [name for name in required if name not in self.columns]
        for name in missing:
            self.report.add(1, name, "", _("the required column “%(column)s” is missing") % {"column": name})
        return not missing

    def index(self, name: str) -> int:
        """The cell index of a column, or the always-empty cell when the file lacks it."""
        return self.columns.get(name, self.width)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        width = self.width
        reader = self._reader
        on_bytes, position = self._on_bytes, 0
        try:
            for row in reader:
                if len(row) != width:
                    if not row:
                        continue
                    if len(row) > width:
                        if any(cell.strip() for cell in row[width:]):
                            self.report.add(
                                reader.line_num, "", self.delimiter.join(row[width:]),
                                _("the row has more values than the header has columns"),
                            )
                        del row[width:]
                    else:
                        row.extend([""] * (width - len(row)))
                row.append("")
                if on_bytes is not None and not reader.line_num % 16384:
                    now = self._stream.tell()
                    on_bytes(now - position)
                    position = now
                yield reader.line_num, row
        except csv.Error as exc:
            self.report.add(reader.line_num, "", "", _("the file is not valid CSV: %(error)s") % {"error": exc})


# ---------------------------------------------------------------------------------
# Values


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def stored_moment(moment: datetime) -> str:
    """The staging form of a moment: naive UTC text, which is exactly how Django stores
    a datetime in SQLite and what PostgreSQL reads into timestamptz in a UTC session."""
    return moment.astimezone(UTC).isoformat(" ")[:-6]  # without the "+00:00"


def parse_moment(text: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 date-time, aware. Without an offset it is local time; a bare date is
    local midnight."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(_("is not a date and time; write it like 2026-03-01T14:05:00+07:00 or 2026-03-01")) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def parse_day(text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise BadValue(_("is not a date; write it like 2026-03-01")) from None


_TRUE = {"true", "yes", "1", "y", "ya"}
_FALSE = {"false", "no", "0", "n", "tidak", ""}


def parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise BadValue(_("is not true or false"))


def choice(text: str, allowed: frozenset[str] | set[str]) -> str:
    lowered = text.lower()
    if lowered in allowed:
        return lowered
    raise BadValue(_("must be one of: %(choices)s") % {"choices": ", ".join(sorted(allowed))})


def currency(text: str) -> str:
    """The ISO 4217 code of a currency cell (the shared rule), the default when empty."""
    if not text:
        return settings.KENAL_DEFAULT_CURRENCY
    try:
        return currency_normalize(text)
    except ValidationError as exc:
        raise BadValue(" ".join(exc.messages)) from None


# ---------------------------------------------------------------------------------
# The four kinds of file


@dataclass
class Plan:
    """What a clean file will do, beyond its staged rows."""

    rows: int = 0
    columns: list[str] = field(default_factory=list)
    contact_kinds: list[str] = field(default_factory=list)


class Checker:
    """Column-by-column checks for one row, collecting problems against its number."""

    def __init__(self, report: Report, row: int, cells: list[str]) -> None:
        self.report = report
        self.row = row
        self.cells = cells
        self.ok = True

    def fail(self, column: str, value: str, message: str) -> None:
        self.ok = False
        self.report.add(self.row, column, value, message)

    def text(self, index: int, column: str, *, required: bool = False, max_length: int = 200) -> str:
        value = self.cells[index].strip()
        if required and not value:
            self.fail(column, value, _("a value is required"))
        elif len(value) > max_length:
            self.fail(column, value, _("is longer than %(max)s characters") % {"max": max_length})
        return value

    def run(self, index: int, column: str, parse: Callable[[str], Any], *, required: bool = False) -> Any:
        value = self.cells[index].strip()
        if not value and required:
            self.fail(column, value, _("a value is required"))
            return None
        try:
            return parse(value)
        except BadValue as exc:
            self.fail(column, value, str(exc))
            return None


_UNSEEN = object()


class Cached:
    """A check of one cell's text, remembering its answers: prices, quantities, times
    and currencies repeat across a file, so most cells are one dictionary lookup. The
    answer is the parsed value, or a BadValue to raise again."""

    def __init__(self, parse: Callable[..., Any]) -> None:
        self.parse = parse
        self.known: dict[Any, Any] = {}

    def __call__(self, *key: Any) -> Any:
        found = self.known.get(key, _UNSEEN)
        if found is _UNSEEN:
            try:
                found = self.parse(*key)
            except BadValue as exc:
                found = exc
            if len(self.known) >= CACHE_LIMIT:
                self.known.clear()
            self.known[key] = found
        if isinstance(found, BadValue):
            raise found
        return found


def check_parties(source: CsvSource, sink: Sink, contact_sink: Sink) -> Plan:
    """Rows become (row, external_id, kind, name, scope, language, first_contact_at,
    objects_to_profiling, referred_by, member_of); contacts become (external_id, kind,
    value) for the contact columns the file has. Duplicate ids and references are
    checked over the staged rows (checks.check_parties)."""
    report = source.report
    plan = Plan()
    if not source.require(("external_id", "kind", "name")):
        return plan
    zone = local_zone()
    ix = {name: source.index(name) for name in (
        "external_id", "kind", "name", "scope", "language", "first_contact_at", "objects_to_profiling",
        "referred_by", "member_of",
    )}
    plan.columns = [name for name in OPTIONAL_PARTY_COLUMNS if name in source.columns]
    plan.contact_kinds = [kind for kind in CONTACT_COLUMNS if kind in source.columns]
    contact_ix = [(kind, source.columns[kind]) for kind in plan.contact_kinds]
    kinds, scopes, languages = set(PartyKind.values), set(Scope.values), set(Language.values)

    def contact(kind: str, raw: str) -> str:
        try:
            return normalize_contact(kind, raw)
        except ValidationError as exc:
            raise BadValue(" ".join(exc.messages)) from None

    # Parsing a phone number is the slowest check of all, and the same number is
    # often both the phone and the WhatsApp of a party.
    normalized = Cached(contact)
    for row, cells in source.rows():
        plan.rows += 1
        check = Checker(report, row, cells)
        external_id = check.text(ix["external_id"], "external_id", required=True, max_length=100)
        kind = check.run(ix["kind"], "kind", lambda v: choice(v, kinds), required=True)
        name = check.text(ix["name"], "name", required=True)
        scope = check.run(ix["scope"], "scope", lambda v: choice(v, scopes) if v else "")
        language = check.run(ix["language"], "language", lambda v: choice(v, languages) if v else "")
        first = check.run(ix["first_contact_at"], "first_contact_at", lambda v: parse_moment(v, zone) if v else None)
        objects = check.run(ix["objects_to_profiling"], "objects_to_profiling", parse_bool)
        refs = {}
        for column in ("referred_by", "member_of"):
            value = check.text(ix[column], column, max_length=100)
            if value and value == external_id:
                check.fail(column, value, _("a party cannot refer to itself here"))
            refs[column] = value or None
        contacts = []
        for contact_kind, index in contact_ix:
            raw = cells[index].strip()
            if raw:
                try:
                    contacts.append((contact_kind, normalized(contact_kind, raw)))
                except BadValue as exc:
                    check.fail(contact_kind, raw, str(exc))
        if not external_id:
            continue
        # A row with a bad kind is still staged, with the kind as written, so that a
        # reference to it is not also reported as a reference to nobody.
        sink((
            row, external_id, kind or cells[ix["kind"]].strip().lower(), name, scope, language,
            stored_moment(first) if first else None, objects, refs["referred_by"], refs["member_of"],
        ))
        if not report:
            for contact_kind, value in dict.fromkeys(contacts):
                contact_sink((external_id, contact_kind, value))
    return plan


def check_orders(source: CsvSource, sink: Sink, product_sink: Sink) -> Plan:
    """Lines become (row, order_id, party, occurred_at, sku, product_kind, quantity,
    unit_price, discount, promo_code, consumer, channel, currency, status, line_no,
    first_row, first_buyer, first_currency, first_channel), with None
    for a value that could not be read; products with the kinds their lines give
    them become (row, sku, product_kind), once per pair as long as a capped cache
    remembers it. Parties, and what lines of one order or one
    product must agree on, are checked over the staged lines (checks.check_orders).

    Ten million lines must be checked in about a minute, so each cell goes through a
    cached check (Cached) and each line's numbers through line_problems once per
    distinct combination."""
    report = source.report
    plan = Plan()
    if not source.require(("order_id", "party", "occurred_at", "sku", "unit_price")):
        return plan
    zone = local_zone()
    numbers = source.numbers
    (i_order, i_party, i_time, i_sku, i_pkind, i_qty, i_price, i_discount, i_promo, i_consumer,
     i_channel, i_currency, i_status) = (source.index(name) for name in (
        "order_id", "party", "occurred_at", "sku", "product_kind", "quantity", "unit_price", "discount",
        "promo_code", "consumer", "channel", "currency", "status"))
    product_kinds, statuses = set(ProductKind.values), set(LineStatus.values)
    moment = Cached(lambda text: stored_moment(parse_moment(text, zone)))
    line_currency = Cached(currency)
    amount = Cached(numbers.amount)
    quantity_of = Cached(numbers.quantity)
    kind_of = Cached(lambda text: choice(text, product_kinds) if text else None)
    status_of = Cached(lambda text: choice(text, statuses) if text else LineStatus.PAID.value)

    def line_rule(quantity: str, unit_price: str, discount: str) -> str | None:
        problems = line_problems(quantity=Decimal(quantity), unit_price=Decimal(unit_price), discount=Decimal(discount))
        if problems:
            raise BadValue("; ".join(problems))
        return None

    line_ok = Cached(line_rule)
    default_currency = settings.KENAL_DEFAULT_CURRENCY

    def slow(row: int, cells: list[str]) -> tuple[Any, ...]:
        """The same checks, cell by cell, for a line the fast path refused: every
        problem of the line reported against its column."""
        check = Checker(report, row, cells)
        order_id = check.text(i_order, "order_id", required=True, max_length=100)
        buyer = check.text(i_party, "party", required=True, max_length=100)
        occurred_at = check.run(i_time, "occurred_at", moment, required=True)
        sku = check.text(i_sku, "sku", required=True, max_length=100)
        kind = check.run(i_pkind, "product_kind", kind_of)
        code = check.run(i_currency, "currency", line_currency)
        quantity = check.run(i_qty, "quantity", lambda v: quantity_of(v) if v else "1")
        unit_price = check.run(i_price, "unit_price", lambda v: amount(v, code or default_currency), required=True)
        discount = check.run(i_discount, "discount", lambda v: amount(v, code or default_currency) if v else "0")
        if quantity is not None and unit_price is not None and discount is not None:
            try:
                line_ok(quantity, unit_price, discount)
            except BadValue as exc:
                check.fail("discount", cells[i_discount].strip(), str(exc))
        promo = check.text(i_promo, "promo_code", max_length=64)
        consumer = check.text(i_consumer, "consumer", max_length=100)
        channel = check.text(i_channel, "channel", max_length=32).lower()
        status = check.run(i_status, "status", status_of)
        return (
            row, order_id or None, buyer or None, occurred_at, sku or None, kind, quantity, unit_price, discount,
            promo or None, consumer or None, channel or None, code, status,
        )

    # The fast path: cells are looked up as written, so a value already seen good is
    # one dictionary lookup; anything else (a new value, or a bad one) goes through the
    # cached checks, which read it stripped, and a line with any problem through
    # ``slow`` to report it.
    good_currency: dict[str, str] = {}
    good_quantity: dict[str, str] = {"": "1"}
    good_amount: dict[str, dict[str, str]] = {}
    good_moment: dict[str, str] = {}
    good_kind: dict[str, str | None] = {"": None, **{v: v for v in product_kinds}}
    good_status: dict[str, str] = {"": LineStatus.PAID.value, **{v: v for v in statuses}}
    good_line: set[tuple[str, str, str]] = set()
    seen_products: dict[tuple[str, str | None], bool] = {}

    def learn(mapping: dict[Any, Any], key: Any, value: Any) -> Any:
        if len(mapping) >= CACHE_LIMIT:
            mapping.clear()
        mapping[key] = value
        return value

    pick = itemgetter(
        i_order, i_party, i_time, i_sku, i_pkind, i_qty, i_price, i_discount, i_promo, i_consumer, i_channel,
        i_currency, i_status,
    )
    rows = 0
    current: str | None = None
    number = 0
    first: tuple[Any, ...] = ()
    for row, cells in source.rows():
        rows += 1
        (order_id, buyer, time_text, sku, kind_text, quantity_text, price_text, discount_text, promo, consumer,
         channel, currency_text, status_text) = pick(cells)
        order_id, buyer, sku = order_id.strip(), buyer.strip(), sku.strip()
        promo, consumer, channel = promo.strip(), consumer.strip(), channel.strip().lower()
        try:
            if not (
                0 < len(order_id) <= 100 and 0 < len(buyer) <= 100 and 0 < len(sku) <= 100 and len(promo) <= 64
                and len(consumer) <= 100 and len(channel) <= 32
            ):
                raise BadValue
            code = good_currency.get(currency_text) or learn(
                good_currency, currency_text, line_currency(currency_text.strip()))
            amounts = good_amount.get(code) or learn(good_amount, code, {})
            quantity = good_quantity.get(quantity_text) or learn(
                good_quantity, quantity_text, quantity_of(quantity_text.strip()))
            unit_price = amounts.get(price_text) or learn(amounts, price_text, amount(price_text.strip(), code))
            discount = (
                amounts.get(discount_text) or learn(amounts, discount_text, amount(discount_text.strip(), code))
            ) if discount_text else "0"
            numbers_of_line = (quantity, unit_price, discount)
            if numbers_of_line not in good_line:
                line_ok(*numbers_of_line)
                learn_set = good_line if len(good_line) < CACHE_LIMIT else set()
                learn_set.add(numbers_of_line)
            occurred_at = good_moment.get(time_text) or learn(good_moment, time_text, moment(time_text.strip()))
            kind = good_kind[kind_text]
            status = good_status[status_text]
            line = (
                row, order_id, buyer, occurred_at, sku, kind, quantity, unit_price, discount, promo or None,
                consumer or None, channel or None, code, status,
            )
        except (BadValue, KeyError):
            line = slow(row, cells)
            order_id, buyer, channel, code = line[1], line[2], line[11], line[12]
        # Each line numbered in its order, with what the order's first line says, as
        # long as an order's lines follow each other; loader.number_lines renumbers
        # a file whose orders are scattered.
        if order_id == current:
            number += 1
        else:
            current, number, first = order_id, 1, (row, buyer, code, channel or None)
        sink((*line, number, *first))
        product = (line[4], line[5])
        if product not in seen_products and product[0] is not None:
            learn(seen_products, product, True)
            product_sink((row, *product))
    plan.rows = rows
    return plan


def check_agreements(source: CsvSource, sink: Sink, users: dict[str, int | None]) -> Plan:
    """Rows become (row, external_id, party, title, service_kind, tier,
    signed_by_provider_at, signed_by_client_at, starts_on, ends_on, terminated_on,
    auto_renew, value, currency, billing_period, csm_id). Repeated ids and parties are
    checked over the staged rows (checks.check_agreements)."""
    report = source.report
    plan = Plan()
    if not source.require(("external_id", "party", "title", "starts_on")):
        return plan
    zone = local_zone()
    numbers = source.numbers
    ix = {name: source.index(name) for name in (
        "external_id", "party", "title", "service_kind", "tier", "signed_by_provider_at", "signed_by_client_at",
        "starts_on", "ends_on", "terminated_on", "auto_renew", "value", "currency", "billing_period", "csm",
    )}
    service_kinds, periods = set(ServiceKind.values), set(BillingPeriod.values)
    for row, cells in source.rows():
        plan.rows += 1
        check = Checker(report, row, cells)
        external_id = check.text(ix["external_id"], "external_id", required=True, max_length=100)
        party = check.text(ix["party"], "party", required=True, max_length=100)
        title = check.text(ix["title"], "title", required=True)
        service_kind = check.run(
            ix["service_kind"], "service_kind",
            lambda v: choice(v, service_kinds) if v else ServiceKind.PROFESSIONAL_SERVICE.value,
        )
        tier = check.text(ix["tier"], "tier", max_length=64)
        signed = [
            check.run(ix[column], column, lambda v: parse_moment(v, zone) if v else None)
            for column in ("signed_by_provider_at", "signed_by_client_at")
        ]
        starts_on = check.run(ix["starts_on"], "starts_on", parse_day, required=True)
        ends_on = check.run(ix["ends_on"], "ends_on", lambda v: parse_day(v) if v else None)
        terminated_on = check.run(ix["terminated_on"], "terminated_on", lambda v: parse_day(v) if v else None)
        if starts_on and ends_on and ends_on < starts_on:
            check.fail("ends_on", cells[ix["ends_on"]].strip(), _("is before starts_on"))
        auto_renew = check.run(ix["auto_renew"], "auto_renew", parse_bool)
        agreement_currency = check.run(ix["currency"], "currency", currency)
        value_currency = agreement_currency or settings.KENAL_DEFAULT_CURRENCY
        value = check.run(ix["value"], "value", lambda v: numbers.amount(v, value_currency) if v else None)
        period = check.run(ix["billing_period"], "billing_period", lambda v: choice(v, periods) if v else "")
        csm_text = cells[ix["csm"]].strip()
        csm_id = None
        if csm_text:
            csm_id = users.get(csm_text) or users.get(csm_text.lower())
            if csm_id is None:
                check.fail("csm", csm_text, _("no user has this username or email")
                           if csm_text.lower() not in users else _("several users have this email; use the username"))
        if not external_id:
            continue
        sink((
            row, external_id, party or None, title, service_kind, tier or None,
            *(stored_moment(moment) if moment else None for moment in signed),
            starts_on.isoformat() if starts_on else None, ends_on.isoformat() if ends_on else None,
            terminated_on.isoformat() if terminated_on else None, auto_renew, value, agreement_currency,
            period or None, csm_id,
        ))
    return plan


def interaction_key(*, party: str, occurred_at: datetime, channel: str, direction: str, kind: str, body: str) -> str:
    """The source_key of an imported interaction: a digest of what the row says, so the
    same row imported again is recognised (CSV rows carry no id of their own)."""
    return _key(party, occurred_at.astimezone(UTC).isoformat(), channel, direction, kind, body)


def _key(party: str, utc_iso: str, channel: str, direction: str, kind: str, body: str) -> str:
    return sha256("\x1f".join((party, utc_iso, channel, direction, kind, body)).encode()).hexdigest()


def check_interactions(source: CsvSource, sink: Sink) -> Plan:
    """Rows become (row, source_key, party, occurred_at, channel, direction, kind,
    body). Parties are checked over the staged rows (checks.check_interactions)."""
    report = source.report
    plan = Plan()
    if not source.require(("party", "occurred_at", "channel", "direction")):
        return plan
    zone = local_zone()
    i_party, i_time, i_channel, i_direction, i_kind, i_body = (
        source.index(name) for name in ("party", "occurred_at", "channel", "direction", "kind", "body"))
    channels, directions, kinds = set(Channel.values), set(Direction.values), set(InteractionKind.values)
    moment = Cached(lambda text: parse_moment(text, zone).astimezone(UTC))
    channel_of = Cached(lambda text: choice(text, channels))
    direction_of = Cached(lambda text: choice(text, directions))
    kind_of = Cached(lambda text: choice(text, kinds) if text else InteractionKind.MESSAGE.value)

    def stage(row: int, party: str, when: datetime, channel: str, direction: str, kind: str, body: str) -> None:
        """``when`` is in UTC."""
        iso = when.isoformat()
        key = _key(party, iso, channel, direction, kind, body)
        # Stored as naive UTC text (stored_moment): the ISO text without its "T" and "+00:00".
        sink((row, key, party, f"{iso[:10]} {iso[11:-6]}", channel, direction, kind, body or None))

    def slow(row: int, cells: list[str]) -> None:
        """The same checks, cell by cell, for a row the fast path refused."""
        check = Checker(report, row, cells)
        party = check.text(i_party, "party", required=True, max_length=100)
        when = check.run(i_time, "occurred_at", moment, required=True)
        channel = check.run(i_channel, "channel", channel_of, required=True)
        direction = check.run(i_direction, "direction", direction_of, required=True)
        kind = check.run(i_kind, "kind", kind_of)
        if check.ok:
            stage(row, party, when, channel, direction, kind, cells[i_body].strip())
        elif party:
            sink((row, None, party, None, None, None, None, None))

    # The fast path: cells as written, choices in lower case, are one lookup each; every
    # moment is new, so it is parsed straight away. Anything else (spaces around a
    # value included) goes through ``slow``.
    good_channel = {v: v for v in channels}
    good_direction = {v: v for v in directions}
    good_kind = {"": InteractionKind.MESSAGE.value, **{v: v for v in kinds}}
    pick = itemgetter(i_party, i_time, i_channel, i_direction, i_kind, i_body)
    rows = 0
    for row, cells in source.rows():
        rows += 1
        party, time_text, channel, direction, kind, body = pick(cells)
        party = party.strip()
        try:
            when = datetime.fromisoformat(time_text)
            channel, direction, kind = good_channel[channel], good_direction[direction], good_kind[kind]
            if not 0 < len(party) <= 100:
                raise ValueError
        except (ValueError, KeyError):
            slow(row, cells)
            continue
        when = (when if when.tzinfo else when.replace(tzinfo=zone)).astimezone(UTC)
        stage(row, party, when, channel, direction, kind, body.strip())
    plan.rows = rows
    return plan
