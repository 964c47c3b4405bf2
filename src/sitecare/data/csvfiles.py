"""CSV import and export: sites with their contacts, and the local authority directory.

The headers are documented in README.md ("CSV files"). An import is all or nothing:
every row is checked first, each bad row is reported by its number (the header is
row 1, as a spreadsheet shows it) and its reason, and nothing is written until the
whole file is clean. Re-importing a file does not duplicate anything: a site is the
same site when its name and local authority match (case and spacing ignored), a
contact the same contact when site, role and name match; a blank cell leaves what is
already recorded as it is.

Exports are written with mode 0600 (they hold people's names and numbers) through a
temp file and a rename, so a cut-off export never leaves half a file.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from ..rules.dates import DateError, parse_uk_date, show_date
from ..rules.phones import EmailError, PhoneError, check_email, normalise_phone, show_phone
from ..rules.visits import check_rrule
from . import contacts as contacts_mod
from .authorities import NATION_NAMES, AuthorityFields, find_authority
from .contacts import ROLE_NAMES, SINGLE_HOLDER_ROLES
from .models import (
    ARRANGEMENTS,
    NATIONS,
    SITE_KINDS,
    Contact,
    LocalAuthority,
    Organisation,
    Site,
    change,
)
from .sites import KIND_NAMES, find_site

SITE_COLUMNS = [
    "site_name",
    "kind",
    "local_authority",
    "address",
    "organisation",
    "arrangement",
    "commissioning_organisation",
    "recording_system",
    "how_to_report",
    "visit_notes",
    "visit_pattern",
    "visit_start",
    "resign_interval_months",
    "archived",
]
CONTACT_COLUMNS = [
    "contact_role",
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_where_to_find",
    "contact_from",
    "contact_to",
    "contact_confirmed_on",
    "contact_notes",
]
SITES_HEADER = SITE_COLUMNS + CONTACT_COLUMNS

AUTHORITY_COLUMNS = [
    "name",
    "nation",
    "children_phone",
    "children_email",
    "children_out_of_hours_phone",
    "adults_phone",
    "adults_email",
    "adults_out_of_hours_phone",
    "lado_phone",
    "lado_email",
    "mental_health_name",
    "mental_health_phone",
    "office_open",
    "office_close",
    "source",
    "verified_on",
    "notes",
]

MAX_BYTES = 20 * 1024 * 1024


class CsvFileError(Exception):
    """The file as a whole cannot be read (not a CSV, wrong headers); one sentence."""


@dataclass(frozen=True)
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}: {self.message}"


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, what: str, added: bool = True) -> None:
        target = self.added if added else self.updated
        target[what] = target.get(what, 0) + 1

    def summary(self) -> str:
        if self.errors:
            n = len(self.errors)
            return f"Nothing was imported: {n} row{'s' if n != 1 else ''} need{'s' if n == 1 else ''} fixing first."
        parts = []
        for what in sorted(set(self.added) | set(self.updated)):
            bits = []
            if self.added.get(what):
                bits.append(f"{self.added[what]} added")
            if self.updated.get(what):
                bits.append(f"{self.updated[what]} updated")
            parts.append(f"{what}: {', '.join(bits)}")
        if not parts:
            return "Nothing new: everything in the file was already recorded."
        return "Imported. " + "; ".join(parts) + "."


# -- reading ----------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """CSV bytes as text: UTF-8 with or without Excel's BOM."""
    if len(data) > MAX_BYTES:
        raise CsvFileError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: that is not a sitecare CSV.")
    if b"\x00" in data[:4096]:
        raise CsvFileError("The file is not a CSV (it holds binary data): export it from the spreadsheet as CSV.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(
            "The file is not UTF-8 text: in the spreadsheet, save it as 'CSV UTF-8'."
        ) from None


def _unguard(value: str) -> str:
    # Exports prefix cells that a spreadsheet would run as a formula with a quote.
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def _rows(text: str, known: list[str], required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """(row number, cells) for each non-blank row; the header is row 1."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvFileError("The file is empty: it needs a header row first.") from None
    except csv.Error as exc:
        raise CsvFileError(f"The file is not a readable CSV ({exc}).") from None
    names = [h.strip().lower() for h in header]
    unknown = [h for h in names if h and h not in known]
    if unknown:
        raise CsvFileError(
            f"Unknown column{'s' if len(unknown) != 1 else ''} {', '.join(unknown)}: "
            f"the columns are {', '.join(known)} (see README.md, 'CSV files')."
        )
    seen = set()
    for h in names:
        if h and h in seen:
            raise CsvFileError(f"The column {h} appears twice in the header.")
        seen.add(h)
    missing = [h for h in required if h not in names]
    if missing:
        raise CsvFileError(f"The header needs a {', '.join(missing)} column (see README.md, 'CSV files').")
    out = []
    try:
        for index, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(names) and any(c.strip() for c in cells[len(names):]):
                out.append((index, {"__too_many__": str(len(cells))}))
                continue
            row = {}
            for name, value in zip(names, cells):
                if name:
                    row[name] = _unguard(value.strip())
            out.append((index, row))
    except csv.Error as exc:
        raise CsvFileError(f"The file stops being a readable CSV near row {reader.line_num} ({exc}).") from None
    return out


class _Bad(ValueError):
    pass


def _phone(value: str, label: str) -> str:
    if not value:
        return ""
    try:
        return show_phone(normalise_phone(value))
    except PhoneError as exc:
        raise _Bad(f"{label}: {exc}") from None


def _email(value: str, label: str) -> str:
    if not value:
        return ""
    try:
        return check_email(value)
    except EmailError as exc:
        raise _Bad(f"{label}: {exc}") from None


def _date(value: str, label: str) -> date | None:
    if not value:
        return None
    try:
        return parse_uk_date(value)
    except DateError as exc:
        raise _Bad(f"{label}: {exc}") from None


def _words(value: str) -> str:
    return " ".join(value.replace("-", " ").replace("_", " ").split()).casefold()


def _choice(value: str, options: dict[str, str], label: str) -> str:
    """A code from its code or its words ("care home", "Care_home", "care_home")."""
    wanted = _words(value)
    for code, words in options.items():
        if wanted in (_words(code), _words(words)):
            return code
    raise _Bad(f"{label} “{value}” is not one of: {', '.join(options)}.")


_ROLE_WORDS = dict(ROLE_NAMES) | {"dsl": "Designated Safeguarding Lead"}
_ROLE_ALIASES = {
    "designated safeguarding lead": "dsl",
    "dsl": "dsl",
    "deputy": "deputy_dsl",
    "deputy dsl": "deputy_dsl",
    "deputy designated safeguarding lead": "deputy_dsl",
    "headteacher": "head",
    "head teacher": "head",
    "chair": "chair_of_governors",
}


def _role(value: str) -> str:
    alias = _ROLE_ALIASES.get(_words(value))
    if alias:
        return alias
    return _choice(value, ROLE_NAMES, "contact_role")


def _yes_no(value: str, label: str) -> bool | None:
    if not value:
        return None
    word = value.strip().casefold()
    if word in ("yes", "y", "true", "1"):
        return True
    if word in ("no", "n", "false", "0"):
        return False
    raise _Bad(f"{label} “{value}” should be yes or no.")


def _months(value: str, label: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise _Bad(f"{label} “{value}” should be a whole number of months, at least 1.")
    return int(value)


# -- sites and contacts ---------------------------------------------------------------------


@dataclass
class _SitePlan:
    row: int
    key: tuple[str, int | None]
    name: str
    values: dict[str, object]  # only the cells that were filled in


@dataclass
class _ContactPlan:
    row: int
    site_key: tuple[str, int | None]
    role: str
    name: str
    from_date: date | None
    to_date: date | None
    values: dict[str, object]


def _organisation(value: str) -> int:
    wanted = _words(value)
    for org in Organisation.select():
        if wanted in (_words(org.name), _words(org.short_name or "")) and wanted:
            return org.id
    raise _Bad(f"organisation “{value}” is not one sitecare knows (it has {', '.join(o.name for o in Organisation.select())}).")


class _Reasons:
    """Every problem in one row, so a file is fixed in one pass, not one cell at a time."""

    def __init__(self) -> None:
        self.reasons: list[str] = []

    def check(self, parse: Callable, *args, default=None):
        try:
            return parse(*args)
        except _Bad as exc:
            self.reasons.append(str(exc))
            return default

    def add(self, reason: str) -> None:
        self.reasons.append(reason)

    def raise_if_any(self) -> None:
        if self.reasons:
            raise _Bad(" ".join(self.reasons))


def _rrule(value: str) -> str:
    try:
        return check_rrule(value)
    except ValueError as exc:
        raise _Bad(f"visit_pattern: {exc}") from None


def _site_cells(cells: dict[str, str], authority_id: int | None, why: _Reasons) -> dict[str, object]:
    values: dict[str, object] = {}
    if authority_id is not None:
        values["local_authority"] = authority_id
    for text_field in ("address", "commissioning_organisation", "recording_system", "how_to_report", "visit_notes"):
        if cells.get(text_field):
            values[text_field] = cells[text_field]
    checks = [
        ("kind", "kind", lambda v: _choice(v, KIND_NAMES, "kind")),
        ("organisation", "organisation", _organisation),
        ("arrangement", "arrangement", lambda v: _choice(v, {a: a for a in ARRANGEMENTS}, "arrangement")),
        ("visit_pattern", "visit_rule", _rrule),
        ("visit_start", "visit_start", lambda v: _date(v, "visit_start")),
        ("resign_interval_months", "resign_interval_months", lambda v: _months(v, "resign_interval_months")),
        ("archived", "archived", lambda v: _yes_no(v, "archived")),
    ]
    for column, key, parse in checks:
        if cells.get(column):
            value = why.check(parse, cells[column])
            if value is not None:
                values[key] = value
    return values


def _contact_cells(cells: dict[str, str], why: _Reasons) -> tuple[str, str, date | None, date | None, dict[str, object]] | None:
    name = " ".join(cells.get("contact_name", "").split())
    others = [c for c in CONTACT_COLUMNS if c not in ("contact_name",) and cells.get(c)]
    if not name:
        if others:
            why.add(f"{others[0]} is filled in but contact_name is empty: whose details are they?")
        return None
    role = None
    if not cells.get("contact_role"):
        why.add(f"contact_role is empty: say what {name} is at the site (dsl, deputy_dsl, head, ...).")
    else:
        role = why.check(_role, cells["contact_role"])
    start = why.check(_date, cells.get("contact_from", ""), "contact_from")
    end = why.check(_date, cells.get("contact_to", ""), "contact_to")
    if start and end and end < start:
        why.add(f"contact_to ({cells['contact_to']}) is before contact_from ({cells['contact_from']}).")
    values: dict[str, object] = {}
    if cells.get("contact_phone"):
        values["phone"] = why.check(_phone, cells["contact_phone"], "contact_phone", default="")
    if cells.get("contact_email"):
        values["email"] = why.check(_email, cells["contact_email"], "contact_email", default="")
    if cells.get("contact_where_to_find"):
        values["where_to_find"] = cells["contact_where_to_find"]
    if cells.get("contact_notes"):
        values["notes"] = cells["contact_notes"]
    confirmed = why.check(_date, cells.get("contact_confirmed_on", ""), "contact_confirmed_on")
    if confirmed is not None:
        values["confirmed_on"] = confirmed
    if role is None:
        return None
    return role, name, start, end, values


def _differs(field_name: str, old: object, new: object) -> bool:
    """Whether a cell changes what is recorded: a number stored as "01234 276693" and
    read as "01234276693" is the same number."""
    if field_name.endswith("phone") and isinstance(old, str) and isinstance(new, str):
        try:
            return normalise_phone(old) != normalise_phone(new) if old and new else old != new
        except PhoneError:
            return old != new
    if field_name.endswith("email") and isinstance(old, str) and isinstance(new, str):
        return old.casefold() != new.casefold()
    return old != new


def _key(name: str, authority_id: int | None) -> tuple[str, int | None]:
    return (" ".join(name.split()).casefold(), authority_id)


def _site_named(name: str, planned: dict) -> tuple[str, int | None] | None:
    """A row with no local_authority belongs to the site of that name given earlier in
    the file, else to the one site of that name already recorded (when only one is)."""
    wanted = " ".join(name.split()).casefold()
    in_file = [key for key in planned if key[0] == wanted]
    if len(in_file) == 1:
        return in_file[0]
    if in_file:
        return None
    recorded = [s for s in Site.select() if " ".join(s.name.split()).casefold() == wanted]
    if len(recorded) == 1:
        return _key(recorded[0].name, recorded[0].local_authority_id)
    return None


def _overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return a_from <= (b_to or date.max) and b_from <= (a_to or date.max)


def import_sites(text: str, today: date) -> ImportReport:
    """Check every row, then (only if all are good) add or update sites and contacts."""
    report = ImportReport()
    rows = _rows(text, SITES_HEADER, ["site_name"])
    sites: dict[tuple[str, int | None], _SitePlan] = {}
    contacts: list[_ContactPlan] = []
    for number, cells in rows:
        if "__too_many__" in cells:
            report.errors.append(RowError(number, f"it has {cells['__too_many__']} cells, more than the header's columns."))
            continue
        why = _Reasons()
        try:
            name = " ".join(cells.get("site_name", "").split())
            if not name:
                why.add("site_name is empty: every row names its site.")
            authority_id = None
            if cells.get("local_authority"):
                authority = find_authority(cells["local_authority"])
                if authority is None:
                    why.add(
                        f"local_authority “{cells['local_authority']}” is not in the directory: "
                        "add it (or import the authorities file) first."
                    )
                else:
                    authority_id = authority.id
            values = _site_cells(cells, authority_id, why)
            contact = _contact_cells(cells, why)
            why.raise_if_any()
        except _Bad as exc:
            report.errors.append(RowError(number, str(exc)))
            continue
        key = _key(name, authority_id)
        if authority_id is None and not cells.get("local_authority"):
            key = _site_named(name, sites) or key
        plan = sites.get(key)
        if plan is None:
            sites[key] = _SitePlan(number, key, name, values)
        else:
            clash = next((k for k, v in values.items() if k in plan.values and plan.values[k] != v), None)
            if clash is not None:
                report.errors.append(
                    RowError(number, f"{name}'s {clash} differs from row {plan.row}: give a site's details once, or the same on every row.")
                )
                continue
            plan.values.update(values)
        if contact is not None:
            role, cname, start, end, cvalues = contact
            contacts.append(_ContactPlan(number, key, role, cname, start, end, cvalues))

    # Within the file: one person listed twice, or two current holders of a one-person role.
    seen: dict[tuple, int] = {}
    for c in contacts:
        ident = (c.site_key, c.role, c.name.casefold(), c.from_date)
        if ident in seen:
            report.errors.append(RowError(c.row, f"{c.name} as {ROLE_NAMES[c.role]} repeats row {seen[ident]}."))
        seen[ident] = c.row
    for a_index, a in enumerate(contacts):
        if a.role not in SINGLE_HOLDER_ROLES:
            continue
        for b in contacts[:a_index]:
            if b.site_key != a.site_key or b.role != a.role or b.name.casefold() == a.name.casefold():
                continue
            a_from, b_from = a.from_date or today, b.from_date or today
            if a.to_date is None and b.to_date is None:
                # Two current holders: the later start replaces the earlier (as in the
                # app), so only the same start day is a clash.
                clash = a_from == b_from
            else:
                clash = _overlaps(a_from, a.to_date, b_from, b.to_date)
            if clash:
                report.errors.append(
                    RowError(a.row, f"{a.name} and {b.name} (row {b.row}) would both be {ROLE_NAMES[a.role]} on the same days: give them different contact_from dates, or the earlier one a contact_to date.")
                )
                break
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
        return report

    class _Rollback(Exception):
        pass

    try:
        with change():
            site_rows: dict[tuple[str, int | None], Site] = {}
            for key, plan in sites.items():
                existing = find_site(plan.name, key[1])
                if existing is None:
                    values = dict(plan.values)
                    values.setdefault("created_on", today)
                    site_rows[key] = Site.create(name=plan.name, **values)
                    report.count("sites")
                else:
                    changed = False
                    for k, v in plan.values.items():
                        current = getattr(existing, k + "_id" if k in ("local_authority", "organisation") else k)
                        if current != v:
                            setattr(existing, k, v)
                            changed = True
                    if changed:
                        existing.save()
                        report.count("sites", added=False)
                    site_rows[key] = existing
            # Past holders first, so a current holder's start ends nobody by mistake.
            ordered = sorted(contacts, key=lambda c: (c.to_date is None, c.from_date or today, c.row))
            for c in ordered:
                site = site_rows[c.site_key]
                try:
                    _apply_contact(site, c, today, report)
                except ValueError as exc:
                    report.errors.append(RowError(c.row, str(exc)))
            if report.errors:
                raise _Rollback
    except _Rollback:
        report.errors.sort(key=lambda e: e.row)
        report.added.clear()
        report.updated.clear()
    return report


def _apply_contact(site: Site, c: _ContactPlan, today: date, report: ImportReport) -> None:
    existing = contacts_mod.find_contact(site, c.role, c.name, c.from_date)
    if existing is not None:
        changes = {k: v for k, v in c.values.items() if _differs(k, getattr(existing, k), v)}
        if c.to_date is not None and existing.to_date != c.to_date:
            if c.to_date < existing.from_date:
                raise ValueError(f"contact_to is before {existing.name} started ({show_date(existing.from_date)}).")
            changes["to_date"] = c.to_date
        if changes:
            for k, v in changes.items():
                setattr(existing, k, v)
            existing.save()
            report.count("contacts", added=False)
        return
    start = c.from_date or today
    if c.to_date is not None or c.role not in SINGLE_HOLDER_ROLES:
        if c.role in SINGLE_HOLDER_ROLES:
            for other in Contact.select().where((Contact.site == site) & (Contact.role == c.role)):
                if _overlaps(start, c.to_date, other.from_date, other.to_date):
                    raise ValueError(
                        f"{c.name}'s dates overlap {other.name}, already recorded as "
                        f"{ROLE_NAMES[c.role]} from {show_date(other.from_date)}."
                    )
        Contact.create(site=site, role=c.role, name=c.name, from_date=start, to_date=c.to_date, **c.values)
    else:
        # A new current holder of a one-person role replaces whoever holds it.
        contacts_mod.add_contact(site, c.role, c.name, start, **c.values)
    report.count("contacts")


# -- local authorities -----------------------------------------------------------------------


def _nation(value: str) -> str:
    if not value:
        return ""
    return _choice(value, NATION_NAMES, "nation")


_AUTHORITY_PHONES = ("children_phone", "children_out_of_hours_phone", "adults_phone", "adults_out_of_hours_phone", "lado_phone", "mental_health_phone")
_AUTHORITY_EMAILS = ("children_email", "adults_email", "lado_email")


def _time(value: str, label: str) -> str:
    parts = value.split(":")
    if len(parts) == 2 and all(p.isdigit() for p in parts) and 0 <= int(parts[0]) <= 23 and 0 <= int(parts[1]) <= 59:
        return f"{int(parts[0]):02d}:{int(parts[1]):02d}"
    raise _Bad(f"{label} “{value}” is not a time: write it as 09:00.")


def import_authorities(text: str, today: date | None = None) -> ImportReport:
    """With `today`, a verified_on after it is refused (see authorities.save_authority)."""
    report = ImportReport()
    rows = _rows(text, AUTHORITY_COLUMNS, ["name"])
    plans: dict[str, tuple[int, str, dict[str, object]]] = {}
    for number, cells in rows:
        if "__too_many__" in cells:
            report.errors.append(RowError(number, f"it has {cells['__too_many__']} cells, more than the header's columns."))
            continue
        why = _Reasons()
        try:
            name = " ".join(cells.get("name", "").split())
            if not name:
                why.add("name is empty: every row names its local authority.")
            values: dict[str, object] = {}
            checks = [("nation", _nation)]
            checks += [(key, lambda v, k=key: _phone(v, k)) for key in _AUTHORITY_PHONES]
            checks += [(key, lambda v, k=key: _email(v, k)) for key in _AUTHORITY_EMAILS]
            checks += [(key, lambda v, k=key: _time(v, k)) for key in ("office_open", "office_close")]
            checks += [("verified_on", lambda v: _date(v, "verified_on"))]
            for key, parse in checks:
                if cells.get(key):
                    value = why.check(parse, cells[key])
                    if value is not None:
                        values[key] = value
            for key in ("mental_health_name", "source", "notes"):
                if cells.get(key):
                    values[key] = cells[key]
            checked = values.get("verified_on")
            if today is not None and isinstance(checked, date) and checked > today:
                why.add(f"verified_on ({show_date(checked)}) is after today: give the day the numbers were checked.")
            why.raise_if_any()
        except _Bad as exc:
            report.errors.append(RowError(number, str(exc)))
            continue
        key = name.casefold()
        if key in plans:
            report.errors.append(RowError(number, f"{name} is already in row {plans[key][0]}."))
            continue
        plans[key] = (number, name, values)
    for number, name, values in plans.values():
        existing = find_authority(name)
        opening = values.get("office_open", existing.office_open if existing else "09:00")
        closing = values.get("office_close", existing.office_close if existing else "17:00")
        if closing <= opening:
            report.errors.append(RowError(number, f"office_close ({closing}) must be after office_open ({opening})."))
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
        return report
    with change():
        for number, name, values in plans.values():
            existing = find_authority(name)
            if existing is None:
                LocalAuthority.create(name=name, **values)
                report.count("local authorities")
                continue
            changed = {k: v for k, v in values.items() if _differs(k, getattr(existing, k), v)}
            if changed:
                for k, v in changed.items():
                    setattr(existing, k, v)
                existing.save()
                report.count("local authorities", added=False)
    return report


# -- exporting ---------------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    # A cell starting like a formula would run in a spreadsheet: quote it (undone on import).
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _shown_phone(number: str) -> str:
    if not number:
        return ""
    try:
        return show_phone(number)
    except PhoneError:
        return number


def _csv(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def count_rows(text: str) -> int:
    """Data rows in CSV text (a quoted cell may hold line breaks)."""
    return max(sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1, 0)


def export_sites() -> str:
    """Every site (archived ones too) with every contact, past and present."""
    rows: list[list[object]] = []
    order = {r: i for i, r in enumerate(ROLE_NAMES)}
    for site in Site.select().order_by(Site.name, Site.id):
        base = [
            site.name,
            site.kind,
            site.local_authority.name if site.local_authority_id else "",
            site.address,
            site.organisation.name if site.organisation_id else "",
            site.arrangement,
            site.commissioning_organisation,
            site.recording_system,
            site.how_to_report,
            site.visit_notes,
            site.visit_rule,
            site.visit_start,
            site.resign_interval_months,
            site.archived,
        ]
        people = sorted(site.contacts, key=lambda c: (order.get(c.role, 99), c.from_date, c.name))
        if not people:
            rows.append(base + [""] * len(CONTACT_COLUMNS))
        for c in people:
            rows.append(
                base
                + [c.role, c.name, _shown_phone(c.phone), c.email, c.where_to_find, c.from_date, c.to_date, c.confirmed_on, c.notes]
            )
    return _csv(SITES_HEADER, rows)


def export_authorities() -> str:
    rows = []
    for la in LocalAuthority.select().order_by(LocalAuthority.name):
        row = []
        for column in AUTHORITY_COLUMNS:
            value = getattr(la, column)
            row.append(_shown_phone(value) if column in _AUTHORITY_PHONES else value)
        rows.append(row)
    return _csv(AUTHORITY_COLUMNS, rows)


def write_private(path: Path | str, text: str, *, opener: Callable = os.open) -> Path:
    """Write `text` (UTF-8) to `path` readable by me only (0600), whole or not at all."""
    return write_private_bytes(path, text.encode("utf-8"), opener=opener)


def write_private_bytes(path: Path | str, data: bytes, *, opener: Callable = os.open) -> Path:
    """Write `data` to `path` readable by me only (0600), whole or not at all.

    Plain bytes and a path: safe to call from a worker thread.
    """
    target = Path(path).expanduser()
    if target.is_dir():
        raise OSError(21, f"{target} is a folder: give a file name, such as {target / 'sites.csv'}")
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = opener(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


def read_file(path: Path | str) -> bytes:
    """The file's bytes (safe in a worker thread); OSError with a plain message."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise OSError(21, f"{target} is a folder, not a CSV file")
    size = target.stat().st_size
    if size > MAX_BYTES:
        raise CsvFileError(f"{target.name} is larger than {MAX_BYTES // (1024 * 1024)} MB: that is not a sitecare CSV.")
    return target.read_bytes()


def os_error_message(exc: OSError, path: Path | str) -> str:
    reason = exc.strerror or str(exc)
    if exc.errno == 2:
        return f"There is no file {path}: check the name and folder."
    if exc.errno == 13:
        return f"sitecare may not open {path} (permission denied)."
    if exc.errno == 21:
        return f"{path} is a folder: give a file name."
    return f"{path} could not be used ({reason})."
