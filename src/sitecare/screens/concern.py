"""One concern: its procedure as a checklist, its append-only record, its follow-up.

The steps come from the procedure engine for this site and client, with the contacts in
post on the concern's date, deadlines in the site's nation's working days, and every
missing contact shown as a gap. Completing a step, adding an entry, a correction, a
decision, an outcome, sign-off and re-opening all append to the chronology; nothing here
edits or removes an entry.
"""

from __future__ import annotations

import textwrap
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from ..data import concerns
from ..data.models import Concern
from ..rules.concerns import CONSENT_LABELS, STATUS_LABELS, show_moment
from ..rules.dates import show_date
from ..rules.procedures import ROLE_INFO
from ..rules.workdays import NATION_NAMES
from ..rules.words import sentence
from . import concern_dialogs as dialogs
from .footer import Footer
from .keys import NEW_CONCERN

_STATUS_STYLE = {"open": "$warning", "awaiting_outcome": "$primary", "closed": "$success"}


def _box(done: bool) -> str:
    return "\\[x]" if done else "\\[ ]"


class ConcernScreen(Screen):
    CSS_PATH = "concern.tcss"
    BINDINGS = [
        NEW_CONCERN,  # first, as on the other main screens (a trial found it last here)
        Binding("escape", "back", "Back", id="concern_back", show=False),
        Binding("d", "done", "Done", id="concern_done"),
        Binding("e", "add_entry", "Entry", id="concern_entry"),
        Binding("r", "correct", "Correct", id="concern_correct", show=False),
        Binding("f", "follow_up", "Action", id="concern_action", show=False),
        Binding("y", "decide", "Decide", id="concern_decide", show=False),
        Binding("w", "await_outcome", "Await outcome", id="concern_await", show=False),
        Binding("o", "outcome", "Outcome", id="concern_outcome", show=False),
        Binding("g", "sign_off", "Sign off", id="concern_sign_off"),
        Binding("u", "reopen", "Re-open", id="concern_reopen"),
        Binding("x", "export", "Export", id="concern_export", show=False),
        Binding("i", "details", "Change details", id="concern_details", show=False),
        Binding("1", "tab('tab-steps')", "Steps", show=False),
        Binding("2", "tab('tab-record')", "Record", show=False),
        Binding("3", "tab('tab-actions')", "Actions", show=False),
    ]

    def __init__(self, concern_id: int):
        super().__init__()
        self.concern_id = concern_id
        self.procedure: concerns.ConcernProcedure | None = None
        self._step_options: dict[str, concerns.StepState] = {}
        self._entry_ids: list[int] = []
        self._action_ids: list[int] = []
        self._just_done = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="concern-top"):
            yield Static("", id="concern-summary")
            yield Static("", id="concern-danger")
        with TabbedContent(id="concern-tabs"):
            with TabPane("Steps", id="tab-steps"):
                yield Static("", id="concern-notes")
                yield OptionList(id="concern-steps")
            with TabPane("Record", id="tab-record"):
                yield OptionList(id="concern-record")
            with TabPane("Actions", id="tab-actions"):
                yield OptionList(id="concern-actions")
        yield Static("", id="concern-keys")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#concern-steps", OptionList).focus()

    def on_screen_resume(self) -> None:
        if self.app.vault.is_open:
            self.refresh_data()

    def on_resize(self) -> None:
        if self.is_mounted and self.app.vault.is_open and self.procedure is not None:
            self.refresh_data()

    @property
    def concern(self) -> Concern:
        return Concern.get_by_id(self.concern_id)

    # -- drawing -----------------------------------------------------------------------

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        concern = Concern.get_or_none(Concern.id == self.concern_id)
        if concern is None:
            self.notify("That concern is no longer in the vault.", severity="error")
            self.app.pop_screen()
            return
        self.procedure = concerns.procedure_for(concern)
        self.title = f"Concern {concern.reference}"
        self._summary(concern)
        self._steps(concern)
        self._record(concern)
        self._actions(concern)
        self._keys(concern)
        self.refresh_bindings()

    def _keys(self, concern: Concern) -> None:
        if concern.status == "closed":
            keys = "u re-open · x export · 1 2 3 tabs · esc back"
        else:
            keys = ["f action", "o outcome"]
            if concern.status == "open":
                keys.append("w await")
            if concerns.relevant_decisions(concern):
                keys.append("y decide")
            keys += ["r correct", "i details", "x export"]
            keys = " · ".join(keys)
        self.query_one("#concern-keys", Static).update(keys)

    def _summary(self, concern: Concern) -> None:
        site = concern.site.name if concern.site is not None else "no site recorded"
        status = STATUS_LABELS.get(concern.status, concern.status)
        if concern.status == "closed" and concern.closed_on:
            status += f" (signed off {show_date(concern.closed_on)})"
        client_type = {"child": "a child", "adult": "an adult"}.get(concern.client_type, "client type not known")
        client = f"{concern.client_reference} ({client_type})" if concern.client_reference else client_type
        lines = [
            f"[b]{escape(concern.reference)}[/b] · {escape(site)} · "
            f"[{_STATUS_STYLE.get(concern.status, '$text')}]{escape(status)}[/]",
            f"{escape(concerns.kind_label(concern.kind))} · {escape(client)} · "
            f"noticed {show_moment(concern.noticed_at)}",
        ]
        if concern.categories:
            lines.append(f"[$text-muted]Categories: {escape(', '.join(concern.categories))}[/]")
        self.query_one("#concern-summary", Static).update("\n".join(lines))
        danger = self.query_one("#concern-danger", Static)
        danger.display = concern.immediate_danger and concern.status != "closed"
        danger.update("[b]Immediate danger: call the police on 999 first[/b], then the steps below.")

    def _steps(self, concern: Concern) -> None:
        assert self.procedure is not None
        procedure = self.procedure
        now = self.app.now()
        notes = [escape(n) for n in procedure.notes if not n.startswith("Immediate danger")]
        if not procedure.in_office_hours and any(
            s.resolved.fallback_note and "office hours" in s.resolved.fallback_note for s in procedure.steps
        ):
            notes.append(f"Noticed out of office hours ({NATION_NAMES[procedure.nation]}): out-of-hours lines shown.")
        if concern.status != "closed" and (concern.site is None or concern.client_type == "unknown"):
            missing = " and ".join(x for x, gap in (("the site", concern.site is None),
                                                     ("whether the client is a child or an adult", concern.client_type == "unknown")) if gap)
            notes.append(f"[$warning]Not recorded: {escape(missing)} — i changes the details.[/]")
        if procedure.decisions_open and concern.status != "closed":
            questions = "; ".join(concerns.DECISIONS[d] for d in procedure.decisions_open)
            notes.append(f"[$warning]Not decided yet (y): {escape(questions)}[/]")
        for error in procedure.template_errors:
            notes.append(f"[$error]Template not loaded: {escape(str(error))}[/]")
        notes_widget = self.query_one("#concern-notes", Static)
        notes_widget.update("\n".join(notes))
        notes_widget.display = bool(notes)

        steps = self.query_one("#concern-steps", OptionList)
        highlighted = steps.highlighted
        steps.clear_options()
        self._step_options = {}
        options: list[Option] = []
        route = None
        number = 0
        for state in procedure.steps:
            resolved = state.resolved
            if resolved.route != route:
                route = resolved.route
                name = procedure.names.get(route, route)
                heading = f"[b]{escape(name)}[/b]"
                if state.offered:
                    heading += " [$text-muted](offered: follow it if it applies)[/]"
                options.append(Option(heading, id=f"route-{len(options)}", disabled=True))
            number += 1
            options.append(Option(self._step_prompt(number, state, now), id=f"step-{state.key}"))
            self._step_options[f"step-{state.key}"] = state
        if not options:
            options.append(Option("No steps: the procedure templates did not load (see the notes above).", disabled=True))
        steps.add_options(options)
        keep = highlighted is not None and highlighted < steps.option_count
        if keep:
            option = options[highlighted]
            state = self._step_options.get(option.id or "")
            if state is not None and state.done is not None and state.key == self._just_done:
                keep = False  # just completed: on to the next step still to do
        self._just_done = ""
        if keep:
            steps.highlighted = highlighted
        else:
            first = next((i for i, o in enumerate(options) if o.id and o.id.startswith("step-") and
                          self._step_options[o.id].done is None), None)
            steps.highlighted = first if first is not None else next(
                (i for i, o in enumerate(options) if not o.disabled), None)
        done = sum(1 for s in procedure.steps if s.done is not None)
        self.query_one(TabbedContent).get_tab("tab-steps").label = f"Steps {done}/{len(procedure.steps)}"

    def _width(self) -> int:
        """Columns an option's text can use (the list minus its scrollbar and margin)."""
        return max(30, self.size.width - 3)

    def _lines(self, text: str, style: str = "", indent: int = 4) -> list[str]:
        """Wrap plain text with a hanging indent (markup wrapping starts at column 0)."""
        width = self._width() - indent
        wrapped = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
        pad = " " * indent
        return [pad + (f"[{style}]{escape(line)}[/]" if style else escape(line)) for line in wrapped]

    def _step_prompt(self, number: int, state: concerns.StepState, now: datetime) -> str:
        resolved = state.resolved
        step = resolved.step
        head_plain = f"[x] {number}. {step.title}"
        title = f"{_box(state.done is not None)} {number}. [b]{escape(step.title)}[/b]"
        if resolved.optional:
            head_plain += " (optional)"
            title += " [$text-muted](optional)[/]"
        lines = [title]
        if step.deadline.kind != "none":
            due = resolved.due_by
            overdue = state.done is None and due is not None and due < now and step.deadline.kind not in ("immediately", "after_session")
            style = "$error" if overdue else ("$text-muted" if state.done is not None else "$warning")
            due_text = resolved.due_text + (" — OVERDUE" if overdue else "")
            if len(head_plain) + 3 + len(due_text) <= self._width():
                lines[0] += f" · [{style}]{escape(due_text)}[/]"
            else:
                lines += self._lines(sentence(due_text), style)
        if resolved.role == "self":
            lines.append("    You")
        role = ROLE_INFO.get(resolved.role, (resolved.role, ""))[0]
        for contact in resolved.contacts:
            parts = [f"{contact.name} ({role})" if role.lower() not in contact.name.lower() else contact.name]
            parts += [p for p in (contact.phone, contact.email, contact.hours) if p]
            lines += self._lines(" · ".join(parts))
        if resolved.fallback_note:
            lines += self._lines(resolved.fallback_note, "$text-muted")
        if resolved.gap:
            lines += self._lines(f"Gap: {resolved.gap_message}", "$error")
        for contact in state.also:
            own = ROLE_INFO.get(resolved.step.role, (resolved.step.role, ""))[0]
            parts = [f"Meanwhile, the {own}: {contact.name}"] + [p for p in (contact.phone, contact.email, contact.hours) if p]
            lines += self._lines(" · ".join(parts) + " (may not answer now)", "$warning")
        if resolved.condition_note:
            lines += self._lines(resolved.condition_note, "$warning")
        if state.done is not None:
            entry = state.done
            how = f", {entry.how}" if entry.how else ""
            lines += self._lines(f"Done {show_moment(entry.at)} by {entry.who or 'me'}{how}", "$success")
        return "\n".join(lines)

    def _record(self, concern: Concern) -> None:
        record = self.query_one("#concern-record", OptionList)
        highlighted = record.highlighted
        record.clear_options()
        numbers = concerns.entry_numbers(concern)
        entries = concerns.entries(concern)
        self._entry_ids = [e.id for e in entries]
        options = []
        for entry in entries:
            options.append(Option(self._entry_prompt(entry, numbers), id=f"entry-{entry.id}"))
        if not options:
            options.append(Option("Nothing recorded yet: e adds an entry.", disabled=True))
        record.add_options(options)
        if highlighted is not None and highlighted < record.option_count:
            record.highlighted = highlighted
        elif entries:
            record.highlighted = 0
        self.query_one(TabbedContent).get_tab("tab-record").label = f"Record {len(entries)}"

    def _entry_prompt(self, entry, numbers: dict[int, int]) -> str:
        number = numbers.get(entry.id, 0)
        restricted = concerns.is_restricted(entry)
        head = (
            f"[b]#{number}[/b] {show_moment(entry.at)} · [b]{escape(concerns.entry_kind_label(entry.kind))}[/b]"
            f" · {escape(entry.who or 'me')}" + (f", {escape(entry.how)}" if entry.how else "")
        )
        if restricted:
            head += " · [$error]RESTRICTED[/]"
        lines = [head]
        for paragraph in (entry.text or "").splitlines() or [""]:
            lines += self._lines(paragraph)
        if entry.shared_with:
            lines += self._lines(f"With: {entry.shared_with}", "$text-muted")
        if entry.purpose:
            label = "Reason" if entry.kind in ("decision", "note") else "Purpose"
            lines += self._lines(f"{label}: {entry.purpose}", "$text-muted")
        if entry.consent:
            consent = CONSENT_LABELS.get(entry.consent, entry.consent)
            lines += self._lines(consent + (f": {entry.consent_reason}" if entry.consent_reason else ""), "$text-muted")
        if entry.corrects_id:
            lines += self._lines(f"Corrects #{numbers.get(entry.corrects_id, '?')} (kept as written)", "$warning")
        corrections = sorted(numbers[x.id] for x in entry.corrections if x.id in numbers)
        if corrections:
            lines += self._lines("Corrected by " + ", ".join(f"#{n}" for n in corrections), "$warning")
        return "\n".join(lines)

    def _actions(self, concern: Concern) -> None:
        actions_list = self.query_one("#concern-actions", OptionList)
        highlighted = actions_list.highlighted
        actions_list.clear_options()
        today = self.app.today()
        actions = concerns.all_actions(concern)
        self._action_ids = [a.id for a in actions]
        options = []
        for action in actions:
            if action.done_on:
                state = f"[$success]done {show_date(action.done_on)}[/]"
            elif action.due is not None and action.due < today:
                state = f"[$error]OVERDUE since {show_date(action.due)}[/]"
            else:
                state = f"due {show_date(action.due)}"
            described = self._lines(action.description)
            lines = [f"{_box(action.done_on is not None)} {described[0].strip()}"] + described[1:]
            lines.append(f"    {escape(action.owner or 'me')} · {state}")
            options.append(Option("\n".join(lines), id=f"action-{action.id}"))
        if not options:
            options.append(Option("No follow-up actions: f adds one (owner and due date).", disabled=True))
        actions_list.add_options(options)
        if highlighted is not None and highlighted < actions_list.option_count:
            actions_list.highlighted = highlighted
        elif actions:
            first_open = next((i for i, a in enumerate(actions) if a.done_on is None), 0)
            actions_list.highlighted = first_open
        still_open = sum(1 for a in actions if a.done_on is None)
        self.query_one(TabbedContent).get_tab("tab-actions").label = f"Actions {still_open} open"

    # -- keys --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        concern = Concern.get_or_none(Concern.id == self.concern_id) if self.app.vault.is_open else None
        if concern is None:
            return action in ("back", "tab")
        if self.app.vault.readonly and action not in ("back", "tab", "export"):
            return False  # nothing can be recorded in a vault opened read-only
        closed = concern.status == "closed"
        if action in ("done", "add_entry", "correct", "follow_up", "outcome", "sign_off", "details"):
            return not closed
        if action == "decide":
            return not closed and bool(concerns.relevant_decisions(concern))
        if action == "await_outcome":
            return concern.status == "open"
        if action == "reopen":
            return closed
        return True

    def _active_tab(self) -> str:
        return self.query_one(TabbedContent).active or "tab-steps"

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        target = {"tab-steps": "#concern-steps", "tab-record": "#concern-record", "tab-actions": "#concern-actions"}[tab]
        self.query_one(target, OptionList).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    def _open(self, dialog) -> None:
        def closed(changed: bool | None) -> None:
            if changed:
                self.refresh_data()

        self.app.push_screen(dialog, closed)

    def _highlighted(self, selector: str) -> str | None:
        option_list = self.query_one(selector, OptionList)
        option = option_list.highlighted_option
        return option.id if option is not None and not option.disabled else None

    def action_done(self) -> None:
        tab = self._active_tab()
        if tab == "tab-actions":
            option_id = self._highlighted("#concern-actions")
            if option_id is None:
                self.notify("Choose an action first.")
                return
            self._mark_action(int(option_id.removeprefix("action-")))
            return
        if tab != "tab-steps":
            self.action_tab("tab-steps")
        option_id = self._highlighted("#concern-steps")
        if option_id is None or option_id not in self._step_options:
            self.notify("Choose a step first (up and down arrows).")
            return
        self._step_done(self._step_options[option_id])

    def _step_done(self, state: concerns.StepState) -> None:
        if state.done is not None:
            self.notify(
                f"Already done ({show_moment(state.done.at)}). To undo it, correct its entry on the Record tab (r).",
            )
            return
        self._just_done = state.key
        self._open(dialogs.EntryDialog(self.concern_id, step=state))

    def _mark_action(self, action_id: int) -> None:
        from ..data.models import Action

        action = Action.get_or_none(Action.id == action_id)
        if action is None:
            return
        if action.done_on is not None:
            self.notify(f"Already done on {show_date(action.done_on)}.")
            return
        self._open(dialogs.ActionDoneDialog(self.concern_id, action_id))

    @on(OptionList.OptionSelected)
    def option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.app.vault.readonly:
            self.notify("This vault is open read-only: nothing can be recorded.", severity="warning")
            return
        if self.concern.status == "closed":
            self.notify("This concern is closed: u re-opens it (with a reason).")
            return
        option_id = event.option.id or ""
        if option_id in self._step_options:
            self._step_done(self._step_options[option_id])
        elif option_id.startswith("entry-"):
            self._open(dialogs.EntryDialog(self.concern_id, corrects=int(option_id.removeprefix("entry-"))))
        elif option_id.startswith("action-"):
            self._mark_action(int(option_id.removeprefix("action-")))

    def action_add_entry(self) -> None:
        self._open(dialogs.EntryDialog(self.concern_id))

    def action_correct(self) -> None:
        if self._active_tab() != "tab-record":
            self.action_tab("tab-record")
            self.notify("Choose the entry to correct, then press r (or Enter).")
            return
        option_id = self._highlighted("#concern-record")
        if option_id is None:
            self.notify("Choose the entry to correct first.")
            return
        self._open(dialogs.EntryDialog(self.concern_id, corrects=int(option_id.removeprefix("entry-"))))

    def action_follow_up(self) -> None:
        self._open(dialogs.ActionDialog(self.concern_id))

    def action_decide(self) -> None:
        concern = self.concern
        names = concerns.relevant_decisions(concern)
        self._open(dialogs.DecisionDialog(self.concern_id, names))

    def action_await_outcome(self) -> None:
        self._open(dialogs.AwaitDialog(self.concern_id))

    def action_outcome(self) -> None:
        self._open(dialogs.EntryDialog(self.concern_id, kind="outcome", heading="Record the outcome"))

    def action_sign_off(self) -> None:
        self._open(dialogs.SignOffDialog(self.concern_id))

    def action_reopen(self) -> None:
        self._open(dialogs.ReopenDialog(self.concern_id))

    def action_details(self) -> None:
        self._open(dialogs.DetailsDialog(self.concern_id))

    def action_export(self) -> None:
        self._open(dialogs.ExportDialog(self.concern_id))
