"""The briefing: everything for the corridor, before a visit (DESIGN.md, "Before a
visit"; seed 003: know who the designated lead is and how the site wants concerns
reported). At 80x24 the essentials fit without scrolling; the rest follows below."""

from __future__ import annotations

import re
from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Header, Label, Static

from ..data import authorities as authorities_mod, contacts as contacts_mod, sites
from ..data.models import Contact, Site
from ..rules.dates import academic_year_start, show_date
from ..rules.policy import PolicyState
from ..rules.validity import TrainingState
from .formfields import shown_phone
from .sites import visit_words
from .footer import Footer

_CONCERN_STATUS = {"open": "open", "awaiting_outcome": "awaiting outcome"}


def first_sentence(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rstrip() + "…"
    return sentence


def person(contact: Contact, *, where: bool = True) -> str:
    """'Name  07700 900123 · where to find them' as markup."""
    parts = [escape(contact.name)]
    if contact.phone:
        parts.append(f"  [b]{escape(shown_phone(contact.phone))}[/b]")
    else:
        parts.append("  [dim]no phone[/]")
    if where and contact.where_to_find:
        parts.append(f" · {escape(contact.where_to_find)}")
    return "".join(parts)


class BriefingScreen(Screen):
    CSS_PATH = "briefing.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="briefing-back"),
        Binding("y", "copy_dsl", "Copy DSL no.", id="briefing-copy-dsl"),
        Binding("d", "set_dsl", "Set DSL", id="briefing-dsl"),
        Binding("o", "people", "People", id="briefing-people"),
        Binding("p", "policy", "Policy", id="briefing-policy"),
        Binding("r", "requirements", "Training", id="briefing-requirements"),
        Binding("e", "edit_site", "Edit site", id="briefing-edit", show=False),
    ]

    def __init__(self, site_id: int, reveal: str | None = None, reveal_person: str | None = None):
        """`reveal`: the id of a row to scroll into view once the briefing is built (the
        person the palette was asked for, when they are below the essentials);
        `reveal_person` the name of a person in post here, for the same."""
        super().__init__()
        self.site_id = site_id
        self.reveal = reveal
        self.reveal_person = reveal_person

    @property
    def new_concern_site_id(self) -> int:
        """ctrl+n here raises a concern with this site already chosen (concern_form)."""
        return self.site_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(id="briefing")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def on_screen_suspend(self) -> None:
        # Revealed while the briefing opens (it is built at mount and again at the
        # first resume); coming back to it later keeps where the person left it.
        self.reveal = self.reveal_person = None

    @property
    def site(self) -> Site | None:
        return sites.get_site(self.site_id)

    def dsl(self) -> Contact | None:
        return contacts_mod.current(self.site_id, "dsl", self.app.today())

    # -- building ----------------------------------------------------------------------

    def refresh_data(self) -> None:
        # Rebuilt after the old rows are gone (removal is asynchronous), one at a time.
        self.call_next(self._rebuild)

    async def _rebuild(self) -> None:
        if not self.app.vault.is_open:
            return
        body = self.query_one("#briefing", VerticalScroll)
        site = self.site
        if site is None:
            await body.remove_children()
            await body.mount(Static("This site is no longer in the vault.", classes="error"))
            return
        self.sub_title = f"Briefing: {site.name}"
        rows = self._essentials(site) + self._details(site)
        await body.remove_children()
        await body.mount_all(rows)
        if self.reveal is not None:
            shown = body.query(f"#{self.reveal}")
            if shown:
                shown.first().scroll_visible(animate=False)

    def _row(self, label: str, markup: str, row_id: str, extra: str = "") -> Horizontal:
        value = Static(markup, classes="value", id=f"{row_id}-value")
        return Horizontal(Label(label, classes="label"), value, classes=f"row {extra}".strip(), id=row_id)

    def _essentials(self, site: Site) -> list:
        today = self.app.today()
        in_post = contacts_mod.contacts_on(site, today)
        rows = []

        # Title: the site, what it is, and when I am next there.
        upcoming = sites.next_visit(site, today)
        where = " · ".join(
            part for part in (sites.KIND_NAMES.get(site.kind, site.kind),
                              site.local_authority.name if site.local_authority_id else "") if part
        )
        visit = f"  next visit [b]{visit_words(upcoming, today)}[/b]" if upcoming else ""
        archived = "  [$warning](archived)[/]" if site.archived else ""
        rows.append(Static(f"[b]{escape(site.name)}[/b]  [dim]{escape(where)}[/]{visit}{archived}",
                           id="briefing-title"))

        # The DSL, or the gap where the DSL should be.
        dsl = next((c for c in in_post if c.role == "dsl"), None)
        private = site.arrangement == "private"
        org = site.organisation if site.organisation_id else None
        if dsl is None and private:
            # Private clients: no establishment DSL; my organisation's lead is who I call.
            if org is not None and org.safeguarding_lead_name:
                lead = f"{escape(org.safeguarding_lead_name)}"
                if org.safeguarding_lead_phone:
                    lead += f"  [b]{escape(shown_phone(org.safeguarding_lead_phone))}[/b]"
                text = f"{lead} · {escape(org.short_name or org.name)}'s safeguarding lead (private clients: no site DSL)"
            else:
                text = "[$warning]No site DSL (private clients)[/]: follow your organisation's procedure, or press [b]d[/b]."
            rows.append(self._row("Lead", text, "b-dsl"))
        elif dsl is None:
            rows.append(self._row("DSL", "[$error]No DSL recorded[/] — press [b]d[/b] to add who it is.", "b-dsl", "gap"))
        else:
            text = person(dsl)
            if dsl.confirmed_on is None or dsl.confirmed_on < academic_year_start(today):
                text += " [$warning](not confirmed this school year)[/]" if site.kind == "school" else \
                        (" [$warning](details never confirmed)[/]" if dsl.confirmed_on is None else "")
            rows.append(self._row("DSL", text, "b-dsl"))
        deputies = [c for c in in_post if c.role == "deputy_dsl"]
        for index, deputy in enumerate(deputies):
            rows.append(self._row("Deputy" if index == 0 else "", person(deputy), f"b-deputy-{index}"))
        if not deputies and not (private and dsl is None):
            rows.append(self._row("Deputy", "[dim]none recorded[/]", "b-deputy-0"))
        head = next((c for c in in_post if c.role == "head"), None)
        manager = next((c for c in in_post if c.role == "manager"), None)
        if head is not None:
            rows.append(self._row("Head", person(head), "b-head"))
        elif manager is not None:
            rows.append(self._row("Manager", person(manager), "b-head"))
        elif site.kind == "school":
            rows.append(self._row("Head", "[dim]not recorded[/]", "b-head"))

        # How the site wants concerns reported.
        system = site.recording_system.strip()
        how = first_sentence(site.how_to_report) if site.how_to_report.strip() else ""
        if system and how:
            report = f"[b]{escape(system)}[/b] — {escape(how)}"
        elif system or how:
            report = f"[b]{escape(system)}[/b]" if system else escape(how)
        else:
            report = "[$warning]not recorded: ask the DSL[/] (press [b]e[/b] to note it)"
        rows.append(self._row("Report", report, "b-report"))

        # My policy sign-off.
        status = sites.site_policy_status(site, today)
        if status.state is PolicyState.SIGNED_CURRENT:
            policy = f"[$success]✓[/] {escape(status.line)}"
        elif status.state is PolicyState.RESIGN_DUE:
            policy = f"[$warning]! {escape(status.line)}[/]"
        else:
            policy = f"[$error]✗ {escape(status.line)}[/] — press [b]p[/b]"
        rows.append(self._row("Policy", policy, "b-policy"))

        # My training against what the site requires.
        lines = sites.requirements_for(site, today)
        if not lines:
            training = "[dim]no requirements recorded[/] (press [b]r[/b])"
        else:
            bits = []
            for line in lines:
                state = line.status.state
                if state in (TrainingState.OK, TrainingState.NO_EXPIRY):
                    bits.append(f"[$success]✓[/] {escape(line.kind_name)}")
                elif state is TrainingState.EXPIRING:
                    bits.append(f"[$warning]! {escape(line.label)}: {escape(line.status.line)}[/]")
                else:
                    bits.append(f"[$error]✗ {escape(line.label)}: {escape(line.status.line)}[/]")
            training = " · ".join(bits)
        rows.append(self._row("Training", training, "b-training"))

        # The local authority's numbers.
        la = site.local_authority if site.local_authority_id else None
        if la is None:
            rows.append(self._row("LA", "[$warning]no local authority linked[/] (press [b]e[/b])", "b-la"))
        else:
            def number(label: str, value: str) -> str:
                if value:
                    return f"{label} [b]{escape(shown_phone(value))}[/b]"
                return f"{label} [dim]—[/]"

            parts = [number("children", la.children_phone), number("adults", la.adults_phone)]
            ooh_c, ooh_a = la.children_out_of_hours_phone, la.adults_out_of_hours_phone
            if ooh_c and ooh_a and shown_phone(ooh_c) != shown_phone(ooh_a):
                parts += [number("out of hours (children)", ooh_c), number("(adults)", ooh_a)]
            else:
                parts.append(number("out of hours", ooh_c or ooh_a))
            parts.append(number("LADO", la.lado_phone))
            rows.append(self._row("LA", f"{escape(la.name)}: " + " · ".join(parts), "b-la"))

        # Open concerns here and what comes next on each.
        concerns = sites.open_concerns_at(site)
        if not concerns:
            rows.append(self._row("Concerns", "[dim]none open here[/]", "b-concerns"))
        for index, concern in enumerate(concerns):
            text = f"[b]{escape(concern.reference)}[/b] {_CONCERN_STATUS.get(concern.status, concern.status)}"
            if concern.next_action:
                due = ""
                if concern.next_due is not None:
                    overdue = concern.next_due < today
                    due = f", due {show_date(concern.next_due)}"
                    if overdue:
                        due = f"[$error]{due} (overdue)[/]"
                text += f" — next: {escape(concern.next_action)}{due}"
            else:
                text += " — [dim]no action pending[/]"
            rows.append(self._row("Concerns" if index == 0 else "", text, f"b-concern-{index}"))

        # The practical notes for the visit.
        notes = site.visit_notes.strip()
        rows.append(self._row("Visit", escape(notes) if notes else "[dim]no notes (signing in, parking, room)[/]", "b-visit"))
        return rows

    def _details(self, site: Site) -> list:
        today = self.app.today()
        rows: list = [Static("More", classes="section", id="b-more")]
        if site.how_to_report.strip():
            rows.append(self._row("In full", escape(site.how_to_report.strip()), "b-how"))
        in_post = contacts_mod.contacts_on(site, today)
        for index, c in enumerate(in_post):
            bits = [f"{escape(contacts_mod.role_name(c.role))}: {person(c)}"]
            if c.email:
                bits.append(escape(c.email))
            bits.append(f"since {show_date(c.from_date)}")
            bits.append(f"confirmed {show_date(c.confirmed_on)}" if c.confirmed_on else "[$warning]never confirmed[/]")
            rows.append(self._row("People" if index == 0 else "", " · ".join(bits), f"b-person-{index}"))
            if self.reveal_person is not None and c.name == self.reveal_person:
                self.reveal, self.reveal_person = f"b-person-{index}", None
        past = contacts_mod.past_contacts(site, today)
        if past:
            rows.append(self._row("Before", "; ".join(
                f"{escape(c.name)} ({escape(contacts_mod.role_name(c.role))} to {show_date(c.to_date)})" for c in past[:4]
            ) + (" …" if len(past) > 4 else "") + " (press [b]o[/b])", "b-past"))
        la = site.local_authority if site.local_authority_id else None
        if la is not None:
            extra = []
            for key, label in authorities_mod.EMAIL_FIELDS.items():
                if getattr(la, key):
                    extra.append(f"{label} {escape(getattr(la, key))}")
            if la.mental_health_phone:
                extra.append(f"{escape(la.mental_health_name or 'mental health')} [b]{escape(shown_phone(la.mental_health_phone))}[/b]")
            extra.append(f"office hours {la.office_open}-{la.office_close}")
            source = escape(la.source) if la.source else "entered by you"
            extra.append(f"source: {source}" + (f", verified {show_date(la.verified_on)}" if la.verified_on else ""))
            rows.append(self._row("LA", f"{escape(la.name)}: " + " · ".join(extra), "b-la-more"))
        pattern = sites.visit_pattern_words(site)
        rows.append(self._row("Visits", escape(pattern), "b-pattern"))
        about = []
        if site.address:
            about.append(escape(site.address))
        if site.organisation_id:
            about.append(f"working under {escape(site.organisation.name)}")
        if site.commissioning_organisation:
            about.append(f"commissioned by {escape(site.commissioning_organisation)}")
        if about:
            rows.append(self._row("Site", " · ".join(about), "b-about"))
        org = site.organisation if site.organisation_id else None
        if org is not None:
            # Concern steps call on these two ("your organisation's safeguarding lead"):
            # on the briefing too, a site commissioned through them shows who they are.
            people = []
            for role, name, phone, email in (
                ("safeguarding lead", org.safeguarding_lead_name, org.safeguarding_lead_phone, org.safeguarding_lead_email),
                ("manager", org.manager_name, org.manager_phone, org.manager_email),
            ):
                if name.strip() or phone:
                    text = f"{role} {escape(name.strip() or 'not named')}"
                    if phone:
                        text += f"  [b]{escape(shown_phone(phone))}[/b]"
                    if email:
                        text += f" {escape(email)}"
                    people.append(text)
            if people:
                rows.append(self._row("Own org", f"{escape(org.short_name or org.name)}: " + " · ".join(people),
                                      "b-own-org"))
        national = [n for n in authorities_mod.national_contacts() if n.phone]
        if national:
            rows.append(self._row("National", " · ".join(
                f"{escape(n.name)} [b]{escape(shown_phone(n.phone))}[/b]" for n in national), "b-national"))
        return rows

    # -- keys ------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_copy_dsl(self) -> None:
        dsl = self.dsl()
        site = self.site
        if dsl is None and site is not None and site.arrangement == "private" and site.organisation_id:
            org = site.organisation
            if org.safeguarding_lead_phone:
                number = shown_phone(org.safeguarding_lead_phone)
                self.app.copy_to_clipboard(number)
                self.notify(f"Copied {org.safeguarding_lead_name}'s number ({org.short_name or org.name}'s "
                            f"safeguarding lead), {number}.")
                return
        if dsl is None:
            self.notify("No DSL is recorded for this site: press d to add who it is.", severity="warning")
            return
        if not dsl.phone:
            self.notify(f"{dsl.name} has no phone number recorded: press o to add it.", severity="warning")
            return
        number = shown_phone(dsl.phone)
        self.app.copy_to_clipboard(number)
        self.notify(f"Copied {dsl.name}'s number, {number}.")

    def action_set_dsl(self) -> None:
        from .contacts import ContactFormScreen

        current = self.dsl()
        self.app.push_screen(ContactFormScreen(self.site_id, role="dsl", replacing=current))

    def action_people(self) -> None:
        from .contacts import ContactsScreen

        self.app.push_screen(ContactsScreen(self.site_id))

    def action_policy(self) -> None:
        from .policy import PolicyScreen

        self.app.push_screen(PolicyScreen(self.site_id))

    def action_requirements(self) -> None:
        from .requirements import RequirementsScreen

        self.app.push_screen(RequirementsScreen(self.site_id))

    def action_edit_site(self) -> None:
        from .site_form import SiteFormScreen

        site = self.site
        if site is not None:
            self.app.push_screen(SiteFormScreen(site))
