"""Fictional demo data for `sitecare demo`: a practitioner's year, relative to `today`.

Everything here is invented. People have made-up British names; every phone number is
one of Ofcom's numbers reserved for drama (landlines 01632 960000-960999, mobiles
07700 900000-900999), so none can reach a real person; email addresses use the
reserved example domains (RFC 2606: `.example`, example.org). Sites, trusts and
providers are invented names. Local-authority and national numbers are not invented
here: they are the shipped reference rows (`shipped.load_reference_data()`, which must
run first), looked up by name and code, never duplicated.

Dates are all relative to `today`, so a demo made on any day shows the same picture:
training expiring within 60 days and expired, a school policy signed last academic
year, DSL details not confirmed since 1 September, an overdue concern action, a
complaint at stage 2 with its deadline ahead, a consent due for review, and at least one
site visited on today's weekday. Nothing depends on the clock or on chance: the same
`today` always gives the same rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from sitecare.rules.workdays import add_working_days, next_working_day

from . import models
from .models import (
    Action,
    ChronologyEntry,
    Client,
    Complaint,
    ComplaintStage,
    Concern,
    Consent,
    Contact,
    DataRequest,
    LocalAuthority,
    Organisation,
    Policy,
    Requirement,
    Site,
    TrainingKind,
    TrainingRecord,
)

__all__ = ["DemoError", "populate_demo", "DRAMA_LANDLINE_PREFIX", "DRAMA_MOBILE_PREFIX"]

# Ofcom's drama ranges: 01632 960000-960999 and 07700 900000-900999.
DRAMA_LANDLINE_PREFIX = "01632 960"
DRAMA_MOBILE_PREFIX = "07700 900"

# A constant seed: the demo varies with `today`, never between two runs.
_SEED = 20261122

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

CAT = "Cambridge Art Therapy"
HELLOSELF = "HelloSelf"
MTB = "Music Therapy Bedfordshire"


class DemoError(Exception):
    """The demo cannot be written here (reference data missing, or the vault has data)."""


# --------------------------------------------------------------------------- helpers


class _Numbers:
    """Distinct drama numbers, drawn in a fixed order from a fixed seed."""

    def __init__(self, rng: random.Random):
        self._landlines = iter(rng.sample(range(100, 1000), 900))
        self._mobiles = iter(rng.sample(range(100, 1000), 900))

    def landline(self) -> str:
        return f"{DRAMA_LANDLINE_PREFIX}{next(self._landlines):03d}"

    def mobile(self) -> str:
        return f"{DRAMA_MOBILE_PREFIX}{next(self._mobiles):03d}"


def _academic_year_start(today: date) -> date:
    year = today.year if today.month >= 9 else today.year - 1
    return date(year, 9, 1)


def _aligned(start: date, weekday: int) -> date:
    """The first date on or after `start` that falls on `weekday` (0 = Monday)."""
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def _at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm))


def _email(name: str, domain: str) -> str:
    parts = [p for p in name.replace("'", "").split() if p not in ("Dr", "Sister", "Mr", "Mrs", "Ms")]
    return f"{parts[0][0].lower()}.{parts[-1].lower()}@{domain}"


@dataclass
class _Dates:
    """Named dates relative to today, so every row reads the same on any day."""

    today: date

    @property
    def year_start(self) -> date:
        return _academic_year_start(self.today)

    def ago(self, days: int = 0, months: int = 0, years: int = 0) -> date:
        return self.today - relativedelta(days=days, months=months, years=years)

    def ahead(self, days: int = 0, months: int = 0) -> date:
        return self.today + relativedelta(days=days, months=months)

    def this_year(self, fraction: float) -> date:
        """A date this academic year, `fraction` of the way from 1 September to today."""
        span = (self.today - self.year_start).days
        return self.year_start + timedelta(days=int(span * fraction))

    def last_year(self, days_before_start: int) -> date:
        """A date in the previous academic year, `days_before_start` before 1 September."""
        return self.year_start - timedelta(days=days_before_start)


# --------------------------------------------------------------------------- sites


@dataclass
class _SiteSpec:
    key: str
    name: str
    kind: str
    authority: str
    organisation: str
    arrangement: str
    commissioner: str
    recording: str
    how_to_report: str
    rule: str
    start: date
    notes: str
    address: str
    domain: str
    archived: bool = False
    contacts: list[dict] = field(default_factory=list)
    requirements: dict[str, int | None] = field(default_factory=dict)


def _site_specs(d: _Dates) -> list[_SiteSpec]:
    today = d.today
    today_code = _WEEKDAYS[today.weekday()]
    weekday_today = today.weekday() < 5
    # Otterbrook is seen fortnightly on today's weekday when today is a school day, so
    # "today's visits" has a school in it; at weekends Mill Yard's clinic is the visit.
    otter_day = today.weekday() if weekday_today else 3
    otter_start = _aligned(d.ago(days=7 * 12), otter_day)
    if weekday_today:
        otter_start = d.ago(days=14 * 6)
    term = _aligned(d.year_start, 0)

    def weekly(weekday: int, start: date, interval: int = 1) -> tuple[str, date]:
        rule = f"FREQ=WEEKLY;BYDAY={_WEEKDAYS[weekday]}"
        if interval > 1:
            rule = f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={_WEEKDAYS[weekday]}"
        return rule, _aligned(start, weekday)

    commissioned_report = (
        "Tell the DSL in person (or by phone if they are not on site) straight after the "
        "session, before leaving. Then record it on {system} the same day and keep a copy "
        "for my own notes. Ask for a written outcome summary."
    )

    specs: list[_SiteSpec] = []

    rule, start = weekly(1, term)
    specs.append(_SiteSpec(
        key="kestrel", name="Kestrel Fen Primary School", kind="school",
        authority="Cambridgeshire", organisation=CAT, arrangement="commissioned",
        commissioner="Kestrel Fen Primary School", recording="CPOMS",
        how_to_report=commissioned_report.format(system="CPOMS (visitor login from the office)")
        + " Paper 'record of concern' forms are in the staffroom if CPOMS is down.",
        rule=rule, start=start,
        notes="Sign in on the reception tablet; red lanyard = escorted. Park on Heron Way, "
        "not the staff car park. Sessions in the Nurture Room beside the library.",
        address="Heron Way, Kestrel Fen, Cambridgeshire", domain="kestrelfen.sch.example",
        requirements={"safeguarding_children": None, "prevent": 24, "dbs_update": None},
    ))

    rule = f"FREQ=WEEKLY;INTERVAL=2;BYDAY={_WEEKDAYS[otter_day]}"
    specs.append(_SiteSpec(
        key="otterbrook", name="Otterbrook Academy", kind="school",
        authority="Peterborough", organisation=CAT, arrangement="commissioned",
        commissioner="Nene Valley Schools Trust", recording="MyConcern",
        how_to_report=commissioned_report.format(system="MyConcern")
        + " The trust asks that the Head of Year is copied in.",
        rule=rule, start=otter_start,
        notes="Visitor entrance on Mill Lane; bring photo ID and DBS certificate. "
        "Pay-and-display behind the leisure centre. Room S14 (wellbeing hub), second floor.",
        address="Mill Lane, Otterbrook, Peterborough", domain="otterbrook.sch.example",
        requirements={"safeguarding_children": None, "prevent": 12, "dbs_update": None},
    ))

    rule, start = weekly(2, term)
    specs.append(_SiteSpec(
        key="harebell", name="Harebell Lane Infant School", kind="school",
        authority="Hertfordshire", organisation=CAT, arrangement="commissioned",
        commissioner="Harebell Lane Infant School", recording="paper incident form",
        how_to_report="Report to the head (who is the DSL) in person straight after the "
        "session. Fill in the yellow paper concern form in the office and hand it to her; "
        "photograph nothing.",
        rule=rule, start=start,
        notes="Buzz at the front gate; sign the paper visitor book. On-street parking "
        "only. Sessions in the Blue Room (small group room off the hall).",
        address="Harebell Lane, Ashwick Green, Hertfordshire", domain="harebell.sch.example",
        requirements={"safeguarding_children": None, "prevent": 24},
    ))

    rule, start = weekly(3, term)
    specs.append(_SiteSpec(
        key="pennyroyal", name="Pennyroyal Lower School", kind="school",
        authority="Bedford Borough", organisation=MTB, arrangement="commissioned",
        commissioner="Pennyroyal Lower School", recording="MyConcern",
        how_to_report=commissioned_report.format(system="MyConcern")
        + " Tell my MTB line manager the same day.",
        rule=rule, start=start,
        notes="Sign in at the office (InVentry screen). Small car park, visitors bay 3. "
        "Music room in the KS2 block; keyboard kept in the cupboard.",
        address="Church End, Pennyroyal, Bedford", domain="pennyroyal.sch.example",
        requirements={"safeguarding_children": None, "prevent": 24, "dbs_update": None},
    ))

    rule, start = weekly(4, term)
    specs.append(_SiteSpec(
        key="quillfield", name="Quillfield Academy", kind="school",
        authority="Luton", organisation=MTB, arrangement="commissioned",
        commissioner="Lea Meadow Learning Trust", recording="CPOMS",
        how_to_report=commissioned_report.format(system="CPOMS")
        + " Pupils here are 4-19 with complex needs: record exact words and behaviour seen.",
        rule=rule, start=start,
        notes="Special school: sign in at reception, collect a fob for the internal doors. "
        "Park in the visitors row by the minibus bay. Sensory room B or the music room.",
        address="Quill Lane, Luton", domain="quillfield.sch.example",
        requirements={"safeguarding_children": None, "prevent": 24, "dbs_update": None},
    ))

    rule, start = weekly(0, d.ago(years=2, months=3))
    specs.append(_SiteSpec(
        key="tinkers", name="Tinker's Forge Primary School", kind="school",
        authority="Central Bedfordshire", organisation=MTB, arrangement="commissioned",
        commissioner="Tinker's Forge Primary School", recording="CPOMS",
        how_to_report=commissioned_report.format(system="CPOMS"),
        rule=rule, start=start,
        notes="Contract ended in July; kept for the records. Sign in at the office; "
        "music in the old library.",
        address="Forge Street, Tinker's Green, Central Bedfordshire",
        domain="tinkersforge.sch.example", archived=True,
        requirements={"safeguarding_children": None, "prevent": 24},
    ))

    specs.append(_SiteSpec(
        key="larkspur", name="Larkspur House", kind="care_home",
        authority="Cambridgeshire", organisation=CAT, arrangement="commissioned",
        commissioner="Fenhaven Care Ltd", recording="paper incident form",
        how_to_report="Tell the nurse in charge and the safeguarding lead before leaving. "
        "Complete the home's paper incident form (folder at the nurses' station) and note "
        "the form number in my own record.",
        rule="FREQ=MONTHLY;BYDAY=+1MO", start=d.ago(months=14),
        notes="Ring the bell; sign in and use hand gel at the door. Car park at the back. "
        "Group sessions in the garden lounge, 1:1 in residents' rooms with staff aware.",
        address="Sedge Drove, Wetherfen, Cambridgeshire", domain="larkspurhouse.example.org",
        requirements={"safeguarding_adults": None, "dbs_update": None, "prevent": 36},
    ))

    specs.append(_SiteSpec(
        key="willowmere", name="Willowmere Lodge", kind="care_home",
        authority="Central Bedfordshire", organisation=MTB, arrangement="commissioned",
        commissioner="Willowmere Lodge", recording="paper incident form",
        how_to_report="Report to the manager or, if absent, the senior carer on shift, "
        "before leaving. Write it on the home's incident form; the manager refers to the "
        "local authority adults' team.",
        rule="FREQ=MONTHLY;BYDAY=+3WE", start=d.ago(months=20),
        notes="Keypad door, code from the manager (not written here). Parking on the drive. "
        "Music group in the conservatory at 14:00.",
        address="Willow Close, Marston Edge, Central Bedfordshire",
        domain="willowmere.example.org",
        requirements={"safeguarding_adults": None, "dbs_update": None, "prevent": 36},
    ))

    rule, start = weekly(0, d.ago(months=9), interval=2)
    specs.append(_SiteSpec(
        key="rookery", name="Rookery Hill Care Home", kind="care_home",
        authority="Luton", organisation=MTB, arrangement="commissioned",
        commissioner="Rookery Hill Care Home", recording="paper incident form",
        how_to_report="Tell the safeguarding lead (deputy manager) in person. Paper "
        "incident form from the office; ask for a copy for MTB.",
        rule=rule, start=start,
        notes="Sign in at reception, temperature check in winter. Two visitor spaces. "
        "Dementia unit upstairs: ask a carer to let me through.",
        address="Rookery Hill Road, Luton", domain="rookeryhill.example.org",
        requirements={"safeguarding_adults": None, "dbs_update": None, "prevent": 36},
    ))

    rule, start = weekly(0, d.ago(months=11))
    specs.append(_SiteSpec(
        key="nene", name="Nene Meadows Hospital, Rowan Ward", kind="hospital",
        authority="Peterborough", organisation=CAT, arrangement="commissioned",
        commissioner="Nene Meadows Hospital NHS Trust (paediatric psychology)",
        recording="Datix",
        how_to_report="Tell the nurse in charge and the named nurse for safeguarding "
        "children straight away; log it on Datix before leaving (honorary contract login). "
        "Note the Datix reference in my record.",
        rule=rule, start=start,
        notes="Honorary contract badge at the main desk. Staff car park B (permit in the "
        "glovebox). Playroom on Rowan Ward, level 2; check the board for isolation rooms.",
        address="Meadow Road, Peterborough", domain="nenemeadows.nhs.example",
        requirements={"safeguarding_children": 36, "prevent": 36, "hcpc_registration": None,
                      "insurance": None},
    ))

    rule, start = weekly(2, d.ago(months=7), interval=2)
    specs.append(_SiteSpec(
        key="ousebend", name="Ouse Bend Community Hospital, Elm Unit", kind="hospital",
        authority="Bedford Borough", organisation=MTB, arrangement="commissioned",
        commissioner="Ouse Bend Community Health NHS Trust", recording="Datix",
        how_to_report="Tell the nurse in charge, then the Trust's safeguarding adults lead "
        "by phone. Complete a Datix report the same day.",
        rule=rule, start=start,
        notes="Sign in at the Elm Unit desk; ID badge on show. Free parking after 10:00. "
        "Day room at the end of the corridor; keep the piano lid down after sessions.",
        address="Riverside Way, Bedford", domain="ousebend.nhs.example",
        requirements={"safeguarding_adults": 36, "prevent": 36, "hcpc_registration": None,
                      "insurance": None},
    ))

    rule, start = weekly(3, term)
    specs.append(_SiteSpec(
        key="brightside", name="Brightside Young Carers", kind="charity",
        authority="Newham", organisation=CAT, arrangement="commissioned",
        commissioner="Brightside Young Carers (charity)",
        recording="charity's own concern form (emailed to the DSL)",
        how_to_report="Phone the DSL straight after the session, then send the charity's "
        "concern form to the DSL's email the same day. Never text details.",
        rule=rule, start=start,
        notes="Community centre, side entrance. Sign the volunteers' book. No parking: "
        "the station is five minutes away. Art room on the first floor.",
        address="Market Row Community Centre, Newham", domain="brightside.example.org",
        requirements={"safeguarding_children": None, "prevent": 24},
    ))

    rule, start = weekly(1, d.ago(months=15), interval=2)
    specs.append(_SiteSpec(
        key="lantern", name="Lantern Arts Collective", kind="charity",
        authority="Hertfordshire", organisation=CAT, arrangement="commissioned",
        commissioner="Lantern Arts Collective", recording="paper incident form",
        how_to_report="Tell the safeguarding lead before leaving; paper incident form from "
        "the red folder in the studio office.",
        rule=rule, start=start,
        notes="Studio above the bike shop: ring 'Lantern'. Parking at the station. "
        "Sessions in Studio 2; aprons in the blue crate.",
        address="Unit 4, Tannery Yard, Hertfordshire", domain="lanternarts.example.org",
        requirements={"safeguarding_children": None, "safeguarding_adults": None},
    ))

    specs.append(_SiteSpec(
        key="poppyfield", name="Poppyfield Day Centre", kind="charity",
        authority="Central Bedfordshire", organisation=MTB, arrangement="commissioned",
        commissioner="Poppyfield Day Centre", recording="not known yet: ask the manager",
        how_to_report="Not confirmed yet. Until the DSL is known: tell the manager in "
        "person and tell my MTB line manager the same day.",
        rule="FREQ=MONTHLY;BYDAY=-1FR", start=d.ago(months=2),
        notes="New from this term. Sign in at the hatch. Car park shared with the church. "
        "Main hall, afternoon group.",
        address="Chapel Lane, Little Harrowden, Central Bedfordshire",
        domain="poppyfield.example.org",
        requirements={"safeguarding_adults": None, "dbs_update": None},
    ))

    rule, start = weekly(today.weekday(), d.ago(days=7 * 30))
    specs.append(_SiteSpec(
        key="millyard", name="Mill Yard Therapy Rooms", kind="private_practice",
        authority="Cambridgeshire", organisation=CAT, arrangement="private",
        commissioner="", recording="sitecare (my own records)",
        how_to_report="Private clients: follow CAT's private adult or private child route "
        "(sitecare shows the steps). Nothing is reported to the building.",
        rule=rule, start=start,
        notes="Room 3, first floor; key safe by the back door (code in my phone, not "
        "here). Two spaces in the yard. Check the waiting room is empty before leaving.",
        address="Mill Yard, Granta Street, Cambridgeshire", domain="millyard.example.com",
        requirements={"insurance": None, "ico_registration": None, "dbs_update": None},
    ))

    rule, start = weekly(2, d.ago(months=8))
    specs.append(_SiteSpec(
        key="kingfisher", name="Kingfisher Court Consulting Rooms", kind="private_practice",
        authority="Hertfordshire", organisation=HELLOSELF, arrangement="private",
        commissioner="", recording="HelloSelf clinical record",
        how_to_report="HelloSelf clients: follow HelloSelf's procedure (child or adult "
        "route); serious incidents to HelloSelf within 24 hours.",
        rule=rule, start=start,
        notes="Ground-floor room 1. Sign in with the concierge. Parking on Kingfisher "
        "Court (2 hours). Online sessions from here on Wednesday evenings.",
        address="Kingfisher Court, Ashwick, Hertfordshire", domain="kingfishercourt.example.com",
        requirements={"insurance": None, "ico_registration": None, "hcpc_registration": None},
    ))
    return specs


# --------------------------------------------------------------------------- contacts


def _contacts(d: _Dates) -> dict[str, list[tuple]]:
    """(role, name, where to find, from_date, to_date, confirmed_on, notes) per site key.

    confirmed_on values: a date this academic year, one from last year, or None.
    """
    ys = d.year_start
    dsl_change = d.ago(days=75)
    new_dsl_confirmed = min(d.today, max(dsl_change + timedelta(days=1), ys) + timedelta(days=7))
    long_ago = d.ago(years=6)
    return {
        "kestrel": [
            ("dsl", "Claire Ashdown", "Deputy head; office next to Year 6", d.ago(years=4), None, d.this_year(0.1), ""),
            ("deputy_dsl", "Mark Ellery", "SENCo; learning support base", d.ago(years=3), None, d.this_year(0.1), ""),
            ("deputy_dsl", "Priya Chandran", "Family support worker; mornings only", d.ago(years=2), None, d.this_year(0.1), ""),
            ("head", "Simon Latchford", "Head's office by reception", d.ago(years=7), None, d.this_year(0.1), ""),
            ("chair_of_governors", "Margaret Oyelaran", "Via the school office", d.ago(years=3), None, d.last_year(90), ""),
        ],
        "otterbrook": [
            ("dsl", "Gareth Hume", "Assistant principal", long_ago, dsl_change, dsl_change - relativedelta(months=8),
             "Left Otterbrook; replaced as DSL."),
            ("dsl", "Nadia Kowalczyk", "Wellbeing hub, ground floor", dsl_change + timedelta(days=1), None, new_dsl_confirmed,
             "Took over as DSL from Gareth Hume."),
            ("deputy_dsl", "Tom Birchall", "Head of Year 10; staffroom", d.ago(years=2), None, None, ""),
            ("head", "Helen Marchbank", "Principal; PA in the main office", d.ago(years=5), None, d.last_year(60), ""),
            ("chair_of_governors", "Robert Fennimore", "Local governing body, via the clerk", d.ago(years=4), None, None, ""),
        ],
        "harebell": [
            ("dsl", "Lorraine Bexley", "Head teacher and DSL; office by the hall", d.ago(years=8), None, d.last_year(30), ""),
            ("deputy_dsl", "Hannah Cole", "Reception class teacher", d.ago(years=3), None, d.last_year(30), ""),
            ("head", "Lorraine Bexley", "Head's office by the hall", d.ago(years=8), None, d.last_year(30), ""),
            ("chair_of_governors", "Peter Wyngate", "Via the school office", d.ago(years=2), None, None, ""),
        ],
        "pennyroyal": [
            ("dsl", "Rachel Thornbury", "Assistant head; Year 4 classroom", d.ago(years=5), None, d.this_year(0.3), ""),
            ("deputy_dsl", "Imran Siddiqui", "Pastoral lead; the Hub", d.ago(years=1, months=4), None, d.this_year(0.3), ""),
            ("head", "David Pellow", "Head's office", d.ago(years=6), None, d.this_year(0.3), ""),
            ("chair_of_governors", "Gillian Hartwell", "Via the clerk to governors", d.ago(years=3), None, d.this_year(0.3), ""),
        ],
        "quillfield": [
            ("dsl", "Owen Tregarthen", "Pastoral office by the hydrotherapy pool", d.ago(years=4), None, d.this_year(0.2), ""),
            ("deputy_dsl", "Bethan Lloyd", "Family liaison; Tuesdays to Thursdays", d.ago(years=3), None, d.this_year(0.2), ""),
            ("deputy_dsl", "Kofi Mensah", "Sixth-form lead", d.ago(years=2), None, d.this_year(0.2), ""),
            ("head", "Alison Greaves", "Head's office", d.ago(years=9), None, d.this_year(0.2), ""),
            ("chair_of_governors", "Jean Ramsbottom", "Via the trust's governance team", d.ago(years=4), None, d.last_year(100), ""),
        ],
        "tinkers": [
            ("dsl", "Fiona McLaren", "Deputy head", d.ago(years=5), None, d.last_year(300), ""),
            ("head", "Colin Ashworth", "Head's office", d.ago(years=10), None, d.last_year(300), ""),
            ("chair_of_governors", "Patricia Doyle", "Via the school office", d.ago(years=4), None, None, ""),
        ],
        "larkspur": [
            ("dsl", "Deborah Finch", "Deputy manager and safeguarding lead; office by the lift", d.ago(years=3), None, d.this_year(0.5), ""),
            ("manager", "Angela Whitcombe", "Registered manager; weekdays", d.ago(years=6), None, d.this_year(0.5), ""),
        ],
        "willowmere": [
            ("dsl", "Marcus Oduya", "Registered manager and safeguarding lead", d.ago(years=4), None, None, ""),
            ("manager", "Karen Lightfoot", "Home manager; office by the kitchen", d.ago(years=2), None, None, ""),
        ],
        "rookery": [
            ("dsl", "Sandra Peel", "Deputy manager; ground-floor office", d.ago(years=3), None, d.this_year(0.6), ""),
            ("deputy_dsl", "Joseph Adeyemi", "Senior carer, nights and weekends", d.ago(years=1), None, d.this_year(0.6), ""),
            ("manager", "Lynne Carver", "Registered manager", d.ago(years=5), None, d.this_year(0.6), ""),
        ],
        "nene": [
            ("dsl", "Julie Renshaw", "Named nurse for safeguarding children; bleep via switchboard", d.ago(years=4), None, d.this_year(0.4), ""),
            ("deputy_dsl", "Ben Hollis", "Safeguarding specialist nurse", d.ago(years=2), None, d.this_year(0.4), ""),
            ("manager", "Eleanor Frost", "Ward manager, Rowan Ward", d.ago(years=6), None, d.this_year(0.4), ""),
        ],
        "ousebend": [
            ("dsl", "Graham Pocock", "Trust safeguarding adults lead; main building", d.ago(years=3), None, d.last_year(45), ""),
            ("manager", "Amara Nwosu", "Ward manager, Elm Unit", d.ago(years=2), None, d.last_year(45), ""),
        ],
        "brightside": [
            ("dsl", "Shirin Rahman", "Services manager and DSL", d.ago(years=3), None, d.this_year(0.2), ""),
            ("deputy_dsl", "Daniel Osei", "Youth worker, Thursday group", d.ago(years=1), None, d.this_year(0.2), ""),
            ("manager", "Chloe Hendry", "Chief officer", d.ago(years=5), None, d.this_year(0.2), ""),
        ],
        "lantern": [
            ("dsl", "Ruth Calloway", "Artistic director and safeguarding lead", d.ago(years=6), None, d.this_year(0.7), ""),
            ("manager", "Ivan Petrovic", "Studio manager", d.ago(years=2), None, d.this_year(0.7), ""),
        ],
        "poppyfield": [
            # No DSL recorded on purpose: the demo shows the gap.
            ("manager", "Maureen Tilley", "Centre manager; Monday to Wednesday", d.ago(months=3), None, None,
             "Asked who the DSL is on my first visit; not told yet."),
        ],
        "millyard": [
            ("other", "Steve Rudd", "Building manager (keys, heating, fire alarm tests)", d.ago(years=2), None, None, ""),
        ],
        "kingfisher": [
            ("other", "Jo Penhaligon", "Concierge, weekdays 08:00-18:00", d.ago(months=8), None, None, ""),
        ],
    }


# --------------------------------------------------------------------------- the demo


def _reference() -> tuple[dict, dict, dict]:
    authorities = {la.name: la for la in LocalAuthority.select()}
    organisations = {org.name: org for org in Organisation.select()}
    kinds = {kind.code: kind for kind in TrainingKind.select()}
    missing = (
        [n for n in ("Cambridgeshire", "Peterborough", "Hertfordshire", "Newham", "Bedford Borough",
                     "Central Bedfordshire", "Luton") if n not in authorities]
        + [n for n in (CAT, HELLOSELF, MTB) if n not in organisations]
        + [c for c in ("safeguarding_children", "safeguarding_adults", "prevent", "dbs_update",
                       "hcpc_registration", "ico_registration", "insurance") if c not in kinds]
    )
    if missing:
        raise DemoError(
            "The shipped reference data is not loaded (missing: " + ", ".join(missing) + "): "
            "run load_reference_data() first."
        )
    return authorities, organisations, kinds


def populate_demo(today: date) -> None:
    """Fill an empty vault with fictional data relative to `today` (deterministic).

    Needs the shipped reference data (local authorities, organisations, training kinds)
    already loaded. Refuses a vault that already holds sites, clients or concerns, so
    the demo is never mixed into someone's real records.
    """
    if Site.select().exists() or Client.select().exists() or Concern.select().exists():
        raise DemoError("This vault already has records: the demo only fills an empty vault.")
    authorities, organisations, kinds = _reference()
    rng = random.Random(_SEED)
    numbers = _Numbers(rng)
    d = _Dates(today)

    with models.change():
        _fill_organisations(organisations, numbers)
        sites = _fill_sites(d, authorities, organisations, kinds, numbers)
        _fill_training(d, kinds)
        _fill_policies(d, sites)
        clients = _fill_clients(d, sites, numbers)
        _fill_concerns(d, sites, clients)
        _fill_complaint_and_request(d, sites, clients)


def _fill_organisations(organisations: dict, numbers: _Numbers) -> None:
    """The practitioner's own contacts at each organisation (the seeds name no one).

    Only empty fields are filled: anything the seed gives (CAT's complaints address) stays.
    """
    people = {
        CAT: ("Dr Frances Keel", "Oliver Brandt", "cat-safeguarding@example.org", "cat-manager@example.org"),
        HELLOSELF: ("Naomi Whitlock", "Sunil Varma", "helloself-clinical@example.org", "helloself-associates@example.org"),
        MTB: ("Catherine Dunmore", "Philippa Stroud", "mtb-safeguarding@example.org", "mtb-manager@example.org"),
    }
    for name, (lead, manager, lead_email, manager_email) in people.items():
        org = organisations[name]
        values = {
            "safeguarding_lead_name": lead,
            "safeguarding_lead_phone": numbers.mobile(),
            "safeguarding_lead_email": lead_email,
            "manager_name": manager,
            "manager_phone": numbers.landline(),
            "manager_email": manager_email,
        }
        for attr, value in values.items():
            if not getattr(org, attr):
                setattr(org, attr, value)
        org.save()


def _fill_sites(d: _Dates, authorities: dict, organisations: dict, kinds: dict, numbers: _Numbers) -> dict:
    sites: dict[str, Site] = {}
    contacts = _contacts(d)
    for spec in _site_specs(d):
        site = Site.create(
            name=spec.name,
            kind=spec.kind,
            address=spec.address,
            local_authority=authorities[spec.authority],
            organisation=organisations[spec.organisation],
            arrangement=spec.arrangement,
            commissioning_organisation=spec.commissioner,
            recording_system=spec.recording,
            how_to_report=spec.how_to_report,
            visit_rule=spec.rule,
            visit_start=spec.start,
            visit_notes=spec.notes,
            archived=spec.archived,
            created_on=min(spec.start, d.today),
        )
        sites[spec.key] = site
        for role, name, where, from_date, to_date, confirmed, notes in contacts[spec.key]:
            # Mobiles for the people carried on a bleep or phone; landlines for offices.
            phone = numbers.mobile() if role in ("dsl", "deputy_dsl", "other") else numbers.landline()
            Contact.create(
                site=site, role=role, name=name, phone=phone, email=_email(name, spec.domain),
                where_to_find=where, from_date=from_date, to_date=to_date,
                confirmed_on=confirmed, notes=notes,
            )
        for code, max_age in spec.requirements.items():
            Requirement.create(site=site, kind=kinds[code], max_age_months=max_age)
    return sites


def _expires(kind: TrainingKind, completed: date) -> date | None:
    if kind.validity_months is None:
        return None
    return completed + relativedelta(months=kind.validity_months)


def _completed_for_expiry(kind: TrainingKind, expires: date) -> date:
    return expires - relativedelta(months=kind.validity_months)


def _fill_training(d: _Dates, kinds: dict) -> None:
    """Valid, expiring within 60 days, expired, one kind never logged (ICO registration)."""
    rows = [
        # An old certificate, superseded by the one after it.
        ("safeguarding_children", d.ago(months=40), "Nene Valley Schools Trust twilight session (Level 2)",
         "Superseded by the course below."),
        ("safeguarding_children", d.ago(months=14), "Kestrel Fen Primary School INSET (Level 2)", ""),
        ("safeguarding_adults", _completed_for_expiry(kinds["safeguarding_adults"], d.ahead(days=30)),
         "Brightwater Training (online, Level 2)", "Book the refresher before it lapses."),
        # Prevent has no fixed validity: each site's requirement decides (Otterbrook: 12 months).
        ("prevent", d.ago(months=20), "Home Office Prevent awareness e-learning", ""),
        ("dbs_update", _completed_for_expiry(kinds["dbs_update"], d.ahead(days=45)), "DBS Update Service",
         "Annual subscription; certificate number in the attachment."),
        ("hcpc_registration", d.ago(months=10), "HCPC", "Arts therapist registration."),
        ("insurance", _completed_for_expiry(kinds["insurance"], d.ago(days=12)), "Brightwater Insurance Services",
         "Renewal quote received, not yet paid."),
    ]
    for code, completed, provider, notes in rows:
        kind = kinds[code]
        TrainingRecord.create(kind=kind, completed=completed, expires=_expires(kind, completed),
                              provider=provider, notes=notes)


def _school_year_label(start: date) -> str:
    return f"{start.year}-{(start.year + 1) % 100:02d}"


def _fill_policies(d: _Dates, sites: dict) -> None:
    ys = d.year_start
    last_ys = ys - relativedelta(years=1)
    this_label, last_label = _school_year_label(ys), _school_year_label(last_ys)
    # School policies are ratified just before the academic year they cover.
    this_dated, last_dated = ys - timedelta(days=10), last_ys - timedelta(days=10)

    def school(key: str, signed: date | None, current_year: bool = True, how: str = "signed the paper copy in the office"):
        dated = this_dated if current_year else last_dated
        covers = ys if current_year else last_ys
        Policy.create(
            site=sites[key], title="Child Protection and Safeguarding Policy",
            version=this_label if current_year else last_label, dated=dated,
            # Reviewed each autumn, once the new Keeping Children Safe in Education is out.
            review_due=covers + relativedelta(years=1, days=29), signed_on=signed,
            how_signed=how if signed else "", recorded_on=signed or d.today,
        )

    school("kestrel", d.this_year(0.05), how="signed on CPOMS (visitor declaration)")
    school("otterbrook", d.this_year(0.15), how="read and signed on MyConcern")
    # Signed last academic year and no newer version recorded: the re-sign is due.
    school("harebell", last_ys + timedelta(days=20), current_year=False)
    school("pennyroyal", d.this_year(0.2))
    school("quillfield", d.this_year(0.1))
    school("tinkers", last_ys - relativedelta(years=1) + timedelta(days=14), current_year=False)

    def other(key: str, title: str, version: str, dated: date, signed: date | None, how: str):
        Policy.create(
            site=sites[key], title=title, version=version, dated=dated,
            review_due=dated + relativedelta(years=2), signed_on=signed,
            how_signed=how if signed else "", recorded_on=signed or d.ago(days=20),
        )

    other("larkspur", "Safeguarding Adults Policy", "v4", d.ago(months=10), d.ago(months=9), "signed the policy log")
    # Signed 13 months ago: past the 12-month default for non-school sites.
    other("willowmere", "Safeguarding Adults Policy", "2.1", d.ago(months=16), d.ago(months=13), "signed the policy log")
    other("rookery", "Adult Safeguarding Policy", "v7", d.ago(months=5), d.ago(months=4), "signed the policy log")
    other("nene", "Safeguarding Children and Young People Policy", "Trust v12", d.ago(months=8),
          d.ago(months=5), "e-learning declaration")
    other("ousebend", "Safeguarding Adults at Risk Policy", "Trust v9", d.ago(months=6), d.ago(months=2),
          "e-learning declaration")
    # Recorded, never signed.
    other("brightside", "Safeguarding Children and Young People Policy", "2024 v2", d.ago(months=3), None, "")
    # Signed, but the policy's own two-year review date has passed.
    other("lantern", "Safeguarding Policy", "v3", d.ago(months=27), d.ago(months=6), "signed and emailed back")
    # Private practice rooms have no establishment policy: the organisation's own applies.
    other("millyard", "Cambridge Art Therapy safeguarding procedures (private clients)", "2024",
          d.ago(months=18), d.ago(months=7), "read and signed CAT's copy")
    other("kingfisher", "HelloSelf Child Safeguarding and Risk Policy", "v5", d.ago(months=9),
          d.ago(months=8), "HelloSelf associate portal declaration")
    # Poppyfield: no policy recorded at all.


def _dob(d: _Dates, years: int, extra_days: int) -> date:
    return d.today - relativedelta(years=years) - timedelta(days=extra_days)


def _fill_clients(d: _Dates, sites: dict, numbers: _Numbers) -> dict:
    ys = d.year_start
    term_start = ys + timedelta(days=14) if d.today >= ys + timedelta(days=14) else ys - relativedelta(months=6)
    rows = [
        # reference, initials, dob, type, funding, site, start, end, gp, parent/carer, mh, notes
        ("CH-0142", "AB", _dob(d, 9, 40), "child", "commissioned", "kestrel", term_start, None, "", "", False, ""),
        ("CH-0147", "LM", _dob(d, 14, 200), "child", "commissioned", "otterbrook", d.ago(months=7), None, "", "", False, ""),
        ("CH-0151", "RT", _dob(d, 15, 90), "child", "commissioned", "otterbrook", d.ago(months=10), d.ago(days=50), "", "",
         False, "Ending planned with the DSL; artwork to be collected."),
        ("CH-0155", "EK", _dob(d, 6, 120), "child", "commissioned", "harebell", d.ago(months=5), None, "", "", False, ""),
        ("CH-0158", "JW", _dob(d, 8, 10), "child", "commissioned", "pennyroyal", d.ago(months=6), None, "", "", False, ""),
        ("CH-0160", "SH", _dob(d, 12, 300), "child", "commissioned", "quillfield", d.ago(months=9), None, "", "", False,
         "Uses Makaton and a communication book."),
        ("CH-0163", "TO", _dob(d, 11, 150), "child", "commissioned", "nene", d.ago(months=3), None, "", "", False, ""),
        ("CH-0166", "NP", _dob(d, 13, 60), "child", "commissioned", "brightside", d.ago(months=8), None, "", "", False, ""),
        ("CH-0171", "GF", _dob(d, 10, 220), "child", "private", "millyard", d.ago(months=6), None, "",
         f"Mother, Ms L. Farrow: {numbers.mobile()} (text first, not after 18:00)", False, ""),
        ("CH-0174", "KD", _dob(d, 16, 30), "child", "private", "kingfisher", d.ago(months=5), None, "",
         f"Father, Mr A. Dunleavy: {numbers.mobile()}; home {numbers.landline()}", False,
         "HelloSelf referral."),
        ("CH-0098", "PC", _dob(d, 12, 15), "child", "commissioned", "tinkers", d.ago(years=2), d.ago(months=15), "", "",
         False, ""),
        ("AD-0022", "MJ", _dob(d, 52, 80), "adult", "private", "millyard", d.ago(years=5, months=8), d.ago(years=4, months=10),
         f"Dr H. Ambrose, Granta Street Surgery: {numbers.landline()}", "", False, ""),
        ("AD-0031", "CW", _dob(d, 34, 45), "adult", "private", "millyard", d.ago(months=14), None,
         f"Dr S. Quayle, Fenbridge Medical Practice: {numbers.landline()}", "", False, ""),
        ("AD-0036", "YB", _dob(d, 27, 180), "adult", "private", "kingfisher", d.ago(months=8), None,
         f"Dr R. Oakes, Ashwick Health Centre: {numbers.landline()}", "", True,
         "Also under the community mental health team (HPFT)."),
        ("AD-0040", "DV", _dob(d, 84, 20), "adult", "commissioned", "larkspur", d.ago(months=12), None, "", "", False, ""),
        ("AD-0043", "HS", _dob(d, 79, 250), "adult", "commissioned", "rookery", d.ago(months=6), None, "", "", False, ""),
        ("AD-0047", "FL", _dob(d, 58, 130), "adult", "commissioned", "ousebend", d.ago(months=2), None, "", "", False, ""),
    ]
    clients: dict[str, Client] = {}
    for ref, initials, dob, ctype, funding, site, start, end, gp, carer, mh, notes in rows:
        clients[ref] = Client.create(
            reference=ref, initials=initials, date_of_birth=dob, client_type=ctype, funding=funding,
            site=sites[site], therapy_start=start, therapy_end=end, gp_contact=gp,
            parent_carer_contact=carer, receives_mental_health_services=mh, notes=notes,
        )

    consents = [
        # Given over a year ago and never reviewed: the yearly review is due.
        ("AD-0031", "therapy", True, d.ago(months=14), "consent form, signed at assessment", "client", "", None, None, ""),
        ("AD-0031", "audio recording for supervision", False, d.ago(months=10), "consent form", "client", "",
         None, d.ago(months=2), "Withdrawn by email; recordings deleted the same day."),
        ("CH-0171", "therapy", True, d.ago(months=6), "consent form, signed at assessment", "parent (mother)", "",
         None, None, ""),
        ("CH-0174", "therapy", True, d.ago(months=5), "HelloSelf online consent", "client and parent (father)",
         "Judged competent to consent to therapy: understood what sessions involve and the limits of "
         "confidentiality, explained back in own words.", None, None, ""),
        ("AD-0036", "therapy", True, d.ago(months=8), "HelloSelf online consent", "client", "", None, None, ""),
        ("AD-0036", "sharing information with GP", True, d.ago(months=8), "consent form", "client", "",
         None, None, "Agreed that I may contact the GP if worried about safety."),
        ("CH-0142", "therapy", True, term_start - timedelta(days=7), "school consent form", "parent/carer via school", "",
         None, None, "School: consent at each new period of therapy."),
        ("AD-0040", "therapy", True, d.ago(months=12, days=-20), "discussed with client; best-interests note on file",
         "client", "", d.ago(months=1), None, "Reviewed with the client and her daughter."),
    ]
    for ref, purpose, essential, given, how, by, competence, reviewed, withdrawn, notes in consents:
        Consent.create(
            client=clients[ref], purpose=purpose, essential=essential, given_on=given, how=how,
            given_by=by, competence_judgement=competence, reviewed_on=reviewed,
            withdrawn_on=withdrawn, notes=notes,
        )
    return clients


# --------------------------------------------------------------------------- concerns


@dataclass
class _Entry:
    offset: timedelta  # after the concern's moment
    kind: str
    text: str
    who: str = "me"
    how: str = ""
    shared_with: str = ""
    purpose: str = ""
    consent: str = ""
    consent_reason: str = ""
    restricted: bool = False
    corrects: int | None = None  # index of an earlier entry in the same concern
    step: str = ""  # "route/step" this entry completed: the concern screen ticks the step


@dataclass
class _ConcernSpec:
    days_ago: int
    hour: int
    site: str
    client: str | None
    client_type: str
    kind: str
    categories: list[str]
    routes: list[str]
    status: str
    account: str
    observed: str
    entries: list[_Entry]
    actions: list[tuple[str, str, int, int | None]] = field(default_factory=list)  # text, owner, due (days from today), done (days from today)
    immediate_danger: bool = False
    about_head: bool = False


def _h(hours: float) -> timedelta:
    return timedelta(hours=hours)


def _concern_specs() -> list[_ConcernSpec]:
    return [
        _ConcernSpec(
            days_ago=260, hour=11, site="tinkers", client="CH-0098", client_type="child",
            kind="disclosure", categories=["neglect"], routes=["commissioned"], status="closed",
            account="Pupil said there had been 'no food at home since Saturday' and that they were "
            "looking after a younger sibling in the evenings.",
            observed="Appeared tired; ate the snack offered quickly and asked for another.",
            entries=[
                _Entry(_h(0.5), "account", "Pupil's words recorded as said, at the end of the session."),
                _Entry(_h(0.75), "action_taken", "Told the DSL (Fiona McLaren) in person before leaving.",
                       how="in person", step="commissioned/tell-dsl"),
                _Entry(_h(2), "information_shared", "Shared my written account with the school DSL.",
                       shared_with="School DSL", purpose="So the DSL can decide on a referral.",
                       consent="not_sought",
                       consent_reason="Commissioned work: concerns go to the school DSL without delay.",
                       step="commissioned/share-record"),
                _Entry(_h(50), "outcome", "DSL made an early-help referral; family engaged with support.",
                       step="commissioned/outcome-summary"),
                _Entry(_h(52), "signed_off", "Agreed action taken.", who="Fiona McLaren (DSL)",
                       step="commissioned/sign-off"),
            ],
        ),
        _ConcernSpec(
            days_ago=200, hour=10, site="kestrel", client="CH-0142", client_type="child",
            kind="disclosure", categories=["neglect", "emotional abuse"], routes=["commissioned"],
            status="closed",
            account="While drawing, the child said an older cousin 'shouts and locks me out in the "
            "garden when I'm naughty'. Said it happened 'lots'.",
            observed="Child became quiet and coloured over the drawing after saying it.",
            entries=[
                _Entry(_h(0.3), "account", "Child's words written down straight after the session."),
                _Entry(_h(0.5), "decision", "This needs the DSL today: possible emotional abuse and "
                       "neglect of supervision. Not for me to question further."),
                _Entry(_h(0.6), "action_taken", "Told the DSL (Claire Ashdown) in person; logged on CPOMS.",
                       how="in person, then CPOMS", step="commissioned/tell-dsl"),
                _Entry(_h(0.9), "information_shared", "Copy of the incident form to CAT, as CAT's procedure asks.",
                       shared_with="Cambridge Art Therapy safeguarding lead",
                       purpose="Organisation's record of commissioned-work concerns.",
                       consent="not_sought", consent_reason="Sharing within the procedure I work under."),
                _Entry(_h(1.2), "correction", "Correction to the first entry: the words were written down "
                       "once the child had gone back to class, about 20 minutes after the session, "
                       "not straight after.", corrects=0),
                _Entry(_h(26), "referral", "DSL referred to Cambridgeshire children's services.",
                       who="Claire Ashdown (DSL)"),
                _Entry(_h(24 * 9), "outcome", "Written outcome summary received: assessment completed, "
                       "family support plan in place; school monitoring.", step="commissioned/outcome-summary"),
                _Entry(_h(24 * 9 + 1), "signed_off", "Agreed action taken.", who="Claire Ashdown (DSL)",
                       step="commissioned/sign-off"),
            ],
            actions=[("Share a copy of the incident form with CAT", "me", -199, -200)],
        ),
        _ConcernSpec(
            days_ago=150, hour=14, site="pennyroyal", client="CH-0158", client_type="child",
            kind="allegation_staff", categories=["emotional abuse"], routes=["allegation-against-staff"],
            status="awaiting_outcome",
            account="Child said a teaching assistant 'calls me stupid in front of everyone' and "
            "'grabs my arm to make me sit'. Said it happens in maths.",
            observed="Child held their arm while saying it; no mark seen.",
            entries=[
                _Entry(_h(0.2), "account", "Child's words recorded straight after the session."),
                _Entry(_h(0.4), "decision", "Allegation about a member of staff: goes to the head, not "
                       "the member of staff, and to my MTB line manager."),
                _Entry(_h(0.5), "action_taken", "Told the head (David Pellow) in person.", how="in person",
                       step="allegation-against-staff/tell-head"),
                _Entry(_h(1), "information_shared", "Told my MTB line manager by phone.",
                       shared_with="MTB line manager", purpose="MTB's procedure for allegations.",
                       consent="not_sought", consent_reason="Allegation against staff: consent not sought.",
                       step="allegation-against-staff/tell-own-manager"),
                _Entry(_h(3), "note", "Third-party information from the head about the staff member's "
                       "previous employment was given in confidence: kept restricted.",
                       restricted=True, who="me"),
                _Entry(_h(26), "referral", "Head referred to the Bedford Borough LADO.", who="David Pellow (head)",
                       step="allegation-against-staff/lado"),
            ],
            actions=[("Ask MTB line manager whether the LADO outcome is known", "me", 10, None)],
        ),
        _ConcernSpec(
            days_ago=120, hour=16, site="brightside", client="CH-0166", client_type="child",
            kind="disclosure", categories=["online abuse and grooming"],
            routes=["immediate-danger", "commissioned"], status="closed", immediate_danger=True,
            account="Young person showed messages from an adult they met in an online game, arranging "
            "to meet 'tonight' near the station and asking them not to tell anyone.",
            observed="Messages seen on the young person's phone; the meeting time was that evening.",
            entries=[
                _Entry(_h(0.1), "decision", "Immediate danger: planned meeting tonight. Police first."),
                _Entry(_h(0.2), "action_taken", "Called 999 with the DSL present; police attended the centre.",
                       how="phone", step="immediate-danger/call-police"),
                _Entry(_h(0.5), "information_shared", "Shared the account and what I saw with police and the DSL.",
                       shared_with="Police; charity DSL (Shirin Rahman)",
                       purpose="Protect the young person from planned contact tonight.",
                       consent="refused",
                       consent_reason="Young person asked me not to tell; shared because they were at "
                       "risk of significant harm (seed 002: consent not needed for child protection).",
                       step="commissioned/tell-dsl"),
                _Entry(_h(1.5), "referral", "DSL referred to Newham children's services.", who="Shirin Rahman (DSL)"),
                _Entry(_h(24 * 6), "outcome", "Police investigation opened; safety plan with the family."),
                _Entry(_h(24 * 6 + 1), "signed_off", "Agreed action taken.", who="Shirin Rahman (DSL)"),
            ],
        ),
        _ConcernSpec(
            days_ago=95, hour=15, site="harebell", client="CH-0155", client_type="child",
            kind="data_breach", categories=[], routes=["data-breach"], status="closed",
            account="A page of my session notes (initials and date only, no name) was left in the "
            "shared group room after the session.",
            observed="Found by the class teacher, who returned it sealed the next morning.",
            entries=[
                _Entry(_h(18), "account", "Teacher returned the page; it had been face down in a tray."),
                _Entry(_h(18.5), "assessment", "Low risk: initials only, seen by one member of staff; "
                       "not reportable to the ICO."),
                _Entry(_h(19), "information_shared", "Told the head and CAT what happened and what I changed.",
                       shared_with="Head (Lorraine Bexley); CAT", purpose="Open about a data breach.",
                       consent="not_sought", consent_reason="No personal detail shared beyond the event."),
                _Entry(_h(20), "decision", "Notes now go straight into the locked bag before tidying up."),
                _Entry(_h(21), "signed_off", "Closed: no further action.", who="me"),
            ],
        ),
        _ConcernSpec(
            days_ago=60, hour=13, site="rookery", client=None, client_type="adult",
            kind="whistleblowing", categories=["neglect"], routes=["whistleblowing"], status="open",
            account="On three visits residents on the upstairs unit were still in night clothes after "
            "lunch and call bells rang unanswered for long periods; a carer said staff had been told "
            "'not to make a fuss' about staffing.",
            observed="Call bell sounded for about 20 minutes during my session; two carers on the unit.",
            entries=[
                _Entry(_h(1), "observation", "Times and what I saw written down after the session."),
                _Entry(_h(2), "action_taken", "Raised with the safeguarding lead (Sandra Peel).", how="in person",
                       step="whistleblowing/tell-head-or-dsl"),
                _Entry(_h(24 * 14), "decision", "No change seen two weeks later: escalate outside the home."),
                _Entry(_h(24 * 14 + 2), "information_shared", "Called the NSPCC whistleblowing line for advice, "
                       "then told my MTB line manager.", shared_with="NSPCC whistleblowing helpline; MTB",
                       purpose="Advice on escalating a concern about care practice.",
                       consent="not_sought", consent_reason="Concern about practice, no individual identified."),
            ],
            actions=[("Put the concern in writing to the registered manager and keep a copy", "me", 5, None)],
        ),
        _ConcernSpec(
            days_ago=40, hour=17, site="millyard", client="CH-0171", client_type="child",
            kind="disclosure", categories=["domestic abuse", "emotional abuse"], routes=["private-child"],
            status="awaiting_outcome",
            account="Child said they hide under the bed 'when Dad's friend shouts at Mum' and that the "
            "police came 'last week'.",
            observed="Child startled at a loud noise in the corridor and would not continue the picture.",
            entries=[
                _Entry(_h(0.5), "account", "Child's words written down after the session."),
                _Entry(_h(1), "decision", "Not telling the parent first: the concern involves the home and "
                       "telling might put the child or mother at risk."),
                _Entry(_h(1.5), "referral", "Referred to Cambridgeshire children's services by phone.",
                       how="phone", step="private-child/refer-la-children"),
                _Entry(_h(1.6), "information_shared", "Account shared with the children's team.",
                       shared_with="Cambridgeshire children's services",
                       purpose="Child protection referral.", consent="not_sought",
                       consent_reason="Seeking consent could place the child at increased risk."),
                _Entry(_h(24 * 3), "supervision", "Discussed in supervision; agreed the decision not to tell "
                       "the parent first was right."),
            ],
            actions=[("Ask the children's team for the outcome of the referral", "me", 3, None)],
        ),
        _ConcernSpec(
            days_ago=21, hour=18, site="kingfisher", client="AD-0036", client_type="adult",
            kind="disclosure", categories=["self-harm"], routes=["private-adult"], status="open",
            account="Client said they had begun cutting again after a stressful week and had thought "
            "about 'not being here'; no plan or date.",
            observed="Healed marks on forearm seen; client calm and engaged.",
            entries=[
                _Entry(_h(0.2), "assessment", "Risk discussed with the client: no plan, protective factors "
                       "(sister, work), agreed safety plan."),
                _Entry(_h(0.4), "decision", "Consult GP and the community mental health team with the client's "
                       "agreement."),
                _Entry(_h(20), "information_shared", "Spoke to the GP and left a message for the client's "
                       "mental health care coordinator.", shared_with="GP (Dr R. Oakes); HPFT care coordinator",
                       purpose="Make sure the client's care team knows of the increased risk.",
                       consent="given", consent_reason="Client agreed in session."),
                _Entry(_h(21), "action_taken", "Told the client what I had shared and when.", how="phone"),
            ],
            actions=[("Review the safety plan with the client at the next session", "me", 2, None)],
        ),
        _ConcernSpec(
            days_ago=12, hour=19, site="kingfisher", client="CH-0174", client_type="child",
            kind="serious_incident", categories=["self-harm"], routes=["serious-incident", "private-child"],
            status="open",
            account="During an online session the young person said they had taken extra tablets earlier "
            "that day.",
            observed="Drowsy on camera; parent at home.",
            entries=[
                _Entry(_h(0.05), "action_taken", "Asked the young person to fetch their father; father took "
                       "them to A&E.", how="video call"),
                _Entry(_h(0.3), "information_shared", "Told the father what was said so he could get medical help.",
                       shared_with="Parent (father)", purpose="Immediate medical safety.",
                       consent="given", consent_reason="Young person agreed to their father being told."),
                _Entry(_h(14), "action_taken", "Serious incident notified to HelloSelf within 24 hours.",
                       how="HelloSelf incident form", step="serious-incident/notification-form"),
            ],
            actions=[
                ("Send HelloSelf the written incident report", "me", -10, -11),
                ("Check with the father how discharge planning went", "me", 1, None),
            ],
        ),
        _ConcernSpec(
            days_ago=6, hour=11, site="otterbrook", client="CH-0147", client_type="child",
            kind="disclosure", categories=["peer on peer abuse", "bullying"], routes=["commissioned"],
            status="open",
            account="Student said a group of older students take their bus money and have shared a "
            "photo of them in a group chat 'to make everyone laugh'.",
            observed="Student tearful; said they have started walking the long way home.",
            entries=[
                _Entry(_h(0.3), "account", "Student's words recorded after the session."),
                _Entry(_h(0.5), "action_taken", "Told the DSL (Nadia Kowalczyk) before leaving and logged "
                       "it on MyConcern.", how="in person, then MyConcern", step="commissioned/tell-dsl"),
            ],
            actions=[("Ask the DSL for the written outcome summary", "me", -2, None)],
        ),
        _ConcernSpec(
            days_ago=2, hour=10, site="larkspur", client="AD-0040", client_type="adult",
            kind="disclosure", categories=["neglect"], routes=["commissioned"], status="open",
            account="Resident said she had been left waiting 'a long time' for help to the toilet at "
            "night on several nights this week.",
            observed="Resident upset while telling me; otherwise well.",
            entries=[
                _Entry(_h(0.5), "account", "Resident's words recorded after the session."),
                _Entry(_h(0.7), "action_taken", "Told the safeguarding lead (Deborah Finch) in person.",
                       how="in person", step="commissioned/tell-dsl"),
            ],
            actions=[("Complete the home's incident form and note its number", "me", 0, None)],
        ),
    ]


def _fill_concerns(d: _Dates, sites: dict, clients: dict) -> None:
    counters: dict[int, int] = {}
    for spec in _concern_specs():
        moment = _at(d.ago(days=spec.days_ago), spec.hour)
        counters[moment.year] = counters.get(moment.year, 0) + 1
        reference = f"C-{moment.year}-{counters[moment.year]:03d}"
        last = moment + max((e.offset for e in spec.entries), default=timedelta(0))
        client = clients[spec.client] if spec.client else None
        concern = Concern.create(
            reference=reference, site=sites[spec.site], client=client,
            client_reference=client.reference if client else "", client_type=spec.client_type,
            kind=spec.kind, categories=spec.categories, immediate_danger=spec.immediate_danger,
            about_head=spec.about_head, occurred_at=moment, noticed_at=moment,
            account=spec.account, observed=spec.observed, routes=spec.routes, status=spec.status,
            created_at=moment + timedelta(minutes=5),
            closed_on=last.date() if spec.status == "closed" else None,
        )
        made: list[ChronologyEntry] = []
        for entry in spec.entries:
            at = moment + entry.offset
            made.append(ChronologyEntry.create(
                concern=concern, at=at, recorded_at=at + timedelta(minutes=10), kind=entry.kind,
                text=entry.text, who=entry.who, how=entry.how, shared_with=entry.shared_with,
                purpose=entry.purpose, consent=entry.consent, consent_reason=entry.consent_reason,
                restricted=entry.restricted, step_key=entry.step,
                corrects=made[entry.corrects] if entry.corrects is not None else None,
            ))
        for text, owner, due, done in spec.actions:
            Action.create(
                concern=concern, description=text, owner=owner, due=d.ahead(days=due),
                done_on=d.ahead(days=done) if done is not None else None,
                created_at=moment + timedelta(hours=1),
            )


def _fill_complaint_and_request(d: _Dates, sites: dict, clients: dict) -> None:
    received = d.ago(days=35)
    stage1_reply = add_working_days(received, 8)
    stage2_began = max(stage1_reply + timedelta(days=1), next_working_day(d.ago(days=5)))
    if stage2_began > d.today:
        stage2_began = d.today
    complaint = Complaint.create(
        reference=f"CMP-{received.year}-001", received_on=received, channel="email",
        complainant="Parent of CH-0155", site=sites["harebell"],
        type="inadequate_information",
        summary="Parent was not told that sessions would pause for two weeks during school "
        "assessments and found out from their child.",
        acknowledged_on=add_working_days(received, 2),
    )
    ComplaintStage.create(
        complaint=complaint, stage=1, began_on=received, responded_on=stage1_reply,
        notes="Spoke with the parent and apologised; explained the timetable. Parent not satisfied "
        "that the school will tell them in future.",
    )
    ComplaintStage.create(
        complaint=complaint, stage=2, began_on=stage2_began, responded_on=None,
        notes="Parent wrote to CAT. CAT to reply in writing within 10 working days.",
    )
    DataRequest.create(
        client=clients["AD-0031"], requester="Client (AD-0031)", kind="access",
        received_on=d.ago(days=9), status="open",
        notes="Asked by email for a copy of session notes; identity confirmed in session. "
        "Respond within one month of receipt.",
    )
