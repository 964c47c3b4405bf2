"""The Textual app: modes, global keys, saving, locking, and a crash report without secrets."""

from __future__ import annotations

import gc
import sys
import traceback
from dataclasses import dataclass
from importlib import import_module
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from .data import commits
from .data.vault import ReadOnlyError, Vault, VaultChangedError, VaultDamagedError, VaultError
from .rules.words import listed
from .screens.typing_order import keep_keys_in_order
from .screens.unlock import CreateVaultScreen, Unlocking, UnlockScreen, damaged_advice

# Read with the app's styles (see SitecareApp.__init__); the screen itself is imported
# while the passphrase is tried (_get_ready_for_home).
_HOME_CSS = (Path(__file__).parent / "screens" / "home.tcss").resolve()


def _later(module: str, name: str) -> Callable[[], object]:
    """A screen or palette provider imported only when first used: importing every
    screen up front made up a third of the time to the first painted screen."""

    def load():
        return getattr(import_module(f"sitecare.screens.{module}"), name)

    return load


def _screen_later(module: str, name: str) -> Callable[[], object]:
    load = _later(module, name)
    return lambda: load()()


class _ConcernForm:
    """The capture form's module, imported on first use (ctrl+n, a draft offer)."""

    def __getattr__(self, name: str):
        return getattr(import_module("sitecare.screens.concern_form"), name)


concern_form = _ConcernForm()


def collect_garbage_again() -> None:
    """Garbage collection back on after a launch that paused it (cli.run_app). What the
    launch made lives as long as the app, so it is frozen: later collections skip it."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _after_open(app: "SitecareApp") -> None:
    """After the home screen is up: collection on again; what an unlock has to tell (a
    save cut off by a crash, an unfinished draft)."""
    from .data.drafts import draft_waiting

    collect_garbage_again()
    if not app.vault.is_open:
        return
    checking = app.vault.unchecked
    if checking:
        app.start_database_check()
    dropped, app.vault.dropped_change = app.vault.dropped_change, None
    if dropped is not None:
        # Damage, not a crash: said as such, with where the damaged file is kept.
        app.notify(dropped.message(), severity="error", timeout=60)
    if app.vault.cut_off_save:
        app.vault.cut_off_save = False
        app.notify(
            "The last change before sitecare stopped had not finished saving, so it is not in the "
            "vault: check the record you were working on and enter it again if it is missing.",
            severity="warning", timeout=30,
        )
    if app.vault.tidy_due and not checking:  # else once the check has passed (database_checked)
        # The full save an open with journal records calls for, written by the save
        # worker rather than before the home screen could appear (Vault.finish_open).
        app.vault.tidy_due = False
        app.request_save()
    if draft_waiting(app.vault):
        concern_form.offer_unfinished_draft(app)


@dataclass
class SaveFinished(Message):
    error: str | None
    #: The vault file was changed, damaged or removed since sitecare opened it: a save
    #: over it is offered (ctrl+s), the file set aside first.
    underneath: bool = False
    #: The save's sequence number (Vault.serialize): news of the changes it holds is told.
    seq: int = 0


@dataclass
class DatabaseChecked(Message):
    """SQLite's check, left by the unlock until the home screen was up: None if passed."""

    problem: str | None


def safe_crash_report(error: BaseException) -> str:
    """Where it broke, never what was in memory: no locals, no exception message (either
    can hold a passphrase, a key or a child's account)."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "sitecare" in f.filename] or frames
    where = ""
    if ours:
        last = ours[-1]
        where = f" in {Path(last.filename).name} line {last.lineno} ({last.name})"
    return (
        f"sitecare stopped on an unexpected error: {type(error).__name__}{where}. "
        "Everything saved before it is safe in the vault; please report this line."
    )


#: Textual's keys that move the focus (the screen's tab and shift+tab).
_FOCUS_MOVES = ("focus_next", "focus_previous", "app.focus_next", "app.focus_previous")


class SitecareApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "sitecare"
    MODES = {
        "home": _screen_later("home", "HomeScreen"),
        "concerns": _screen_later("concerns", "ConcernsScreen"),
        "sites": _screen_later("sites", "SitesScreen"),
        "authorities": _screen_later("authorities", "AuthoritiesScreen"),
        "training": _screen_later("training", "TrainingScreen"),
        "complaints": _screen_later("complaints", "ComplaintsScreen"),
        "clients": _screen_later("clients", "ClientsScreen"),
    }
    COMMANDS = App.COMMANDS | {_later("commands", "SitecareCommands"), _later("clients", "ClientsComplaintsCommands")}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f1", "help", "Help", id="help"),
        # Priority: locking must work over a form or dialog too (someone walks up).
        Binding("ctrl+l", "lock", "Lock", id="lock", priority=True),
        Binding("ctrl+s", "save", "Save now", id="save", show=False),
        # Each letter opens its mode's main screen (go), not whatever was last open there.
        Binding("h", "go('home')", "Home", id="home", show=False),
        # Esc steps back: what a screen binds it to first (a filter, a dialog), then
        # from a list to home. Trials found Esc did nothing on Training or Sites.
        Binding("escape", "back_home", "Back to home", id="escape-home", show=False),
        Binding("m", "go('complaints')", "Complaints", id="complaints", show=False),
        Binding("k", "go('clients')", "Clients", id="clients", show=False),
        Binding("c", "go('concerns')", "Concerns", id="concerns", show=False),
        Binding("s", "go('sites')", "Sites", id="sites", show=False),
        Binding("a", "go('authorities')", "Local authorities", id="authorities", show=False),
        Binding("t", "go('training')", "Training", id="training", show=False),
        # Raising a concern works from anywhere, even while typing (priority).
        Binding("ctrl+n", "new_concern", "New concern", id="new_concern", priority=True),
        Binding("f2", "new_concern", "New concern", id="new_concern_f2", show=False, priority=True),
    ]

    def __init__(self, vault: Vault, *, now: Callable[[], datetime] = datetime.now, demo: bool = False):
        super().__init__()
        keep_keys_in_order()  # a burst of typing is applied as typed (screens/typing_order.py)
        # The home screen's styles are read with the app's. Read when the screen was
        # first shown, they made Textual parse every widget's stylesheet once more.
        self.css_path = [*self.css_path, _HOME_CSS]
        self.vault = vault
        # Screens ask the app for the time, never the clock, so tests can fix it.
        self.now = now
        self.demo = demo
        #: Said on the unlock screen of a demo (cli sets it): the demo's is no secret.
        self.demo_passphrase: str | None = None
        self.save_error: str | None = None
        self._changed_underneath = False  # the save_error is the vault file changed underneath
        self._quit_warned = False  # told that quitting now loses unsaved changes
        self._changed_read_only = False  # a change committed in a read-only sitecare (never saved)
        # (save sequence, "Saved Oak School.", "Oak School"): told once that save is written.
        self._saved_news: list[tuple[int, str, str]] = []
        self._save_seq = 0
        # The screen is locked but the database kept: its last changes were not saved.
        self.screen_locked = False
        self._home_ready: Screen | None = None  # see _make_home_ready
        self._damaged: str | None = None  # a save found the database damaged
        self._last_input = self.now()
        commits.clear_commit_listeners()
        commits.on_commit(self._committed)

    def today(self) -> date:
        return self.now().date()

    # -- start, unlock, lock ---------------------------------------------------------

    def on_mount(self) -> None:
        self._show_subtitle()
        self.set_interval(5, self.lock_if_idle, name="idle-lock")
        if self.vault.is_open:
            self.switch_mode("home")
            self.call_after_refresh(_after_open, self)
        elif self.vault.exists():
            self.push_screen(UnlockScreen(self.vault), self._unlocked)
        else:
            self.push_screen(CreateVaultScreen(self.vault), self._unlocked)

    @on(Unlocking)
    def _get_ready_for_home(self) -> None:
        # Key derivation runs in a worker and lets go of the interpreter lock, so the
        # home screen is made in its shadow, once the screen shows the wait, rather
        # than before the unlock screen could first appear or after the vault is open.
        self.call_after_refresh(self._make_home_ready)

    def _make_home_ready(self) -> None:
        """The home screen's modules imported, and the screen itself made and styled
        beneath the unlock screen, without its list (the vault is still locked): what
        is left once the vault is open is to read the list and draw it. Measured on the
        large vault: about 60 ms of the time from Enter to the home screen."""
        import_module("sitecare.screens.home")
        from .data import kept_attention

        kept_attention.made_by()  # the code's fingerprint: read from its source files
        # Textual has no public way to make a mode's screen without switching to it;
        # this is what switch_mode does first (Textual < 9, as pyproject.toml pins).
        # Without it, the screen is made at the switch, as before.
        init_mode = getattr(self, "_init_mode", None)
        stacks = getattr(self, "_screen_stacks", {"home": None})
        if init_mode is not None and "home" not in stacks:
            init_mode("home")
            self._home_ready = stacks["home"][0]

    def _unlocked(self, opened: bool | None) -> None:
        if not opened:
            return
        self._damaged = None
        self._show_subtitle()
        # Made ready beneath the unlock screen, the home screen is filled before it is
        # shown: shown first, it was drawn once empty (a frame, 8 ms on the large vault).
        home, self._home_ready = self._home_ready, None
        if home is not None and home.is_mounted:
            home.refresh_data()
        self.switch_mode("home")
        self.call_after_refresh(_after_open, self)

    def _show_subtitle(self) -> None:
        parts = []
        if self.demo:
            parts.append("demo vault: fictional data")
        if self.vault.readonly:
            parts.append("read-only")
        if self.save_error:
            parts.append("NOT SAVED")
        self.sub_title = " · ".join(parts)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self._last_input = self.now()
        await super().on_event(event)

    def lock_if_idle(self) -> None:
        """Lock after the configured idle time: the key is dropped and the screen hidden."""
        if not self.vault.is_open:
            return
        if self.screen_locked or self._damaged:
            if self.save_error and not self._damaged:
                self.request_save()  # the disk may be back (see action_lock)
            return
        from .data.settings import get_setting

        minutes = get_setting("idle_lock_minutes")
        if minutes and (self.now() - self._last_input).total_seconds() >= minutes * 60:
            # On the lock screen itself, not a toast: a toast had gone long before
            # anyone came back to read it.
            self._lock(f"Locked after {minutes:g} minute{'s' if minutes != 1 else ''} with no key pressed.")

    def action_lock(self) -> None:
        self._lock()

    def _lock(self, why: str = "") -> None:
        if not self.vault.is_open or self.screen_locked:
            return
        self._quit_warned = False  # the lock screen's Quit warns afresh
        self.flush()
        if self._damaged:
            return  # the advice on the damaged database is shown instead (database_checked)
        # A toast outlived the lock in a new-user trial: "Copied Shirin Rahman's number,
        # 07700 900567" over the passphrase box.
        self.clear_notifications()
        if self.save_error and not self.vault.readonly:
            # Dropping the database now would lose what the failed save was to write.
            # The screen is locked and the passphrase asked for as always; the records
            # stay in memory, and every few seconds the save is tried again.
            self.screen_locked = True
        elif self.vault.readonly and self._changed_read_only:
            # Changes made read-only cannot be saved, but a lock is not a quit: a trial
            # locked, unlocked and found its edit gone, unwarned. Kept as above.
            self.screen_locked = True
        else:
            self.vault.close(keep_lock=True)
        self.push_screen(UnlockScreen(self.vault, relock=True, why_locked=why), self._relocked)

    def _relocked(self, opened: bool | None) -> None:
        self.screen_locked = False
        self._show_subtitle()
        if opened:
            if not self.vault.readonly:
                self._changed_read_only = False  # opened afresh for writing: nothing unsaveable held
            refresh = getattr(self.screen, "refresh_data", None)
            if refresh:
                refresh()
            self.call_after_refresh(_after_open, self)

    def get_system_commands(self, screen: Screen):
        # Textual's Screenshot writes the screen as an unencrypted SVG into ~/Downloads
        # (readable by everyone, kept after sitecare quits): whatever record is on
        # screen would leave the vault. A new-user trial found it in the palette.
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        self.deliver_screenshot(filename, path)

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        self.notify("Screenshots are off in sitecare: one would save the records on screen unencrypted.",
                    severity="warning")
        return None

    def action_back_home(self) -> None:
        if self.current_mode != "home" and len(self.screen_stack) == 1:
            self.action_go("home")

    def action_go(self, mode: str) -> None:
        """The mode's main screen: a briefing, concern or list opened over it is closed,
        not shown again. A new-user trial pressed h on a briefing opened over the home
        list and nothing happened; s showed a site's people rather than the sites table.
        The capture form is never closed this way (HOLDS_TYPING)."""
        self.switch_mode(mode)
        while len(self.screen_stack) > 1 and not getattr(self.screen, "HOLDS_TYPING", False):
            self.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Moving between the unlock screen's fields and buttons reads nothing: without
        # it, "Open read-only" (shown when another sitecare has the vault) could not be
        # reached from the keyboard.
        if action in ("quit", "help", "focus_next", "focus_previous"):
            return True
        # Nothing that reads records works while the vault, or the screen, is locked.
        if not self.vault.is_open or self.screen_locked:
            return False
        return True

    # -- saving ----------------------------------------------------------------------

    def _committed(self) -> None:
        """After every committed change."""
        # A change made since a quit was warned about is not covered by that warning
        # (a trial was warned once, went on working, and lost the later changes).
        self._quit_warned = False
        self._changed_read_only = self._changed_read_only or self.vault.readonly
        self.request_save()

    def request_save(self) -> None:
        """Serialise here, encrypt and write in a worker."""
        if not self.vault.is_open:
            return
        if self.vault.readonly:
            self.notify(
                "This vault is open read-only: the change is on screen but will not be saved.",
                severity="warning",
            )
            return
        try:
            seq, image = self.vault.serialize()
        except VaultDamagedError as exc:
            self._damage_found_in_save(str(exc))
            return
        self._save_seq = seq
        self._write(seq, image)

    def tell_when_saved(self, text: str, subject: str) -> None:
        """Say `text` ("Saved Oak School.") once the change just committed is written to
        disk; if its save fails, say that `subject` is not saved. Trials saw "Saved" beside
        a failed save. In a read-only sitecare request_save has already said that nothing
        is saved."""
        if self.vault.is_open and not self.vault.readonly:
            self._saved_news.append((self._save_seq, text, subject))

    def _tell_saved_news(self, seq: int, error: str | None, told: bool) -> None:
        """News of the changes in the save `seq` and before, once it has ended: `error` is
        why it failed, `told` whether that was just said."""
        news = [n for n in self._saved_news if n[0] <= seq]
        self._saved_news = [n for n in self._saved_news if n[0] > seq]
        if not news:
            return
        if error is None:
            for _, text, _ in news:
                self.notify(text)
        elif not told:
            # The error was said at an earlier save and is not repeated: name what this
            # change left unsaved.
            subjects = [subject for _, _, subject in news]
            self.notify(f"Not saved yet: {listed(subjects)}. The vault still cannot be written; your changes are "
                        "kept in memory and ctrl+s tries again.", severity="error", timeout=20)

    # -- SQLite's check, left by the unlock until the home screen is up ---------------

    def start_database_check(self) -> None:
        if self.vault.can_check_beside:
            self._check_database()
        else:  # an SQLite that may not share a connection between threads
            self.post_message(DatabaseChecked(self._checked_here()))

    @work(thread=True, group="check-database", exit_on_error=False)
    def _check_database(self) -> None:
        self.post_message(DatabaseChecked(self._checked_here()))

    def _checked_here(self) -> str | None:
        try:
            self.vault.check_database()
        except VaultDamagedError as exc:
            return str(exc)
        except VaultError:
            pass  # locked meanwhile: the next opening checks again
        return None

    @on(DatabaseChecked)
    def database_checked(self, message: DatabaseChecked) -> None:
        if message.problem is not None:
            self._show_damaged(message.problem)
        elif self.vault.is_open and self.vault.tidy_due:
            self.vault.tidy_due = False
            self.request_save()

    def _damage_found_in_save(self, problem: str) -> None:
        # Closing the vault here would pull the database from under the change that
        # asked for the save (it may read again after its commit): closed in turn.
        self._damaged = problem
        self.post_message(DatabaseChecked(problem))

    def _show_damaged(self, problem: str) -> None:
        """The database failed SQLite's check after the home screen was drawn: nothing
        has been written from it (Vault.serialize checks first). Closed, as an opening
        that finds it damaged is, with the same advice; the lock is let go, so that a
        backup can be restored meanwhile (`sitecare backups`)."""
        if not self.vault.is_open:
            return
        self.vault.close()
        self.screen_locked = False
        self.push_screen(UnlockScreen(self.vault, problem=damaged_advice(self.vault, problem)), self._unlocked)

    @work(thread=True, group="save")
    def _write(self, seq: int, image: bytes) -> None:
        try:
            self.vault.write_image(seq, image)
        except (VaultError, OSError) as exc:
            self.post_message(SaveFinished(str(exc), isinstance(exc, VaultChangedError), seq))
            return
        self.post_message(SaveFinished(None, seq=seq))

    @on(SaveFinished)
    def save_finished(self, message: SaveFinished) -> None:
        if message.error:
            told = message.error != self.save_error
            if told:
                self.notify(message.error, severity="error", timeout=20)
            self._tell_saved_news(message.seq, message.error, told)
            self.save_error = message.error
            self._changed_underneath = message.underneath
        elif self.save_error:
            self.save_error = None
            self._quit_warned = False  # a later failure warns again before a quit
            self._saved_news = [n for n in self._saved_news if n[0] > message.seq]
            self.notify("Saved: all changes are now in the vault.")
            trying = isinstance(self.screen, UnlockScreen) and self.screen.trying
            if self.screen_locked and self.vault.is_open and not trying:
                # Saved at last: the lock drops the database now, as every lock does
                # (not while a passphrase is being checked against the open vault).
                self.vault.close(keep_lock=True)
                self.screen_locked = False
                if isinstance(self.screen, UnlockScreen):
                    self.screen.show_notice()
        else:
            self._tell_saved_news(message.seq, None, False)
        self._show_subtitle()

    def action_save(self) -> None:
        if self.save_error and self._changed_underneath and self.vault.is_open and not self.screen_locked:
            self._offer_save_over_changed_file()
            return
        self.request_save()

    def _offer_save_over_changed_file(self) -> None:
        """The vault file changed underneath (another device's save, a restore, damage,
        removal): quitting would lose this session's changes and saving over the file
        would lose the other's, so the choice is the user's, and neither is lost."""
        from .screens.confirm import ConfirmScreen

        def answered(save_mine: bool | None) -> None:
            if not save_mine:
                # Said, not silent: a trial took the closed dialog for a save.
                self.notify("Not saved: your changes stay in memory, and ctrl+s asks again.", severity="warning")
                return
            try:
                kept = self.vault.save_over_changed_file()
            except VaultError as exc:
                self.notify(str(exc), severity="error", timeout=20)
                return
            self.save_error = None
            self._changed_underneath = False
            self._quit_warned = False
            where = f" The other version is kept beside the vault as {kept.name} ('sitecare backups' lists it)." \
                if kept is not None else ""
            self.notify(f"Saved this session's changes as the vault.{where}", timeout=20)
            self._show_subtitle()

        if not isinstance(self.screen, ConfirmScreen):
            self.push_screen(ConfirmScreen(
                "The vault file was changed by another device or program (or removed) since sitecare "
                "opened it. Save this session's changes as the vault? The file there now is first kept "
                "beside it, so nothing is lost.",
                yes="Save mine, keep the other", no="Not now"), answered)

    def action_new_concern(self) -> None:
        concern_form.open_concern_form(self)

    def flush(self) -> None:
        """Write anything not yet written, now, on this thread (before lock or quit)."""
        if "sitecare.screens.concern_form" in sys.modules:  # else no capture form was ever open
            concern_form.flush_open_draft(self)
        if self.vault.is_open and not self.vault.readonly:
            try:
                self.vault.save()
                self.save_error = None
                self._quit_warned = False
            except ReadOnlyError:
                pass
            except VaultDamagedError as exc:
                self._damage_found_in_save(str(exc))
            except VaultError as exc:
                if str(exc) != self.save_error:  # already told
                    self.notify(str(exc), severity="error", timeout=20)
                self.save_error = str(exc)
                self._changed_underneath = isinstance(exc, VaultChangedError)

    async def action_quit(self) -> None:
        # A form with typing in it is not saved until its Save: ask, as Esc does. (The
        # concern form is not one of these: its draft is kept.)
        from .screens.formfields import FormScreen

        if any(isinstance(s, FormScreen) and s.is_mounted and s.dirty for s in self.screen_stack):
            from .screens.confirm import ConfirmScreen

            def answered(quit_anyway: bool | None) -> None:
                if quit_anyway:
                    self._quit_now()

            if not isinstance(self.screen, ConfirmScreen):
                self.push_screen(ConfirmScreen("What you typed in this form is not saved. Quit and lose it?",
                                               yes="Quit", no="Keep editing", danger=True), answered)
            return
        self._quit_now()

    def _quit_now(self) -> None:
        unsaved = None
        if self.vault.is_open and not self.vault.readonly:
            self.flush()
            if self.save_error:
                # The error itself, not a pointer to it: its toast may be gone by now.
                unsaved = f"Changes are not saved. {self.save_error}"
        elif self.vault.is_open and self._changed_read_only:
            # A trial added a site in a read-only sitecare and quit: gone, unwarned.
            unsaved = "Changes made here cannot be saved: this sitecare has the vault open read-only."
        if unsaved and not self._quit_warned:
            # Quitting now would lose what is only in memory; say so once per change.
            self._quit_warned = True
            if isinstance(self.screen, UnlockScreen):
                # Back to the passphrase: a trial typed it after the warning, and its
                # Enter pressed Quit again.
                self.screen.query_one("#passphrase").focus()
            self.notify(
                f"{unsaved} Press {'Quit' if isinstance(self.screen, UnlockScreen) else 'ctrl+q'} again to quit "
                "anyway and lose them.",
                severity="error",
                timeout=20,
            )
            return
        self.exit(0)

    def on_unmount(self) -> None:
        if self.vault.is_open and not self.vault.readonly and not self.save_error:
            self.flush()
        self.vault.close()

    # -- help ------------------------------------------------------------------------

    def action_help(self) -> None:
        """sitecare's own keys for this screen: the screen's and the app's. The focused
        widget's cursor and scrolling keys (Textual's) are left out, and two keys for
        one action share a line ("ctrl+n / f2"). Moving the focus is Textual's pair of
        keys, "Focus Next" and "Focus Previous": said once, in sitecare's words."""
        lines: dict[tuple[str, str], list[str]] = {}
        moves_focus = False
        for key, active in self.active_bindings.items():
            binding = active.binding
            if not binding.description or not isinstance(active.node, (App, Screen)):
                continue
            if binding.action == "command_palette":
                continue
            if binding.action in _FOCUS_MOVES:
                moves_focus = True
                continue
            lines.setdefault((binding.action, binding.description), [])
            shown = self.get_key_display(binding)
            if shown not in lines[(binding.action, binding.description)]:
                lines[(binding.action, binding.description)].append(shown)
        keys = [(" / ".join(shown), description) for (_, description), shown in lines.items()]
        if moves_focus:
            keys.append(("tab / shift+tab", "Move between fields and lists"))
        palette = self.vault.is_open and not self.screen_locked and not isinstance(
            self.screen, (UnlockScreen, CreateVaultScreen))
        if palette:
            # Locked, the palette does nothing: a trial read its line in the lock screen's help.
            keys.append(("ctrl+p", "Command palette: jump to a site, person or authority"))
            keys.append(("ctrl+p settings", "Settings: your name, idle lock, when things are due soon"))
        # Imported on first use: its DataTable is not needed to show the home screen.
        from .screens.help import HelpScreen

        self.push_screen(HelpScreen(keys, palette=palette))

    # -- crashes ---------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        # Textual's own report prints local variables (measured: a passphrase and a key
        # appeared in it). Ours names the place only.
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self._exit_renderables.append(self._damage_found(error) or safe_crash_report(error))
        self._close_messages_no_wait()

    def _damage_found(self, error: Exception) -> str | None:
        """SQLite's advice, if the error came from a database that fails its check: one
        that fails it badly enough can stop a query before the check (left until the
        home screen is up) has finished. Nothing was written from it."""
        import sqlite3

        kinds: tuple[type, ...] = (sqlite3.DatabaseError,)
        if "peewee" in sys.modules:  # peewee raises its own, made from SQLite's
            kinds += (sys.modules["peewee"].DatabaseError,)
        if not isinstance(error, kinds) or not self.vault.is_open:
            return None
        try:
            self.vault.check_database()
        except VaultDamagedError as exc:
            return damaged_advice(self.vault, str(exc))
        except Exception:  # noqa: BLE001 - the crash report is still made
            return None
        return None

    def _fatal_error(self) -> None:  # pragma: no cover - _handle_exception replaces its only caller
        self._close_messages_no_wait()
