"""Safeguarding procedures as data: parse templates, choose routes, resolve steps.

Pure: no Textual, no database, no clock, no file access. The caller reads template
files and passes their text; the caller passes the moment a concern was noticed; the
caller passes the contacts for each role *as they were on the concern's date*.

Routes (one shipped TOML template each, under ``sitecare/data/reference/procedures``)
-----------------------------------------------------------------------------------
``commissioned``, ``private-adult``, ``private-child`` (seed 000), ``allegation-against-staff``,
``whistleblowing`` (seed 003), ``immediate-danger``, ``serious-incident`` (seed 002),
``data-breach`` (seed 002 + UK GDPR art. 33). :func:`choose_route` says which apply.

Template format (TOML)
----------------------
Top level::

    key          = "commissioned"          # lower-case slug, unique; a user template with
                                           # a shipped key overrides the shipped one
    name         = "Commissioned work"     # shown to the practitioner
    source       = "000_00de3f88eb12b296.txt (commissioned flowchart)"
    organisation = "Cambridge Art Therapy" # optional: whose procedure this is
    notes        = "..."                   # optional: caveats, where a rule is not from a seed

    [applies_to]
    arrangement = "commissioned"           # commissioned | private | any
    client_type = "any"                    # child | adult | any
    kinds       = ["disclosure"]           # disclosure, allegation_staff, whistleblowing,
                                           # serious_incident, data_breach

Then one ``[[step]]`` table per step, in order::

    [[step]]
    key      = "tell-dsl"                  # slug, unique within the template
    title    = "Tell the site's DSL"
    detail   = "What to do and say, in sitecare's own words."
    role     = "site_dsl"                  # one of ROLES
    deadline = "immediately after the session"
    source   = "000_00de3f88eb12b296.txt (commissioned flowchart, step 2)"
    # optional:
    fallback_roles = [                     # first matching entry replaces `role`
      { role = "deputy_dsl", when = "no_contact" },
    ]
    when     = "parent_not_safe"           # the step applies only when this holds
                                           # (a list means any of them)
    optional = true                        # true/false, or a condition: optional when it holds
    [step.contact]                         # a contact the template itself supplies (national
    name = "NSPCC whistleblowing helpline" # lines), used when the caller has none for the role
    phone = "0800 028 0285"
    source = "003_438f426657d4b2d7.txt"

Deadlines: "immediately", "immediately after the session", "same day", "within N hours"
(e.g. 24, 72), "within N working days" (1 working day, singular, too), "none".

Conditions (for ``when``, ``optional`` and ``fallback_roles``): see CONDITIONS. They are
three-valued: ``parent_safe`` may be undecided (None); a step whose condition is undecided
is shown with a note saying what it depends on, never hidden.

Everything returned is a frozen dataclass.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from sitecare.rules.dates import show_date, show_datetime
from sitecare.rules.workdays import NATION_NAMES, NATIONS, add_working_days, is_bank_holiday

# --------------------------------------------------------------------------- vocabulary

#: role -> (label, scope). The scope decides the wording of a missing-contact message.
ROLE_INFO: dict[str, tuple[str, str]] = {
    "site_dsl": ("DSL", "site"),
    "deputy_dsl": ("deputy DSL", "site"),
    "head": ("head of the establishment", "site"),
    "chair_of_governors": ("chair of governors", "site"),
    "site_manager": ("site manager", "site"),
    "la_children": ("children's safeguarding team", "la"),
    "la_adults": ("Adult Social Care safeguarding team", "la"),
    "la_out_of_hours": ("children's out-of-hours line", "la"),
    "la_adults_out_of_hours": ("adults' out-of-hours line", "la"),
    "la_mental_health": ("mental-health trust (HPFT in Hertfordshire)", "la"),
    "lado": ("LADO", "la"),
    "gp": ("GP", "client"),
    "parent_carer": ("parent/carer", "client"),
    "police": ("police", "national"),
    "nspcc_whistleblowing": ("NSPCC whistleblowing helpline", "national"),
    "ico": ("Information Commissioner's Office (ICO)", "national"),
    "own_org_safeguarding_lead": ("safeguarding lead", "own_org"),
    "own_org_manager": ("manager / line manager", "own_org"),
    "self": ("you", "self"),
}
ROLES: tuple[str, ...] = tuple(ROLE_INFO)

ARRANGEMENTS = ("commissioned", "private")
CLIENT_TYPES = ("child", "adult", "unknown")
KINDS = ("disclosure", "allegation_staff", "whistleblowing", "serious_incident", "data_breach")

#: condition -> what it means (shown when a step depends on an undecided condition).
CONDITIONS: dict[str, str] = {
    "outside_office_hours": "outside the local authority's office hours",
    "inside_office_hours": "within the local authority's office hours",
    "about_head": "the concern is about the head",
    "about_dsl": "the concern is about the DSL",
    "head_away": "the head is not available",
    "hertfordshire_mental_health": "the client receives HPFT mental-health services in Hertfordshire",
    "parent_safe": "it is safe to tell the parent/carer",
    "parent_not_safe": "it is not safe to tell the parent/carer",
    "about_own_org": "the concern is about someone in your own organisation",
    "commissioned": "the work is commissioned by the site",
    "private": "the work is privately funded",
    "no_contact": "no contact is recorded for the step's role",
}
#: conditions that only make sense in fallback_roles (they look at the step's own role).
FALLBACK_ONLY_CONDITIONS = frozenset({"no_contact"})

DEADLINE_FORMS = (
    "immediately",
    "immediately after the session",
    "same day",
    "within N hours",
    "within N working days",
    "none",
)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TOP_FIELDS = {"key", "name", "source", "organisation", "notes", "applies_to", "step"}
_APPLIES_FIELDS = {"arrangement", "client_type", "kinds"}
_STEP_FIELDS = {
    "key", "title", "detail", "role", "deadline", "source",
    "fallback_roles", "when", "optional", "contact",
}
_FALLBACK_FIELDS = {"role", "when"}
_CONTACT_FIELDS = {"name", "phone", "email", "organisation", "source", "hours"}


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class ContactInfo:
    """Who to call for a role, as recorded on the concern's date."""

    name: str
    phone: str = ""
    email: str = ""
    organisation: str = ""
    source: str = ""
    hours: str = ""


@dataclass(frozen=True)
class Deadline:
    text: str  # normalised, e.g. "within 1 working day"
    kind: str  # immediately | after_session | same_day | hours | working_days | none
    amount: int = 0


@dataclass(frozen=True)
class Fallback:
    role: str
    when: tuple[str, ...]  # any of these conditions


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    detail: str
    role: str
    deadline: Deadline
    source: str
    fallback_roles: tuple[Fallback, ...] = ()
    when: tuple[str, ...] = ()  # empty: always applies
    optional: bool = False
    optional_when: tuple[str, ...] = ()  # optional when any of these holds
    contact: ContactInfo | None = None
    line: int = 0


@dataclass(frozen=True)
class AppliesTo:
    arrangement: str  # commissioned | private | any
    client_type: str  # child | adult | any
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class ProcedureTemplate:
    key: str
    name: str
    source: str
    applies_to: AppliesTo
    steps: tuple[Step, ...]
    organisation: str = ""
    notes: str = ""
    filename: str = ""
    origin: str = "shipped"  # shipped | user
    overrides: str = ""  # file name of the shipped template a user template replaced


class TemplateError(ValueError):
    """A template that cannot be used; str() is "file, line N: reason"."""

    def __init__(self, filename: str, line: int | None, reason: str):
        self.filename = filename
        self.line = line
        self.reason = reason
        where = f"{filename}, line {line}" if line else filename
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class OfficeHours:
    """When a local authority's daytime teams answer. Default Mon-Fri 09:00-17:00."""

    open: time = time(9, 0)
    close: time = time(17, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    closed_on_bank_holidays: bool = True


@dataclass(frozen=True)
class ProcedureContext:
    """Everything resolution needs, as plain values (the caller supplies the moment)."""

    moment: datetime  # when the concern was noticed
    nation: str = "ENG"  # the site's local authority's nation
    office_hours: OfficeHours = field(default_factory=OfficeHours)
    arrangement: str | None = None  # commissioned | private, when known
    about_head: bool = False
    about_dsl: bool = False
    head_away: bool = False
    hertfordshire_mental_health: bool = False
    parent_safe: bool | None = None  # None: not decided yet
    about_own_org: bool = False
    contacts: Mapping[str, Sequence[ContactInfo]] = field(default_factory=dict)
    add_contact_hint: str = "add one (key: c)"


@dataclass(frozen=True)
class ResolvedStep:
    route: str  # template key
    step: Step
    role: str  # the role actually used (after any fallback)
    contacts: tuple[ContactInfo, ...]
    gap: bool  # a contact the step needs is not recorded
    gap_message: str
    fallback_note: str  # why `role` differs from step.role, else ""
    condition_note: str  # what an undecided condition depends on, else ""
    optional: bool
    due: datetime | date | None  # date for working-day deadlines
    due_text: str

    @property
    def due_by(self) -> datetime | None:
        """The deadline as an instant (a due date means the end of that day)."""
        if self.due is None:
            return None
        if isinstance(self.due, datetime):
            return self.due
        return datetime.combine(self.due, time(23, 59, 59))


@dataclass(frozen=True)
class SkippedStep:
    route: str
    step: Step
    reason: str


@dataclass(frozen=True)
class Procedure:
    templates: tuple[ProcedureTemplate, ...]
    steps: tuple[ResolvedStep, ...]
    skipped: tuple[SkippedStep, ...]
    in_office_hours: bool
    notes: tuple[str, ...] = ()

    @property
    def gaps(self) -> tuple[ResolvedStep, ...]:
        return tuple(s for s in self.steps if s.gap)


@dataclass(frozen=True)
class RouteChoice:
    routes: tuple[str, ...]  # to follow, in order
    offered: tuple[str, ...] = ()  # to consider; the practitioner decides
    notes: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return self.routes + self.offered


# --------------------------------------------------------------------------- deadlines

_HOURS = re.compile(r"^within (\d+) hours?$")
_WORKING = re.compile(r"^within (\d+) working days?$")


def parse_deadline(text: str) -> Deadline:
    """Read a deadline phrase; ValueError names the accepted forms."""
    norm = " ".join(str(text).lower().split())
    simple = {
        "immediately": "immediately",
        "immediately after the session": "after_session",
        "same day": "same_day",
        "none": "none",
    }
    if norm in simple:
        return Deadline(norm, simple[norm])
    for pattern, kind, unit in ((_HOURS, "hours", "hour"), (_WORKING, "working_days", "working day")):
        m = pattern.match(norm)
        if m:
            n = int(m.group(1))
            if n < 1:
                raise ValueError(f"deadline {text!r} must be at least 1")
            return Deadline(f"within {n} {unit}{'' if n == 1 else 's'}", kind, n)
    raise ValueError(
        f"unknown deadline {text!r} (use one of: {', '.join(repr(f) for f in DEADLINE_FORMS)})"
    )


def due_for(deadline: Deadline, moment: datetime, nation: str) -> tuple[datetime | date | None, str]:
    """When a step is due, and how to say so."""
    if deadline.kind == "immediately":
        return moment, "immediately"
    if deadline.kind == "after_session":
        return moment, "immediately after the session"
    if deadline.kind == "same_day":
        return datetime.combine(moment.date(), time(23, 59, 59), moment.tzinfo), (
            f"by the end of {show_date(moment.date())}"
        )
    if deadline.kind == "hours":
        due = moment + timedelta(hours=deadline.amount)
        return due, f"by {show_datetime(due)} ({deadline.text})"
    if deadline.kind == "working_days":
        day = add_working_days(moment.date(), deadline.amount, nation)
        return day, f"by {show_date(day)} ({deadline.text}, {NATION_NAMES[nation]})"
    return None, "no deadline set in the source"


# --------------------------------------------------------------------------- office hours


def is_office_hours(moment: datetime, office_hours: OfficeHours | None = None, nation: str = "ENG") -> bool:
    """True when the local authority's daytime teams are open: the close time is closed."""
    hours = office_hours or OfficeHours()
    if moment.weekday() not in hours.weekdays:
        return False
    if hours.closed_on_bank_holidays and is_bank_holiday(moment.date(), nation):
        return False
    return hours.open <= moment.time().replace(tzinfo=None) < hours.close


# --------------------------------------------------------------------------- parsing


class _Locator:
    """Find the line of a table, key or value in TOML text (tomllib gives none)."""

    _ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.\-]+)\s*\]\]\s*(#.*)?$")
    _TABLE_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]\s*(#.*)?$")

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str, bool]] = []  # (line, name, is_array)
        in_multiline: str | None = None
        for number, line in enumerate(self.lines, start=1):
            if in_multiline is None:
                m = self._ARRAY_HEADER.match(line)
                if m:
                    self.headers.append((number, m.group(1), True))
                else:
                    m = self._TABLE_HEADER.match(line)
                    if m:
                        self.headers.append((number, m.group(1), False))
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1 and in_multiline in (None, quote):
                    in_multiline = None if in_multiline == quote else quote

    def _range(self, start: int, name: str) -> tuple[int, int]:
        """Lines from `start` up to the next header that is not a subtable of `name`."""
        end = len(self.lines)
        for number, header, _ in self.headers:
            if number > start and not header.startswith(name + "."):
                end = number - 1
                break
        return start, end

    def top(self) -> tuple[int, int]:
        first = self.headers[0][0] - 1 if self.headers else len(self.lines)
        return 1, max(first, 1)

    def table(self, name: str) -> tuple[int, int] | None:
        for number, header, is_array in self.headers:
            if header == name and not is_array:
                return self._range(number, name)
        return None

    def subtable(self, name: str, span: tuple[int, int] | None) -> int | None:
        for number, header, is_array in self.headers:
            if header == name and not is_array and span and span[0] <= number <= span[1]:
                return number
        return None

    def step(self, index: int) -> tuple[int, int] | None:
        steps = [n for n, header, is_array in self.headers if header == "step" and is_array]
        if index < len(steps):
            return self._range(steps[index], "step")
        return None

    def key(self, name: str, span: tuple[int, int] | None) -> int | None:
        if span is None:
            return None
        pattern = re.compile(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=")
        for number in range(span[0], span[1] + 1):
            if pattern.match(self.lines[number - 1]):
                return number
        return None

    def value(self, value: object, span: tuple[int, int] | None, after: int | None = None) -> int | None:
        if span is None or not isinstance(value, str):
            return None
        needles = (f'"{value}"', f"'{value}'")
        for number in range(max(span[0], after or 0), span[1] + 1):
            if any(n in self.lines[number - 1] for n in needles):
                return number
        return None


def _conditions(raw: object, what: str, allow_fallback_only: bool = False) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise ValueError(f"{what} must be a condition name or a list of them")
    allowed = set(CONDITIONS) if allow_fallback_only else set(CONDITIONS) - FALLBACK_ONLY_CONDITIONS
    for item in items:
        if item not in allowed:
            raise ValueError(
                f"{what} has unknown condition {item!r} (known conditions: {', '.join(sorted(allowed))})"
            )
    return tuple(items)


def parse_template(text: str, filename: str) -> ProcedureTemplate:
    """Parse one template; TemplateError names the file, the line and the reason."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", message)
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        if m:
            raise TemplateError(
                filename, int(m.group(1)), f"not valid TOML: {reason} (column {m.group(2)})"
            ) from None
        line = len(text.splitlines()) or None
        raise TemplateError(filename, line, f"not valid TOML: {reason} (at end of file)") from None

    where = _Locator(text)
    top = where.top()

    def fail(reason: str, line: int | None) -> TemplateError:
        return TemplateError(filename, line, reason)

    def text_field(table: Mapping, name: str, span, label: str, required: bool = True) -> str:
        if name not in table:
            if required:
                raise fail(f"{label} has no {name!r}", span[0] if span else None)
            return ""
        value = table[name]
        if not isinstance(value, str) or (required and not value.strip()):
            raise fail(f"{label}: {name!r} must be non-empty text", where.key(name, span))
        return value.strip()

    for name in data:
        if name not in _TOP_FIELDS:
            table = where.table(name)
            raise fail(
                f"unknown top-level field {name!r} (known: {', '.join(sorted(_TOP_FIELDS))})",
                where.key(name, top) or (table[0] if table else None),
            )
    if "key" not in data:
        raise fail("the template has no 'key' (a short name such as 'my-org')", 1)
    key = text_field(data, "key", top, "the template")
    if not _SLUG.match(key):
        raise fail(
            f"key {key!r} must be lower-case letters, digits and hyphens", where.key("key", top)
        )
    name = text_field(data, "name", top, f"template {key!r}")
    source = text_field(data, "source", top, f"template {key!r}")
    organisation = text_field(data, "organisation", top, f"template {key!r}", required=False)
    notes = text_field(data, "notes", top, f"template {key!r}", required=False)

    # applies_to
    applies_span = where.table("applies_to")
    applies_line = applies_span[0] if applies_span else where.key("applies_to", top)
    if applies_span is None and applies_line:
        applies_span = (applies_line, applies_line)
    raw_applies = data.get("applies_to")
    if not isinstance(raw_applies, dict):
        raise fail(f"template {key!r} needs an [applies_to] table", applies_line or 1)
    for field_name in raw_applies:
        if field_name not in _APPLIES_FIELDS:
            raise fail(
                f"unknown field {field_name!r} in [applies_to] (known: {', '.join(sorted(_APPLIES_FIELDS))})",
                where.key(field_name, applies_span) or applies_line,
            )
    arrangement = raw_applies.get("arrangement", "any")
    if arrangement not in (*ARRANGEMENTS, "any"):
        raise fail(
            f"applies_to.arrangement {arrangement!r} is not one of commissioned, private, any",
            where.key("arrangement", applies_span) or applies_line,
        )
    client_type = raw_applies.get("client_type", "any")
    if client_type not in ("child", "adult", "any"):
        raise fail(
            f"applies_to.client_type {client_type!r} is not one of child, adult, any",
            where.key("client_type", applies_span) or applies_line,
        )
    kinds = raw_applies.get("kinds")
    kinds_line = where.key("kinds", applies_span) or applies_line
    if not isinstance(kinds, list) or not kinds:
        raise fail("applies_to.kinds must be a non-empty list of concern kinds", kinds_line)
    for kind in kinds:
        if kind not in KINDS:
            raise fail(
                f"applies_to.kinds has unknown kind {kind!r} (known kinds: {', '.join(KINDS)})",
                where.value(kind, applies_span) or kinds_line,
            )

    # steps
    raw_steps = data.get("step")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise fail(f"template {key!r} has no [[step]] tables", len(text.splitlines()) or 1)
    steps: list[Step] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_steps):
        span = where.step(index)
        header = span[0] if span else None
        if not isinstance(raw, dict):
            raise fail(f"step {index + 1} must be a table", header)
        label = f"step {raw.get('key')!r}" if isinstance(raw.get("key"), str) else f"step {index + 1}"
        for field_name in raw:
            if field_name not in _STEP_FIELDS:
                raise fail(
                    f"{label} has unknown field {field_name!r} (known: {', '.join(sorted(_STEP_FIELDS))})",
                    where.key(field_name, span) or header,
                )
        step_key = text_field(raw, "key", span, label)
        if not _SLUG.match(step_key):
            raise fail(f"{label}: key must be lower-case letters, digits and hyphens", where.key("key", span))
        if step_key in seen:
            raise fail(
                f"step key {step_key!r} is used twice (first at line {seen[step_key]})",
                where.key("key", span) or header,
            )
        line = where.key("key", span) or header or 0
        seen[step_key] = line
        title = text_field(raw, "title", span, label)
        detail = text_field(raw, "detail", span, label)
        step_source = text_field(raw, "source", span, label)
        role = raw.get("role")
        if role not in ROLE_INFO:
            if role is None:
                raise fail(f"{label} has no 'role' (known roles: {', '.join(ROLES)})", header)
            raise fail(
                f"{label} has unknown role {role!r} (known roles: {', '.join(ROLES)})",
                where.key("role", span) or header,
            )
        if "deadline" not in raw:
            raise fail(
                f"{label} has no 'deadline' (use one of: {', '.join(repr(f) for f in DEADLINE_FORMS)})",
                header,
            )
        try:
            deadline = parse_deadline(raw["deadline"])
        except ValueError as exc:
            raise fail(f"{label}: {exc}", where.key("deadline", span) or header) from None

        fallbacks: list[Fallback] = []
        raw_fallbacks = raw.get("fallback_roles", [])
        fb_line = where.key("fallback_roles", span) or header
        if not isinstance(raw_fallbacks, list):
            raise fail(f"{label}: fallback_roles must be a list of {{ role = ..., when = ... }}", fb_line)
        for fb in raw_fallbacks:
            if not isinstance(fb, dict) or "role" not in fb or "when" not in fb:
                raise fail(f"{label}: each fallback_roles entry needs a role and a when", fb_line)
            for field_name in fb:
                if field_name not in _FALLBACK_FIELDS:
                    raise fail(f"{label}: unknown field {field_name!r} in fallback_roles", fb_line)
            if fb["role"] not in ROLE_INFO:
                raise fail(
                    f"{label} has unknown fallback role {fb['role']!r} (known roles: {', '.join(ROLES)})",
                    where.value(fb["role"], span, after=fb_line) or fb_line,
                )
            try:
                when_fb = _conditions(fb["when"], f"{label}: fallback 'when'", allow_fallback_only=True)
            except ValueError as exc:
                bad = fb["when"] if isinstance(fb["when"], str) else None
                raise fail(str(exc), where.value(bad, span, after=fb_line) or fb_line) from None
            fallbacks.append(Fallback(fb["role"], when_fb))

        when: tuple[str, ...] = ()
        if "when" in raw:
            try:
                when = _conditions(raw["when"], f"{label}: 'when'")
            except ValueError as exc:
                raise fail(str(exc), where.key("when", span) or header) from None

        optional = False
        optional_when: tuple[str, ...] = ()
        if "optional" in raw:
            value = raw["optional"]
            if isinstance(value, bool):
                optional = value
            else:
                try:
                    optional_when = _conditions(value, f"{label}: 'optional' (true, false or a condition)")
                except ValueError as exc:
                    raise fail(str(exc), where.key("optional", span) or header) from None

        contact = None
        if "contact" in raw:
            raw_contact = raw["contact"]
            contact_line = where.subtable("step.contact", span) or where.key("contact", span) or header
            if not isinstance(raw_contact, dict):
                raise fail(f"{label}: contact must be a table with at least a name", contact_line)
            for field_name, value in raw_contact.items():
                if field_name not in _CONTACT_FIELDS:
                    raise fail(
                        f"{label}: unknown contact field {field_name!r} (known: {', '.join(sorted(_CONTACT_FIELDS))})",
                        where.key(field_name, span) or contact_line,
                    )
                if not isinstance(value, str):
                    raise fail(f"{label}: contact {field_name!r} must be text", where.key(field_name, span) or contact_line)
            if not raw_contact.get("name", "").strip():
                raise fail(f"{label}: contact needs a name", contact_line)
            contact = ContactInfo(**{k: v.strip() for k, v in raw_contact.items()})

        steps.append(
            Step(
                key=step_key,
                title=title,
                detail=" ".join(detail.split()),
                role=role,
                deadline=deadline,
                source=step_source,
                fallback_roles=tuple(fallbacks),
                when=when,
                optional=optional,
                optional_when=optional_when,
                contact=contact,
                line=line,
            )
        )

    return ProcedureTemplate(
        key=key,
        name=name,
        source=source,
        organisation=organisation,
        notes=" ".join(notes.split()),
        applies_to=AppliesTo(arrangement, client_type, tuple(kinds)),
        steps=tuple(steps),
        filename=filename,
    )


def load_templates(
    shipped: Sequence[tuple[str, str]], user: Sequence[tuple[str, str]] = ()
) -> tuple[dict[str, ProcedureTemplate], list[TemplateError]]:
    """Parse shipped then user templates given as (file name, text).

    A broken template is reported in `errors` and skipped; the others still load. A user
    template whose key matches a shipped one replaces it, keeping origin "user" and the
    shipped file name in `overrides`. Two files of the same origin with the same key: the
    second is reported and skipped.
    """
    templates: dict[str, ProcedureTemplate] = {}
    errors: list[TemplateError] = []
    for origin, files in (("shipped", shipped), ("user", user)):
        for filename, text in files:
            try:
                template = parse_template(text, filename)
            except TemplateError as exc:
                errors.append(exc)
                continue
            template = replace(template, origin=origin)
            previous = templates.get(template.key)
            if previous is not None:
                if previous.origin == origin:
                    errors.append(
                        TemplateError(
                            filename,
                            _Locator(text).key("key", _Locator(text).top()),
                            f"key {template.key!r} is already used by {previous.filename}; this file is skipped",
                        )
                    )
                    continue
                template = replace(template, overrides=previous.filename)
            templates[template.key] = template
    return templates, errors


# --------------------------------------------------------------------------- route choice

BASE_ROUTES = {  # (arrangement, client_type) -> route for a disclosure or observed concern
    ("commissioned", "child"): "commissioned",
    ("commissioned", "adult"): "commissioned",
    ("commissioned", "unknown"): "commissioned",
    ("private", "child"): "private-child",
    ("private", "adult"): "private-adult",
    # Unknown client on private work: use the child route. It is the safer default: a
    # person whose age is not recorded may be a child, the child route does not wait for
    # consent (seed 002) and goes to the children's team, and over-protecting an adult is
    # recoverable where under-protecting a child may not be. The note tells the
    # practitioner to record the client type so the right route can be used.
    ("private", "unknown"): "private-child",
}


def explain_route(
    arrangement: str,
    client_type: str,
    kind: str,
    immediate_danger: bool,
    site_template_key: str | None = None,
    available: Collection[str] | None = None,
) -> RouteChoice:
    """The routes that apply, in order, with the reasons a person needs to see.

    `site_template_key` is the template assigned to the site for the organisation the
    practitioner works under there; it replaces the default route for concerns about a
    client (disclosure / observed concern). `available`, when given, is the set of
    template keys that loaded: an assigned template that did not load is not used and a
    note says so.
    """
    if arrangement not in ARRANGEMENTS:
        raise ValueError(f"unknown arrangement {arrangement!r} (expected one of {', '.join(ARRANGEMENTS)})")
    if client_type not in CLIENT_TYPES:
        raise ValueError(f"unknown client type {client_type!r} (expected one of {', '.join(CLIENT_TYPES)})")
    if kind not in KINDS:
        raise ValueError(f"unknown concern kind {kind!r} (expected one of {', '.join(KINDS)})")

    notes: list[str] = []
    base = BASE_ROUTES[(arrangement, client_type)]
    if arrangement == "private" and client_type == "unknown":
        notes.append(
            "The client type is not recorded: the child route is used as the safer default. "
            "Record whether the client is a child or an adult."
        )
    if site_template_key:
        if available is not None and site_template_key not in available:
            notes.append(
                f"This site's procedure template {site_template_key!r} is not available "
                f"(missing or broken): the standard {base!r} route is used instead."
            )
        else:
            base = site_template_key

    routes: list[str] = []
    offered: list[str] = []
    # (immediate danger comes first whatever the kind: seed 002, police before anything)
    if immediate_danger:
        routes.append("immediate-danger")
        notes.append("Immediate danger: call the police on 999 first, then follow the rest.")
    if kind == "disclosure":
        routes.append(base)
    elif kind == "allegation_staff":
        routes.append("allegation-against-staff")
    elif kind == "whistleblowing":
        routes.append("whistleblowing")
    elif kind == "serious_incident":
        routes.append("serious-incident")
        offered.append(base)
        notes.append(
            "A serious incident involving a client is usually a safeguarding concern as well: "
            f"the {base!r} route is offered too."
        )
    else:  # data_breach
        routes.append("data-breach")
        offered.append("serious-incident")
        notes.append(
            "Some data breaches count as serious incidents (seed 002): the serious-incident "
            "route is offered too."
        )
    offered = [r for r in offered if r not in routes]
    return RouteChoice(tuple(routes), tuple(offered), tuple(notes))


def choose_route(
    arrangement: str,
    client_type: str,
    kind: str,
    immediate_danger: bool,
    site_template_key: str | None = None,
    available: Collection[str] | None = None,
) -> list[str]:
    """Route keys in order: the routes to follow, then any offered ones (see explain_route)."""
    return list(
        explain_route(arrangement, client_type, kind, immediate_danger, site_template_key, available).all
    )


# --------------------------------------------------------------------------- resolution


def _condition(name: str, ctx: ProcedureContext, in_hours: bool) -> bool | None:
    if name == "outside_office_hours":
        return not in_hours
    if name == "inside_office_hours":
        return in_hours
    if name == "parent_safe":
        return ctx.parent_safe
    if name == "parent_not_safe":
        return None if ctx.parent_safe is None else not ctx.parent_safe
    if name in ("commissioned", "private"):
        return None if ctx.arrangement is None else ctx.arrangement == name
    return bool(getattr(ctx, name))


def _any(names: Sequence[str], ctx: ProcedureContext, in_hours: bool) -> bool | None:
    results = [_condition(n, ctx, in_hours) for n in names]
    if any(r is True for r in results):
        return True
    if any(r is None for r in results):
        return None
    return False


def _describe(names: Sequence[str]) -> str:
    return " or ".join(CONDITIONS[n] for n in names)


def gap_message(role: str, hint: str = "add one (key: c)") -> str:
    label, scope = ROLE_INFO[role]
    if scope == "site":
        return f"No {label} recorded for this site — {hint}"
    if scope == "la":
        return f"No {label} recorded for the local authority — {hint}"
    if scope == "client":
        return f"No {label} recorded for this client — {hint}"
    if scope == "own_org":
        return f"No {label} recorded for your organisation — {hint}"
    return f"No number recorded for the {label} — {hint}"


def _contacts_for(role: str, step: Step, ctx: ProcedureContext) -> tuple[ContactInfo, ...]:
    found = tuple(ctx.contacts.get(role, ()))
    if not found and step.contact is not None and role == step.role:
        found = (step.contact,)
    return found


def _resolve_step(route: str, step: Step, ctx: ProcedureContext, in_hours: bool) -> ResolvedStep:
    role = step.role
    fallback_note = ""
    primary_missing = role != "self" and not _contacts_for(role, step, ctx)
    replaced_because_missing = False
    for fb in step.fallback_roles:
        reasons = [
            n
            for n in fb.when
            if (primary_missing if n == "no_contact" else _condition(n, ctx, in_hours) is True)
        ]
        if reasons:
            role = fb.role
            replaced_because_missing = "no_contact" in reasons
            why = " or ".join(f"no {ROLE_INFO[step.role][0]} is recorded" if n == "no_contact" else CONDITIONS[n]
                              for n in reasons)
            fallback_note = f"Instead of the {ROLE_INFO[step.role][0]}: the {ROLE_INFO[role][0]}, because {why}."
            break

    contacts = () if role == "self" else _contacts_for(role, step, ctx)
    if fallback_note and not contacts and role != "self":
        # "Instead of the DSL: the deputy DSL" beside "no deputy DSL recorded either"
        # read to a trial as a contradiction: nobody stands in yet.
        fallback_note = f"The {ROLE_INFO[role][0]} would stand in for the {ROLE_INFO[step.role][0]}, because {why}."
    gap = False
    message = ""
    if role != "self":
        if replaced_because_missing:
            # The primary contact is still missing data to fix, even when a fallback helps.
            gap = True
            message = gap_message(step.role, ctx.add_contact_hint)
            if not contacts:
                message += f"; no {ROLE_INFO[role][0]} recorded either"
        elif not contacts:
            gap = True
            message = gap_message(role, ctx.add_contact_hint)

    condition_note = ""
    if step.when and _any(step.when, ctx, in_hours) is None:
        condition_note = f"Only if {_describe(step.when)} — not decided yet."
    optional = step.optional
    if step.optional_when:
        holds = _any(step.optional_when, ctx, in_hours)
        if holds:
            optional = True
        elif holds is None:
            condition_note = (condition_note + " " if condition_note else "") + (
                f"Optional if {_describe(step.optional_when)}."
            )
    due, due_text = due_for(step.deadline, ctx.moment, ctx.nation)
    return ResolvedStep(
        route=route,
        step=step,
        role=role,
        contacts=contacts,
        gap=gap,
        gap_message=message,
        fallback_note=fallback_note,
        condition_note=condition_note,
        optional=optional,
        due=due,
        due_text=due_text,
    )


def resolve(
    templates: ProcedureTemplate | Sequence[ProcedureTemplate],
    ctx: ProcedureContext,
    only: Callable[[str, Step], bool] | None = None,
) -> Procedure:
    """Turn templates (in route order) into steps with contacts, gaps and due dates.

    `only(template key, step)`, when given, picks the steps to resolve: the others are
    left out altogether (neither resolved nor skipped), and those it keeps come out
    exactly as without it (each step is resolved on its own)."""
    if isinstance(templates, ProcedureTemplate):
        templates = (templates,)
    if ctx.nation not in NATIONS:
        raise ValueError(f"unknown nation {ctx.nation!r}: expected one of {', '.join(NATIONS)}")
    unknown = [role for role in ctx.contacts if role not in ROLE_INFO]
    if unknown:
        raise ValueError(f"contacts given for unknown roles {unknown} (known roles: {', '.join(ROLES)})")
    in_hours = is_office_hours(ctx.moment, ctx.office_hours, ctx.nation)
    steps: list[ResolvedStep] = []
    skipped: list[SkippedStep] = []
    for template in templates:
        for step in template.steps:
            if only is not None and not only(template.key, step):
                continue
            if step.when and _any(step.when, ctx, in_hours) is False:
                skipped.append(SkippedStep(template.key, step, f"Only if {_describe(step.when)}."))
                continue
            steps.append(_resolve_step(template.key, step, ctx, in_hours))
    return Procedure(
        templates=tuple(templates),
        steps=tuple(steps),
        skipped=tuple(skipped),
        in_office_hours=in_hours,
    )


def resolve_routes(
    route_keys: Sequence[str],
    available: Mapping[str, ProcedureTemplate],
    ctx: ProcedureContext,
    only: Callable[[str, Step], bool] | None = None,
) -> Procedure:
    """resolve() for route keys; a key with no loaded template becomes a note, never a crash."""
    found = [available[k] for k in route_keys if k in available]
    missing = [k for k in route_keys if k not in available]
    procedure = resolve(found, ctx, only)
    if missing:
        procedure = replace(
            procedure,
            notes=procedure.notes
            + tuple(f"The {k!r} procedure template is missing or broken: its steps cannot be shown." for k in missing),
        )
    return procedure
