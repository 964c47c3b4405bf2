"""Creating a vault and unlocking it.

Key derivation is slow on purpose (Argon2id), so it runs in a thread of its own; the
slow half of opening runs in a worker beside it (Vault.prepare_open: taking the lock
and reading the file while the key is derived, then decrypting and loading the
database). The app's thread meanwhile gets the home screen ready (the Unlocking
message), then binds the database (Vault.finish_open), where it must live.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, LoadingIndicator, Static

from ..data import vault as vault_mod
from ..data.vault import PreparedOpen, Vault, VaultError, VaultLockedError, VaultSaveError, WrongPassphraseError
from ..rules.passphrase import passphrase_feedback


def damaged_advice(vault: Vault, problem: str, in_app: bool = True) -> str:
    """One sentence for a vault that cannot be read, naming the backups that can be.
    `in_app`: said on a screen, to be quit first (a command has already ended)."""
    found = vault.newest_backup()  # as a missing vault file's advice names it
    if found is None:
        return f"{problem} There are no kept backups in {vault.backup_dir}; restore the folder from your own backup."
    from ..rules.dates import show_datetime  # on first use: the unlock screen paints first

    count, newest, when = found
    saved = f", saved {show_datetime(when)}" if when else ""
    # The newest backup, named with its date: a new-user trial restored it without
    # seeing that it was older than the records it needed (an empty first generation).
    # The listing gives every one's date.
    return (
        f"{problem} {count} backup{'s are' if count != 1 else ' is'} kept: {'quit, and ' if in_app else ''}"
        f"restore the newest ({newest.name}{saved}) with: sitecare backups --restore 1 --vault {vault.folder} "
        f"(sitecare backups --vault {vault.folder} lists them all, with their dates)."
    )


def commands_apart(text: str, folder) -> Content:
    """The advice as it is, word for word, with each `sitecare backups ... --vault
    FOLDER` command it gives starting a line of its own, indented and in bold (with a
    bracket just before it); what follows a command goes on after it. Wrapped into the
    sentence at 80 columns, a command broke mid-way ("sitecare" at the end of one line,
    "backups --restore 1" on the next): hard to read, and to copy."""
    command = re.compile(r"sitecare backups (?:--restore \S+ )?--vault " + re.escape(str(folder)))
    pieces: list[str | tuple[str, str]] = []
    at = 0
    for found in command.finditer(text):
        before = text[at:found.start()].rstrip(" ")
        bracket = "(" if before.endswith("(") else ""
        before = before.removesuffix(bracket).rstrip(" ")
        if before:
            pieces.append(before)
        pieces.append(("\n" if pieces else "") + "  " + bracket)
        pieces.append((found.group(), "bold"))
        at = found.end()
    pieces.append(text[at:])
    return Content.assemble(*pieces)


@dataclass
class VaultRead(Message):
    prepared: PreparedOpen | None
    error: VaultError | None


class FolderError(VaultError):
    """The vault's folder could not be used (a read-only drive, missing permission)."""

    def __init__(self, error: OSError, readonly: bool):
        reason = error.strerror or type(error).__name__
        if readonly:
            message = (f"sitecare could not read the vault's folder ({reason}): check that the drive is "
                       "connected and that your account may read it.")
        else:
            message = (f"sitecare could not use the vault's folder for writing ({reason}): open it read-only, "
                       "or copy the folder somewhere you can write to.")
        super().__init__(message)
        self.readonly = readonly


class _Deriving:
    """The key derivation, in a thread started at once. A worker started by Textual
    begins only once the screen has handled its key (measured: 4 to 10 ms later, every
    one of them added to the time from Enter to the home screen); the worker waits for
    this instead."""

    def __init__(self, passphrase: str, salt: bytes, params: tuple[int, int, int]):
        self._kek: bytes | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(passphrase, salt, params),
                                        name="sitecare-key-derivation", daemon=True)
        self._thread.start()

    def _run(self, passphrase: str, salt: bytes, params: tuple[int, int, int]) -> None:
        try:
            self._kek = vault_mod.derive_key(passphrase, salt, params)
        except BaseException as exc:  # noqa: BLE001 - raised again where it is waited for
            self._error = exc

    def result(self) -> bytes:
        self._thread.join()
        if self._error is not None:
            raise self._error
        kek, self._kek = self._kek, None  # held here no longer than needed
        assert kek is not None
        return kek

    def discard(self) -> None:
        """Wait for the derivation to end and drop its key. An opening that fails
        before it needs the key (the vault open elsewhere, its file unreadable) would
        otherwise hand the screen back with Argon2id still running, and another try
        would start a second derivation (64 MiB more) beside it."""
        self._thread.join()
        self._kek = None


class Unlocking(Message):
    """A passphrase is being tried: the app may use the wait to get ready for home."""


class UnlockScreen(Screen[bool]):
    """Asks for the passphrase; dismisses with True once the vault is open."""

    BINDINGS = [
        Binding("ctrl+q", "app.quit", "Quit", id="quit"),
        # Typed before sitecare had the terminal (the passphrase and Enter straight after
        # the command), Enter reaches it as a newline, ctrl+j: the terminal still turned
        # return into newline then. A new-user trial lost that Enter; the typing stayed.
        Binding("ctrl+j", "typed_ahead_enter", show=False),
    ]

    def __init__(self, vault: Vault, relock: bool = False, problem: str = "", why_locked: str = ""):
        super().__init__()
        self.vault = vault
        self.relock = relock
        self._why_locked = why_locked
        self._problem = problem  # why the vault was closed, shown as the screen opens
        self._readonly = False
        self._working = False

    def compose(self) -> ComposeResult:
        with Vertical(id="unlock-box", classes="dialog"):
            yield Static("sitecare is locked" if self.relock else "Unlock sitecare", classes="dialog-title")
            yield Static(str(self.vault.path), classes="dim")
            yield Static(self._notice(), id="unlock-notice", classes="notice")
            yield Input(password=True, placeholder="Passphrase", id="passphrase")
            yield Static("", id="unlock-message", classes="error")
            yield LoadingIndicator(id="unlock-working")
            with Horizontal(classes="buttons"):
                yield Button("Unlock", variant="primary", id="unlock")
                yield Button("Open read-only", id="readonly")
                yield Button("Quit", id="quit")

    def _notice(self) -> str:
        lines = []
        demo = getattr(self.app, "demo_passphrase", None)
        if demo:
            # A new-user trial locked the demo and was stuck: the README says it has none.
            lines.append(f"This is the demo vault (fictional data): its passphrase is {demo}")
        if self.relock and self._why_locked:
            lines.append(self._why_locked)
        if self.relock and self.vault.is_open and getattr(self.app, "save_error", None):
            # The lock cleared the messages shown before it: the error is repeated here.
            if getattr(self.app, "_changed_underneath", False):
                # No retry can succeed here, and ctrl+s does nothing on this screen: the
                # user chooses after unlocking. (The error itself says "press ctrl+s".)
                lines.append("Your latest changes are not saved: the vault file was changed, removed or damaged "
                             "since sitecare opened it. They are kept in memory while sitecare is locked: unlock, "
                             "then press ctrl+s to choose how to save them. Quitting now would lose them.")
            else:
                lines.append(self.app.save_error)
                lines.append(
                    "While sitecare is locked these changes are kept in memory and saving is tried again "
                    "every few seconds: quitting now would lose them."
                )
        elif (self.relock and self.vault.is_open and self.vault.readonly
              and getattr(self.app, "_changed_read_only", False)):
            lines.append("Changes made in this read-only sitecare cannot be saved; they are kept in memory while it "
                         "is locked, and quitting loses them.")
        pending = self.vault.pending_passphrase_change()
        if pending == "old":
            lines.append("A passphrase change was cut off before it finished: your OLD passphrase opens this vault.")
        elif pending == "new":
            lines.append("A passphrase change was cut off after it took effect: your NEW passphrase opens this vault.")
        conflicts = self.vault.conflict_copies()
        if conflicts:
            lines.append(
                f"A sync service left {len(conflicts)} conflicting cop{'ies' if len(conflicts) != 1 else 'y'} "
                f"beside the vault ({conflicts[0].name}): changes made there are not in this vault."
            )
        return "\n".join(lines)

    def on_mount(self) -> None:
        self.query_one("#unlock-working").display = False
        self.query_one("#readonly").display = False
        self.show_notice()
        if self._problem:
            self.show_error(self._problem)
        elif not self.vault.is_open:
            # Said before a passphrase is typed, not after it has been derived.
            elsewhere = self.vault.open_elsewhere()
            if elsewhere is not None:
                self.show_error(str(elsewhere))
                self.query_one("#readonly").display = True
        self.query_one("#passphrase", Input).focus()

    def show_notice(self) -> None:
        notice = self._notice()
        self.query_one("#unlock-notice", Static).update(notice)
        self.query_one("#unlock-notice").display = bool(notice)

    def show_error(self, message: str) -> None:
        self.query_one("#unlock-message", Static).update(commands_apart(message, self.vault.folder))

    @property
    def trying(self) -> bool:
        """A passphrase is being tried (derived, and the vault read or checked)."""
        return self._working

    def _busy(self, busy: bool) -> None:
        self._working = busy
        self.query_one("#unlock-working").display = busy
        self.query_one("#passphrase", Input).disabled = busy
        self.query_one("#unlock", Button).disabled = busy
        self.query_one("#readonly", Button).disabled = busy
        if not busy:
            self.query_one("#passphrase", Input).focus()

    def action_typed_ahead_enter(self) -> None:
        if self.focused is self.query_one("#passphrase", Input):
            self.unlock()

    @on(Input.Submitted, "#passphrase")
    @on(Button.Pressed, "#unlock")
    def unlock(self) -> None:
        self._readonly = False
        self._start()

    @on(Button.Pressed, "#readonly")
    def unlock_readonly(self) -> None:
        self._readonly = True
        self._start()

    @on(Button.Pressed, "#quit")
    async def quit_app(self) -> None:
        # As ctrl+q: locked with changes a failed save could not write, quitting would
        # lose them, so the first press warns. A new-user trial lost a change this way.
        await self.app.action_quit()

    def _start(self) -> None:
        if self.trying:  # one opening at a time
            return
        passphrase = self.query_one("#passphrase", Input).value
        if not passphrase:
            self.show_error("Type your passphrase, then press Enter.")
            return
        try:
            header = self.vault.read_header()
        except VaultError as exc:
            self.show_error(damaged_advice(self.vault, str(exc)))
            return
        deriving = _Deriving(passphrase, header.salt, header.kdf)
        self.show_error("")
        self._busy(True)
        self._derive_and_read(deriving, self._readonly)
        self.post_message(Unlocking())

    @work(thread=True, exclusive=True, group="unlock")
    def _derive_and_read(self, deriving: _Deriving, readonly: bool) -> None:
        try:
            if self.vault.is_open:
                # A screen lock that kept the database (its last changes not saved):
                # only the passphrase is checked.
                self.vault.check_key(deriving.result())
                prepared = None
            else:
                # The file is read while the key is derived; SQLite's check waits until
                # the home screen is up (the app runs it).
                prepared = self.vault.prepare_open(deriving.result, readonly=readonly, check_later=True)
        except VaultError as exc:
            deriving.discard()
            self.post_message(VaultRead(None, exc))
            return
        except OSError as exc:
            deriving.discard()
            self.post_message(VaultRead(None, FolderError(exc, readonly)))
            return
        self.post_message(VaultRead(prepared, None))

    @on(VaultRead)
    def vault_read(self, message: VaultRead) -> None:
        try:
            if message.error is not None:
                raise message.error
            if message.prepared is not None:
                self.vault.finish_open(message.prepared, tidy_later=True)
        except WrongPassphraseError as exc:
            self._busy(False)
            passphrase = self.query_one("#passphrase", Input)
            passphrase.value = ""
            self.show_error(str(exc))
            return
        except (VaultLockedError, FolderError, VaultSaveError) as exc:
            # VaultSaveError: the open could not write what it had to first (a damaged
            # file's copy, an upgrade): not damage, so no backup to restore is named.
            self._busy(False)
            self.show_error(str(exc))
            # Reading may still work where writing did not.
            self.query_one("#readonly").display = not getattr(exc, "readonly", False)
            return
        except VaultError as exc:
            self._busy(False)
            self.show_error(damaged_advice(self.vault, str(exc)))
            return
        self.query_one("#passphrase", Input).value = ""
        self.dismiss(True)


class CreateVaultScreen(Screen[bool]):
    """First run: a new passphrase, typed twice."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="quit")]

    def __init__(self, vault: Vault):
        super().__init__()
        self.vault = vault

    def compose(self) -> ComposeResult:
        with Vertical(id="create-box", classes="dialog"):
            yield Static("Welcome to sitecare", id="create-title", classes="dialog-title")
            yield Static(
                "Your records will be kept encrypted in one file, opened with a passphrase. "
                "There is no way to recover it if it is forgotten: write it down somewhere safe.",
                id="create-intro", classes="dim",
            )
            yield Static(f"Vault: {self.vault.path}", classes="dim")
            # A mistyped --vault, or a drive not plugged in, came straight here in a
            # new-user trial, ready to make a second, empty vault.
            yield Static(
                f"No vault was found in {self.vault.folder}: this makes a new, empty one. Meant one you "
                "have? Quit (ctrl+q) and check the path or the drive.",
                id="create-notice", classes="notice",
            )
            yield Input(password=True, placeholder=f"New passphrase (at least {vault_mod.MIN_PASSPHRASE} characters)", id="new")
            yield Static("", id="strength", classes="hint")
            yield Input(password=True, placeholder="The same passphrase again", id="again")
            yield Static("", id="create-message", classes="error")
            yield LoadingIndicator(id="create-working")
            with Horizontal(classes="buttons"):
                yield Button("Create vault", variant="primary", id="create")
                yield Button("Quit", id="quit")

    def on_mount(self) -> None:
        self.query_one("#create-working").display = False
        folder = self.vault.folder
        refusal = None
        if folder.exists() and not folder.is_dir():
            # Found only after both passphrases had been typed, before.
            refusal = f"{folder} is a file, not a folder: quit (ctrl+q) and name a folder with --vault."
        else:
            # The vault file gone, its backups there: a new vault here would mix its
            # backups with them and then prune them away (a new-user trial lost them).
            missing = self.vault.missing_with_backups(quit_first=True)
            if missing:
                refusal = (f"{missing[:-1]}; to start a new, empty vault instead, quit and move "
                           f"{self.vault.backup_dir} elsewhere first.")
                self.query_one("#create-title", Static).update("The vault file is missing")
                self.query_one("#create-intro").display = False
        set_aside = None if refusal else self.vault.missing_with_a_copy_set_aside()
        if set_aside:
            # Said, not refused: a new vault leaves the copy alone. A trial deleted the
            # vault and its backups, kept a copy set aside, and was offered a new vault
            # without a word about it.
            self.query_one("#create-notice", Static).update(commands_apart(
                f"{set_aside.replace(': to bring it back, run:', ': to bring it back, quit (ctrl+q) and run:')}. "
                "Or make a new, empty vault below.", folder))
        if refusal:
            self.query_one("#create-notice", Static).update(commands_apart(refusal, folder))
            # Nothing to type: the fields are taken away, not just greyed (at 80x24 they
            # pushed the advice and Quit apart).
            for widget in ("#new", "#strength", "#again", "#create"):
                self.query_one(widget).disabled = True
                self.query_one(widget).display = False
            self.query_one("#quit", Button).focus()
            return
        self.query_one("#new", Input).focus()

    @on(Input.Changed, "#new")
    def strength(self, event: Input.Changed) -> None:
        self.query_one("#strength", Static).update(passphrase_feedback(event.value) if event.value else "")

    @on(Input.Submitted, "#new")
    def next_field(self) -> None:
        self.query_one("#again", Input).focus()

    @on(Button.Pressed, "#quit")
    def quit_app(self) -> None:
        self.app.exit()

    @on(Input.Submitted, "#again")
    @on(Button.Pressed, "#create")
    def create(self) -> None:
        new = self.query_one("#new", Input).value
        again = self.query_one("#again", Input).value
        message = self.query_one("#create-message", Static)
        if len(new) < vault_mod.MIN_PASSPHRASE:
            message.update(f"The passphrase needs at least {vault_mod.MIN_PASSPHRASE} characters; a few unrelated words work well.")
            self.query_one("#new", Input).focus()
            return
        if new != again:
            message.update("The two passphrases differ; type the same one twice.")
            self.query_one("#again", Input).value = ""
            self.query_one("#again", Input).focus()
            return
        message.update("")
        self.query_one("#create-working").display = True
        self.query_one("#create", Button).disabled = True
        self._create(new)

    @work(thread=True, exclusive=True, group="create")
    def _create(self, passphrase: str) -> None:
        # Only the slow derivation runs here; the database is made on the app's thread.
        import secrets

        salt = secrets.token_bytes(16)
        kek = vault_mod.derive_key(passphrase, salt, vault_mod.DEFAULT_KDF)
        self.app.call_from_thread(self._finish, kek, salt)

    def _finish(self, kek: bytes, salt: bytes) -> None:
        try:
            self.vault.create_with_key(kek, salt)
        except VaultError as exc:
            self.query_one("#create-working").display = False
            self.query_one("#create", Button).disabled = False
            self.query_one("#create-message", Static).update(str(exc))
            return
        self.dismiss(True)
