"""Helpers for the sites, briefing, authorities and CSV tests (imported as `sitehelpers`)."""

from __future__ import annotations

from datetime import date, datetime

from textual.widgets import Input, Static

from sitecare.app import SitecareApp
from sitecare.data import contacts, sites
from sitecare.data.models import Action, Concern, LocalAuthority, Site, TrainingKind, TrainingRecord, change

from support import settle

NOW = datetime(2026, 11, 22, 9, 0)  # a Sunday
TODAY = NOW.date()
SIZE = (80, 24)


def make_app(vault) -> SitecareApp:
    return SitecareApp(vault, now=lambda: NOW)


async def type_text(pilot, text: str) -> None:
    keys = ["space" if ch == " " else ch for ch in text]
    await pilot.press(*keys)


async def fill(app, pilot, selector: str, text: str) -> None:
    """Focus a field, clear it and type into it, as a person would. Long text (file
    paths) is pasted up to its last few characters, which are typed, to keep the
    tests quick."""
    field = app.screen.query_one(selector, Input)
    field.focus()
    await pilot.pause()
    typed = text if len(text) <= 24 else text[-4:]
    field.value = text[: len(text) - len(typed)]
    field.cursor_position = len(field.value)
    await type_text(pilot, typed)
    await pilot.pause()


def field_error(app, name: str) -> str:
    """The message shown next to a form field ('' when none)."""
    error = app.screen.query_one(f"#{name}-field .field-error", Static)
    return "" if error.has_class("-empty") else str(error.render())


def screen_text(app) -> str:
    """Everything the screen's Static widgets show, one per line."""
    return "\n".join(str(w.render()) for w in app.screen.query(Static) if w.display)


def kind(code: str) -> TrainingKind:
    return TrainingKind.get(TrainingKind.code == code)


def fixed_sites() -> dict[str, Site]:
    """A small, fixed world for snapshots and flows: dates relative to 22 Nov 2026."""
    cambs = LocalAuthority.get(LocalAuthority.name == "Cambridgeshire")
    beds = LocalAuthority.get(LocalAuthority.name == "Bedford Borough")
    with change():
        kestrel = Site.create(
            name="Kestrel Fen Primary School", kind="school", local_authority=cambs,
            recording_system="CPOMS",
            how_to_report="Tell the DSL in person straight after the session. Then record it on CPOMS the same day.",
            visit_notes="Sign in on the reception tablet. Park on Heron Way. Nurture Room by the library.",
            visit_rule="FREQ=WEEKLY;BYDAY=TU", visit_start=date(2026, 9, 1), created_on=date(2026, 9, 1),
            address="Heron Way, Kestrel Fen",
        )
        larkspur = Site.create(
            name="Larkspur House", kind="care_home", local_authority=beds, recording_system="paper form",
            visit_rule="FREQ=MONTHLY;BYDAY=1MO", visit_start=date(2026, 9, 1), created_on=date(2026, 9, 1),
        )
        poppy = Site.create(name="Poppyfield Day Centre", kind="charity", local_authority=beds,
                            created_on=date(2026, 9, 1))
        Site.create(name="Old Mill School", kind="school", archived=True, created_on=date(2020, 9, 1))
    contacts.add_contact(kestrel, "dsl", "Claire Ashdown", date(2022, 9, 1), phone="07700 900123",
                         where_to_find="Office next to Year 6", confirmed_on=date(2026, 9, 9))
    contacts.add_contact(kestrel, "deputy_dsl", "Mark Ellery", date(2023, 9, 1), phone="07700 900124",
                         where_to_find="SENCo base")
    contacts.add_contact(kestrel, "deputy_dsl", "Priya Chandran", date(2024, 9, 1), phone="07700 900125",
                         where_to_find="Mornings only")
    contacts.add_contact(kestrel, "head", "Simon Latchford", date(2019, 9, 1), phone="01632 960741")
    contacts.add_contact(larkspur, "dsl", "Deborah Finch", date(2023, 1, 1), phone="07700 900200",
                         confirmed_on=date(2026, 10, 1))
    contacts.add_contact(poppy, "manager", "Maureen Tilley", date(2026, 8, 1), phone="01632 960508")
    policy = sites.record_policy(kestrel, title="Child Protection Policy", version="2026-27", dated=date(2026, 8, 20),
                                 review_due=date(2027, 9, 30), today=date(2026, 8, 25))
    sites.sign_policy(policy, date(2026, 9, 5), "signed on CPOMS", date(2026, 9, 5))
    sites.record_policy(larkspur, title="Safeguarding Adults Policy", version="v4", dated=date(2026, 1, 10),
                        review_due=date(2028, 1, 10), today=date(2026, 1, 20))
    sites.set_requirement(kestrel, kind("safeguarding_children"), None)
    sites.set_requirement(kestrel, kind("prevent"), 24)
    sites.set_requirement(larkspur, kind("safeguarding_adults"), None)
    with change():
        TrainingRecord.create(kind=kind("safeguarding_children"), completed=date(2025, 9, 10), expires=date(2028, 9, 10))
        TrainingRecord.create(kind=kind("prevent"), completed=date(2024, 12, 20), expires=None)
        concern = Concern.create(reference="C-2026-004", site=kestrel, status="awaiting_outcome",
                                 created_at=datetime(2026, 11, 10, 15, 0))
        Action.create(concern=concern, description="Chase the DSL for the outcome", due=date(2026, 11, 20))
    return {"kestrel": kestrel, "larkspur": larkspur, "poppy": poppy}

