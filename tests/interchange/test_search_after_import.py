"""An imported party is found by the party search like one typed in by hand, and the
search keeps following every later write, imported or not."""

from __future__ import annotations

import pytest

from kenal.interchange.services import import_file
from kenal.parties.models import Party, PartyKind
from kenal.parties.selectors import party_search
from kenal.parties.services import PartyData, party_create

pytestmark = pytest.mark.django_db

HEADER = ["external_id", "kind", "name", "email", "phone"]


def _found(query: str) -> list[str]:
    return [party.name for party in party_search(query=query)]


def test_it_finds_imported_parties_by_fragments_and_follows_a_reimport(write_csv):
    first = write_csv("parties.csv", HEADER, [
        ["P-1", "person", "Akira Schmidt", "akira.schmidt@gmail.com", "0812-2226-9572"],
        ["P-2", "person", "Dewi Lestari", "dewi@example.id", "0813-1111-2222"],
    ])
    import_file(kind="parties", path=first)
    assert _found("schmidt akira") == ["Akira Schmidt"]
    assert _found("2226-9572") == ["Akira Schmidt"]
    assert _found("gmail.com") == ["Akira Schmidt"]

    moved = write_csv("parties2.csv", HEADER, [
        ["P-1", "person", "Akira Schmidt", "akira@kantor.id", "0857-7000-1234"],
        ["P-2", "person", "Dewi Lestari", "dewi@example.id", "0813-1111-2222"],
    ])
    import_file(kind="parties", path=moved)
    assert _found("2226-9572") == [] and _found("gmail.com") == []
    assert _found("7000-1234") == ["Akira Schmidt"] and _found("kantor.id") == ["Akira Schmidt"]


def test_it_still_indexes_parties_written_by_hand_after_an_import(write_csv):
    import_file(kind="parties", path=write_csv("parties.csv", HEADER, [
        ["P-1", "person", "Akira Schmidt", "", ""],
    ]))
    party_create(actor=None, data=PartyData(name="Wulan Sari", kind=PartyKind.PERSON))
    assert _found("ulan sar") == ["Wulan Sari"]
    Party.objects.filter(name="Wulan Sari").update(name="Wulan Kusuma")
    assert _found("kusuma") == ["Wulan Kusuma"]
