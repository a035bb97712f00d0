"""The party search text: one row per party holding everything a person may type to
find it, indexed for fragments (pg_trgm on PostgreSQL, an FTS5 trigram table on SQLite).

The row is ``|name|external id|contact|contact|...|``: the name folded (lower case,
accents off), the external id and emails lower-cased, and each phone in every spelling
a person writes it (``6281222269572`` and ``081222269572`` for ``+6281222269572``).
The bars mark where a value starts and ends, so "exact" and "prefix" can be told from
"somewhere inside" when ranking. Database triggers keep it current, so imports, the
demo loader and the services (any writer of parties or contact points) need not know.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from kenal.parties.contacts import looks_like_phone

# The accents folded away on both sides (stored text and query), written once here:
# PostgreSQL's triggers use it as a translate(), SQLite's call fold() itself. Capitals
# are listed too because Python applies the table before lowering.
FOLD = {
    **dict.fromkeys("áàâäãåāăą", "a"), **dict.fromkeys("ÁÀÂÄÃÅĀĂĄ", "a"),
    **dict.fromkeys("éèêëēėęě", "e"), **dict.fromkeys("ÉÈÊËĒĖĘĚ", "e"),
    **dict.fromkeys("íìîïī", "i"), **dict.fromkeys("ÍÌÎÏĪ", "i"),
    **dict.fromkeys("óòôöõøō", "o"), **dict.fromkeys("ÓÒÔÖÕØŌ", "o"),
    **dict.fromkeys("úùûüū", "u"), **dict.fromkeys("ÚÙÛÜŪ", "u"),
    "ý": "y", "ÿ": "y", "Ý": "y", "ñ": "n", "Ñ": "n", "ç": "c", "Ç": "c",
    "š": "s", "Š": "s", "ž": "z", "Ž": "z", "ł": "l", "Ł": "l",
}
_FOLD_TABLE = str.maketrans(FOLD)

# Below this many characters a fragment has no trigram to look up: it is read as the
# start of a name or an external id instead.
MIN_FRAGMENT = 3

TABLE = "parties_partysearch"


def fold(text: str) -> str:
    """A query as the search text stores values: lower case, accents off."""
    return text.translate(_FOLD_TABLE).lower()


def _fold_sql(column: str, vendor: str) -> str:
    if vendor == "postgresql":
        source = "".join(FOLD)
        target = "".join(FOLD.values())
        return f"translate(lower({column}), '{source}', '{target}')"
    # SQLite's lower() folds ASCII only, and nesting a replace() per accent overflows
    # its parser: the Python fold is registered on each connection instead.
    return f"kenal_fold({column})"


def add_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("kenal_fold", 1, _fold_or_null, deterministic=True)


def _fold_or_null(text: str | None) -> str | None:
    return None if text is None else fold(text)


def _spellings_sql(column: str) -> str:
    # Emails and handles are stored lower-cased; phones in E.164. An Indonesian number
    # is also written 62812... and 0812...; any other country's without its plus.
    return (
        f"CASE WHEN {column} LIKE '+62%' THEN substr({column}, 2) || '|0' || substr({column}, 4)"
        f" WHEN {column} LIKE '+%' THEN substr({column}, 2) ELSE {column} END"
    )


def body_sql(vendor: str) -> str:
    """SELECT party id, search text FROM parties ``p``, for a WHERE to be appended."""
    aggregate = "string_agg" if vendor == "postgresql" else "group_concat"
    order = " ORDER BY c.id" if vendor == "postgresql" else ""
    contacts = (
        f"(SELECT {aggregate}({_spellings_sql('c.value')}, '|'{order}) || '|' "
        "FROM parties_contactpoint c WHERE c.party_id = p.id)"
    )
    return (
        f"SELECT p.id, '|' || {_fold_sql('p.name', vendor)} || '|' || lower(coalesce(p.external_id, '')) || '|' "
        f"|| coalesce({contacts}, '') FROM parties_party p"
    )


def install_sql(vendor: str) -> list[str]:
    """The table, its index and the triggers that keep it current."""
    if vendor == "postgresql":
        return _install_postgresql()
    return _install_sqlite()


def _install_postgresql() -> list[str]:
    body = body_sql("postgresql")
    refresh = f"""
CREATE OR REPLACE FUNCTION kenal_party_search_refresh(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM {TABLE} s WHERE s.rowid = ANY(ids)
    AND NOT EXISTS (SELECT 1 FROM parties_party p WHERE p.id = s.rowid);
  INSERT INTO {TABLE} (rowid, body) {body} WHERE p.id = ANY(ids)
    ON CONFLICT (rowid) DO UPDATE SET body = EXCLUDED.body;
$$"""
    statements = [
        f"CREATE TABLE {TABLE} (rowid bigint PRIMARY KEY, body text NOT NULL)",
        f"CREATE INDEX party_search_body_trgm ON {TABLE} USING gin (body gin_trgm_ops)",
        refresh,
        # Set-based: one refresh per statement over the rows it changed, so a bulk
        # import of a million contact points is one pass, not a million.
        """CREATE OR REPLACE FUNCTION kenal_party_search_by_party() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM kenal_party_search_refresh(ARRAY(SELECT id FROM changed)); RETURN NULL; END $$""",
        """CREATE OR REPLACE FUNCTION kenal_party_search_by_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM kenal_party_search_refresh(ARRAY(SELECT DISTINCT party_id FROM changed)); RETURN NULL; END $$""",
        f"""CREATE OR REPLACE FUNCTION kenal_party_search_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN TRUNCATE {TABLE}; RETURN NULL; END $$""",
    ]
    for event, tables in (("INSERT", "NEW TABLE AS changed"), ("UPDATE", "NEW TABLE AS changed"),
                          ("DELETE", "OLD TABLE AS changed")):
        name = event.lower()
        statements.append(
            f"CREATE TRIGGER party_search_party_{name} AFTER {event} ON parties_party REFERENCING {tables} "
            "FOR EACH STATEMENT EXECUTE FUNCTION kenal_party_search_by_party()"
        )
        statements.append(
            f"CREATE TRIGGER party_search_contact_{name} AFTER {event} ON parties_contactpoint REFERENCING {tables} "
            "FOR EACH STATEMENT EXECUTE FUNCTION kenal_party_search_by_contact()"
        )
    # A contact point moved to another party changes the old one's text too.
    statements.append(
        "CREATE TRIGGER party_search_contact_moved AFTER UPDATE ON parties_contactpoint "
        "REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION kenal_party_search_by_contact()"
    )
    statements.append(
        "CREATE TRIGGER party_search_party_truncate AFTER TRUNCATE ON parties_party "
        "FOR EACH STATEMENT EXECUTE FUNCTION kenal_party_search_truncate()"
    )
    statements.append("SELECT kenal_party_search_refresh(ARRAY(SELECT id FROM parties_party))")
    return statements


def _sqlite_triggers() -> list[str]:
    body = body_sql("sqlite")

    def rebuild(party: str) -> str:
        return f"DELETE FROM {TABLE} WHERE rowid = {party}; INSERT INTO {TABLE} (rowid, body) {body} WHERE p.id = {party};"

    return [
        f"CREATE TRIGGER party_search_party_insert AFTER INSERT ON parties_party BEGIN {rebuild('NEW.id')} END",
        "CREATE TRIGGER party_search_party_update AFTER UPDATE OF name, external_id ON parties_party "
        f"BEGIN DELETE FROM {TABLE} WHERE rowid = OLD.id; {rebuild('NEW.id')} END",
        f"CREATE TRIGGER party_search_party_delete AFTER DELETE ON parties_party "
        f"BEGIN DELETE FROM {TABLE} WHERE rowid = OLD.id; END",
        f"CREATE TRIGGER party_search_contact_insert AFTER INSERT ON parties_contactpoint BEGIN {rebuild('NEW.party_id')} END",
        "CREATE TRIGGER party_search_contact_update AFTER UPDATE ON parties_contactpoint "
        f"BEGIN {rebuild('OLD.party_id')} {rebuild('NEW.party_id')} END",
        f"CREATE TRIGGER party_search_contact_delete AFTER DELETE ON parties_contactpoint BEGIN {rebuild('OLD.party_id')} END",
    ]


_SQLITE_TRIGGER_NAMES = [
    *(f"party_search_party_{e}" for e in ("insert", "update", "delete")),
    *(f"party_search_contact_{e}" for e in ("insert", "update", "delete")),
]


def _install_sqlite() -> list[str]:
    return [
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5(body, tokenize='trigram')",
        *_sqlite_triggers(),
        f"INSERT INTO {TABLE} (rowid, body) {body_sql('sqlite')}",
    ]


@contextmanager
def search_bulk_write(cursor: Any, vendor: str, *, touched: str) -> Iterator[None]:
    """For a writer of many parties and contact points at once (a CSV import), inside
    its transaction. SQLite's triggers fire per row and rebuild a party's text once per
    contact point written (a million-party import would spend most of its time there),
    so they are dropped while the writer runs and the touched parties' rows, those the
    query ``touched`` selects, rebuilt in one pass after. A failure rolls the whole
    transaction back, triggers included. PostgreSQL's triggers are per statement
    already."""
    if vendor != "sqlite":
        yield
        return
    for name in _SQLITE_TRIGGER_NAMES:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    yield
    cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({touched})")
    cursor.execute(f"INSERT INTO {TABLE} (rowid, body) {body_sql('sqlite')} WHERE p.id IN ({touched})")
    for statement in _sqlite_triggers():
        cursor.execute(statement)


def uninstall_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS party_search_party_truncate ON parties_party",
            *(f"DROP TRIGGER IF EXISTS party_search_party_{e} ON parties_party" for e in ("insert", "update", "delete")),
            *(f"DROP TRIGGER IF EXISTS party_search_contact_{e} ON parties_contactpoint"
              for e in ("insert", "update", "delete", "moved")),
            "DROP FUNCTION IF EXISTS kenal_party_search_by_party()",
            "DROP FUNCTION IF EXISTS kenal_party_search_by_contact()",
            "DROP FUNCTION IF EXISTS kenal_party_search_truncate()",
            "DROP FUNCTION IF EXISTS kenal_party_search_refresh(bigint[])",
            f"DROP TABLE IF EXISTS {TABLE}",
        ]
    return [
        *(f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGER_NAMES),
        f"DROP TABLE IF EXISTS {TABLE}",
    ]


@dataclass
class Query:
    """What a person typed, read once: the whole text folded, the fragments every
    one of which must match (each a set of alternatives, any of which will do), and
    the forms an exact or leading match is ranked by."""

    text: str
    fragments: list[list[str]]
    short: bool  # only fragments too short to look up: read as a name or id prefix
    whole: list[str]


_SPACES = re.compile(r"\s+")


def read_query(raw: str) -> Query:
    text = _SPACES.sub(" ", fold(raw.strip()))
    if looks_like_phone(text):
        digits = re.sub(r"\D", "", text)
        # Typed with a plus or as 62..., 0... or a bare fragment: the stored spellings
        # hold each form, so the digits alone find it. The text as typed still finds
        # an external id that happens to look like a number.
        alternatives = [digits] if digits == text else [digits, text]
        return Query(text=text, fragments=[alternatives], short=False, whole=alternatives)
    words = [word.removeprefix("@") if len(word) > 1 else word for word in text.split(" ")]
    words = [word for word in words if word]
    long_words = [word for word in words if len(word) >= MIN_FRAGMENT]
    return Query(
        text=text, fragments=[[word] for word in words], short=not long_words,
        whole=[text.removeprefix("@")] if text else [],
    )


# pg_trgm reads the posting list of every trigram of a fragment, and a long one such
# as a whole email address brings common ones ("com", "gma", "ail") found in most
# rows: 0.6 s at a million parties. The index is asked for a leading piece of at most
# this many characters instead (before the "@" of an address, the rarer part), and
# each row it finds is then checked for the whole fragment.
PROBE_LENGTH = 12

# In an address such as budi.tan.0439771@..., the separators around the number make
# trigrams (".04", "n.0") that most addresses share: 0.2 to 0.3 s at a million
# parties. The number alone is in few rows, so an address holding one is looked up by
# its longest run of at least this many digits.
PROBE_DIGITS = re.compile(r"\d{4,}")


def index_probe(word: str) -> str:
    """The part of ``word`` the trigram index is asked for (``word`` itself when short)."""
    if len(word) <= PROBE_LENGTH:
        return word
    local = word.split("@", 1)[0]
    if local != word:
        number = max(PROBE_DIGITS.findall(local), key=len, default="")
        if number:
            return number[:PROBE_LENGTH]
    piece = local if len(local) >= MIN_FRAGMENT else word
    return piece[:PROBE_LENGTH]


def fts_query(alternatives: list[str]) -> str:
    return "(" + " OR ".join('"' + word.replace('"', '""') + '"' for word in alternatives) + ")"
