"""Deterministic interchange CSV files (INTERCHANGE.md) for benchmarks and load tests.

    python benchmarks/gen_interchange.py OUT_DIR --parties 100000 --lines 1000000 --seed 1

writes OUT_DIR/parties.csv, orders.csv, agreements.csv and interactions.csv. The same
arguments always give byte-identical files. Orders have 1 to 5 lines (about 2.9 on
average, so a million lines make about 350,000 orders).
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

FIRST = ["Siti", "Budi", "Dewi", "Agus", "Rina", "Joko", "Putri", "Andi", "Wulan", "Rahmat", "Ayu", "Hendra"]
LAST = ["Rahma", "Santoso", "Lestari", "Wijaya", "Saputra", "Hidayat", "Kusuma", "Pratama", "Nugroho"]
ORG = ["Toko", "CV", "PT", "Koperasi", "Warung"]
CHANNELS = ["store", "web", "whatsapp", "instagram", "tokopedia"]
START = datetime(2024, 1, 1)
SPAN_SECONDS = 2 * 365 * 86400


@dataclass(frozen=True)
class Sizes:
    parties: int
    lines: int
    agreements: int
    interactions: int


def party_id(n: int) -> str:
    return f"P-{n:07d}"


def _moment(rng: random.Random) -> str:
    moment = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    # Half with an explicit offset, half in local (Jakarta) time, as spreadsheets mix them.
    return moment.isoformat() + ("+07:00" if rng.random() < 0.5 else "")


def write_parties(path: Path, count: int, rng: random.Random) -> list[int]:
    """Returns the numbers of the organisations."""
    organisations = []
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["external_id", "kind", "name", "email", "phone", "whatsapp", "instagram", "scope",
                      "referred_by", "member_of", "language", "first_contact_at", "objects_to_profiling"])
        for n in range(1, count + 1):
            is_org = rng.random() < 0.08
            if is_org:
                organisations.append(n)
                name = f"{rng.choice(ORG)} {rng.choice(LAST)} {n}"
            else:
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            phone = f"0812{n:08d}"
            out.writerow([
                party_id(n), "organization" if is_org else "person", name,
                f"user{n}@example.test" if rng.random() < 0.7 else "",
                phone if rng.random() < 0.8 else "",
                phone if rng.random() < 0.5 else "",
                f"@ig_{n}" if rng.random() < 0.2 else "",
                rng.choice(["", "", "", "", "internal", "intermediate", "external"]),
                party_id(rng.randrange(1, n)) if n > 1 and rng.random() < 0.1 else "",
                party_id(rng.choice(organisations)) if organisations and not is_org and rng.random() < 0.1 else "",
                rng.choice(["", "id", "en"]),
                _moment(rng) if rng.random() < 0.5 else "",
                "true" if rng.random() < 0.01 else "",
            ])
    return organisations


def write_orders(path: Path, parties: int, lines: int, rng: random.Random) -> None:
    skus = [(f"SKU-{n:05d}", rng.choice(["goods", "goods", "goods", "service", "professional_service"]))
            for n in range(1, 2001)]
    prices = [f"{rng.randrange(5, 5000) * 1000}.00" for _ in range(500)]
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["order_id", "party", "occurred_at", "sku", "product_kind", "quantity", "unit_price",
                      "discount", "promo_code", "consumer", "channel", "currency", "status"])
        written = 0
        order = 0
        while written < lines:
            order += 1
            buyer = party_id(rng.randrange(1, parties + 1))
            when = _moment(rng)
            channel = rng.choice(CHANNELS)
            promo = "HEMAT10" if rng.random() < 0.15 else ""
            for _ in range(min(rng.randrange(1, 6), lines - written)):
                sku, kind = rng.choice(skus)
                status = "paid" if rng.random() < 0.93 else rng.choice(["cancelled", "refunded"])
                out.writerow([
                    f"O-{order:08d}", buyer, when, sku, kind,
                    rng.choice(["1", "1", "1", "2", "3", "12"]), rng.choice(prices),
                    "5000.00" if rng.random() < 0.05 else "", promo,
                    party_id(rng.randrange(1, parties + 1)) if rng.random() < 0.03 else "",
                    channel, "IDR", status,
                ])
                written += 1


def write_agreements(path: Path, count: int, organisations: list[int], parties: int, rng: random.Random) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["external_id", "party", "title", "service_kind", "tier", "signed_by_provider_at",
                      "signed_by_client_at", "starts_on", "ends_on", "terminated_on", "auto_renew", "value",
                      "currency", "billing_period"])
        for n in range(1, count + 1):
            client = rng.choice(organisations) if organisations else rng.randrange(1, parties + 1)
            starts = START.date() + timedelta(days=rng.randrange(700))
            signed = starts - timedelta(days=rng.randrange(1, 30))
            out.writerow([
                f"A-{n:06d}", party_id(client), "Retainer", rng.choice(["service", "professional_service"]),
                rng.choice(["", "basic", "enterprise"]), signed.isoformat(),
                signed.isoformat() if rng.random() < 0.9 else "", starts.isoformat(),
                (starts + timedelta(days=365)).isoformat() if rng.random() < 0.7 else "", "",
                rng.choice(["true", "false"]), f"{rng.randrange(10, 500) * 1_000_000}.00", "IDR",
                rng.choice(["monthly", "yearly", ""]),
            ])


def write_interactions(path: Path, count: int, parties: int, rng: random.Random) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["party", "occurred_at", "channel", "direction", "kind", "body"])
        for n in range(count):
            out.writerow([
                party_id(rng.randrange(1, parties + 1)), _moment(rng),
                rng.choice(["whatsapp", "email", "phone", "instagram", "webchat"]),
                rng.choice(["inbound", "outbound"]), rng.choice(["question", "message", "complaint", "feedback"]),
                f"Pesan nomor {n}",
            ])


def generate(out_dir: Path, *, parties: int, lines: int, seed: int = 1,
             agreements: int | None = None, interactions: int | None = None) -> Sizes:
    sizes = Sizes(
        parties=parties, lines=lines,
        agreements=parties // 50 if agreements is None else agreements,
        interactions=parties if interactions is None else interactions,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    # One generator per file, so changing one file's size leaves the others identical.
    organisations = write_parties(out_dir / "parties.csv", parties, random.Random(f"{seed}-parties"))
    write_orders(out_dir / "orders.csv", parties, lines, random.Random(f"{seed}-orders"))
    write_agreements(out_dir / "agreements.csv", sizes.agreements, organisations, parties,
                     random.Random(f"{seed}-agreements"))
    write_interactions(out_dir / "interactions.csv", sizes.interactions, parties,
                       random.Random(f"{seed}-interactions"))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--parties", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--agreements", type=int)
    parser.add_argument("--interactions", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = generate(args.out_dir, parties=args.parties, lines=args.lines, seed=args.seed,
                     agreements=args.agreements, interactions=args.interactions)
    print(sizes)


if __name__ == "__main__":
    main()
