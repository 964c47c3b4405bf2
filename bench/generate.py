"""Synthetic vaults for benchmarks: small, large and extreme, realistic in shape.

    python bench/generate.py --scale large --out bench/vaults/large

small:   one practitioner's year   (20 sites, 60 contacts, 30 concerns, 40 training records)
large:   a busy practice's decade  (500 sites, 3,000 contacts, 2,000 concerns with 20,000
         chronology entries, 2,000 training records, 500 attachments totalling 200 MB)
extreme: ten times large in every record count.

The passphrase is "bench passphrase"; the data is random and fictional.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sitecare.data import models  # noqa: E402
from sitecare.data.models import (  # noqa: E402
    Action,
    Attachment,
    ChronologyEntry,
    Client,
    Concern,
    Contact,
    LocalAuthority,
    Organisation,
    Policy,
    Requirement,
    Site,
    TrainingKind,
    TrainingRecord,
)
from sitecare.data.vault import Vault  # noqa: E402

PASSPHRASE = "bench passphrase"

SCALES = {
    "small": dict(sites=20, contacts=60, concerns=30, entries=300, training=40, attachments=10, attachment_bytes=2 * 2**20, clients=40),
    "large": dict(sites=500, contacts=3000, concerns=2000, entries=20000, training=2000, attachments=500, attachment_bytes=200 * 2**20, clients=1000),
}
SCALES["extreme"] = {k: v * 10 for k, v in SCALES["large"].items()}

WORDS = (
    "session music drum singing quiet withdrawn bruise arm teacher lunch home mum dad "
    "brother sister carer worried upset angry shouting hungry tired late school bag "
    "phone message online friend older group park weekend night kitchen room door"
).split()
KINDS = ("school", "care_home", "hospital", "charity", "private_practice")
ROLES = ("dsl", "deputy_dsl", "head", "chair_of_governors", "manager")
ENTRY_KINDS = ("account", "observation", "decision", "action_taken", "information_shared", "referral", "outcome")
CATEGORIES = ("neglect", "emotional abuse", "physical abuse", "self-harm", "online abuse and grooming", "bullying")


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def drama_phone(rng: random.Random) -> str:
    return f"01632 960{rng.randrange(1000):03d}" if rng.random() < 0.6 else f"07700 900{rng.randrange(1000):03d}"


def chunks(rows: list[dict], size: int = 500):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def generate(folder: Path, scale: str, today: date = date(2026, 11, 22), seed: int = 7) -> Vault:
    spec = SCALES[scale]
    rng = random.Random(seed)
    vault = Vault(folder)
    vault.create(PASSPHRASE)
    las = list(LocalAuthority.select())
    orgs = list(Organisation.select())
    kinds = list(TrainingKind.select())
    with models.suspended_commit_hooks(), models.database.atomic():
        sites = [
            dict(
                name=f"{rng.choice(['St', 'Holy', 'Oak', 'Elm', 'River', 'Hill'])} {i:05d} {rng.choice(['Primary', 'Academy', 'House', 'Ward', 'Centre'])}",
                kind=rng.choice(KINDS),
                local_authority=rng.choice(las).id,
                organisation=rng.choice(orgs).id,
                arrangement="commissioned" if rng.random() < 0.8 else "private",
                recording_system=rng.choice(["MyConcern", "CPOMS", "paper form", "Datix"]),
                how_to_report=words(rng, 12),
                visit_rule=rng.choice(["FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "FREQ=MONTHLY;BYDAY=+1MO"]),
                visit_start=today - timedelta(days=rng.randrange(30, 900)),
                visit_notes=words(rng, 15),
                created_on=today - timedelta(days=rng.randrange(30, 3650)),
            )
            for i in range(spec["sites"])
        ]
        for batch in chunks(sites):
            Site.insert_many(batch).execute()
        site_ids = [s.id for s in Site.select(Site.id)]
        contacts = []
        for i in range(spec["contacts"]):
            start = today - timedelta(days=rng.randrange(0, 3650))
            ended = rng.random() < 0.3
            contacts.append(
                dict(
                    site=rng.choice(site_ids),
                    role=rng.choice(ROLES),
                    name=f"Person {i:06d} {rng.choice(['Ashdown', 'Bexley', 'Carrow', 'Dunmore'])}",
                    phone=drama_phone(rng),
                    email=f"person{i}@example.org",
                    where_to_find=words(rng, 5),
                    from_date=start,
                    to_date=start + timedelta(days=rng.randrange(30, 700)) if ended else None,
                    confirmed_on=today - timedelta(days=rng.randrange(0, 700)) if rng.random() < 0.6 else None,
                )
            )
        for batch in chunks(contacts):
            Contact.insert_many(batch).execute()
        clients = [
            dict(
                reference=f"CL-{i:06d}",
                initials=f"{chr(65 + rng.randrange(26))}{chr(65 + rng.randrange(26))}",
                date_of_birth=today - timedelta(days=rng.randrange(5 * 365, 80 * 365)),
                client_type=rng.choice(["child", "adult"]),
                funding=rng.choice(["commissioned", "private"]),
                site=rng.choice(site_ids),
                therapy_start=today - timedelta(days=rng.randrange(100, 3650)),
                therapy_end=today - timedelta(days=rng.randrange(0, 90)) if rng.random() < 0.5 else None,
            )
            for i in range(spec["clients"])
        ]
        for batch in chunks(clients):
            Client.insert_many(batch).execute()
        concerns = []
        for i in range(spec["concerns"]):
            when = datetime.combine(today - timedelta(days=rng.randrange(0, 3650)), datetime.min.time()) + timedelta(hours=rng.randrange(8, 17))
            concerns.append(
                dict(
                    reference=f"C-{when.year}-{i:06d}",
                    site=rng.choice(site_ids),
                    client_type=rng.choice(["child", "adult"]),
                    kind=rng.choice(models.CONCERN_KINDS),
                    categories=[rng.choice(CATEGORIES)],
                    occurred_at=when,
                    noticed_at=when,
                    account=words(rng, 80),
                    observed=words(rng, 30),
                    routes=["commissioned"],
                    status=rng.choice(["open", "awaiting_outcome", "closed", "closed", "closed"]),
                    created_at=when,
                )
            )
        for batch in chunks(concerns):
            Concern.insert_many(batch).execute()
        concern_rows = list(Concern.select(Concern.id, Concern.occurred_at))
        entries = []
        for i in range(spec["entries"]):
            concern = concern_rows[i % len(concern_rows)]
            at = concern.occurred_at + timedelta(hours=rng.randrange(0, 24 * 30))
            entries.append(
                dict(concern=concern.id, at=at, recorded_at=at, kind=rng.choice(ENTRY_KINDS), text=words(rng, 35), who="me", how=rng.choice(["phone", "email", "in person"]), restricted=rng.random() < 0.05)
            )
        for batch in chunks(entries):
            ChronologyEntry.insert_many(batch).execute()
        actions = [
            dict(
                concern=concern_rows[rng.randrange(len(concern_rows))].id,
                description=words(rng, 8),
                owner="me",
                due=today + timedelta(days=rng.randrange(-60, 60)),
                done_on=today - timedelta(days=rng.randrange(1, 30)) if rng.random() < 0.7 else None,
            )
            for _ in range(spec["concerns"])
        ]
        for batch in chunks(actions):
            Action.insert_many(batch).execute()
        per_blob = max(1, spec["attachment_bytes"] // max(1, spec["attachments"]))
        attachment_ids = []
        for i in range(spec["attachments"]):
            blob_id = vault.put_blob(os.urandom(per_blob))
            attachment_ids.append(
                Attachment.create(blob_id=blob_id, filename=f"certificate-{i}.pdf", media_type="application/pdf", size=per_blob, sha256="0" * 64).id
            )
        training = []
        for i in range(spec["training"]):
            kind = rng.choice(kinds)
            completed = today - timedelta(days=rng.randrange(0, 3650))
            training.append(
                dict(
                    kind=kind.id,
                    completed=completed,
                    expires=completed + timedelta(days=30 * kind.validity_months) if kind.validity_months else None,
                    provider=rng.choice(["Local authority", "NSPCC Learning", "Online course"]),
                    certificate=attachment_ids[i] if i < len(attachment_ids) else None,
                )
            )
        for batch in chunks(training):
            TrainingRecord.insert_many(batch).execute()
        requirements = {(rng.choice(site_ids), rng.choice(kinds).id) for _ in range(spec["sites"] * 2)}
        Requirement.insert_many([dict(site=s, kind=k, max_age_months=rng.choice([None, 12, 24, 36])) for s, k in requirements]).execute()
        policies = [
            dict(site=s, title="Safeguarding policy", version=f"{rng.randrange(1, 6)}", dated=today - timedelta(days=rng.randrange(0, 900)), review_due=today + timedelta(days=rng.randrange(-200, 400)), signed_on=today - timedelta(days=rng.randrange(0, 700)) if rng.random() < 0.8 else None, how_signed="signed paper copy")
            for s in site_ids
        ]
        for batch in chunks(policies):
            Policy.insert_many(batch).execute()
    vault.save()
    return vault


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    vault = generate(args.out, args.scale)
    size = vault.path.stat().st_size
    vault.close()
    print(f"{args.scale}: {args.out} ({size / 2**20:.1f} MiB vault) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
