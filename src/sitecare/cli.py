"""Command line: the app by default; check, demo, locate, passwd and backups for scripts.

Every subcommand takes --vault DIR (default $SITECARE_VAULT, else the platform's user
data folder). Exit codes: 0 fine, 1 something overdue (check), 2 an error, always with
one sentence on stderr and never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import getpass
import json
import os
import resource
import shutil
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

from .data import commits, locations
from .data.vault import MIN_PASSPHRASE, Vault, VaultError, VaultLockedError, VaultSaveError, WrongPassphraseError

EXIT_OK, EXIT_OVERDUE, EXIT_ERROR = 0, 1, 2
DEMO_PASSPHRASE = "demo"


class CliError(Exception):
    """One sentence for stderr, then exit 2."""


def _vault_arg(parser: argparse.ArgumentParser, top: bool = False) -> None:
    # Before or after the command: a subcommand's own default must not overwrite a
    # --vault given before it ("sitecare --vault X backups --restore 1" restored the
    # default vault's backup), so only the top level has one.
    parser.add_argument(
        "--vault",
        metavar="DIR",
        type=Path,
        default=None if top else argparse.SUPPRESS,
        help=f"vault folder (default: ${locations.ENV_VAULT}, else {locations.default_vault_folder()})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitecare", description="Safeguarding records for visiting practitioners, offline and encrypted.")
    _vault_arg(parser, top=True)
    sub = parser.add_subparsers(dest="command")

    demo = sub.add_parser("demo", help="open a throwaway vault full of fictional data (passphrase 'demo', asked after a lock)")
    _vault_arg(demo)
    demo.add_argument("--no-open", action="store_true", help="with --vault: write the demo vault (passphrase 'demo') and exit")

    check = sub.add_parser("check", help="unlock and report; exit 1 when something is overdue")
    _vault_arg(check)
    check.add_argument(
        "--within", type=int, metavar="DAYS", default=None,
        help="list what is overdue and what falls due within DAYS (default: each warning window)",
    )
    check.add_argument("--json", action="store_true", help="print JSON with ISO dates")
    check.add_argument("--on", metavar="DATE", default=None, help="report as things will stand on DATE (day first, e.g. 03/01/2027)")

    calendar = sub.add_parser("export-calendar", help="write every future due date to an iCalendar (.ics) file")
    _vault_arg(calendar)
    calendar.add_argument("file", type=Path, metavar="FILE.ics", help="the calendar file to write")
    calendar.add_argument("--force", action="store_true", help="replace FILE.ics if it exists")

    locate = sub.add_parser("locate", help="print where the vault, its backups and settings live")
    _vault_arg(locate)

    passwd = sub.add_parser("passwd", help="change the passphrase (and the data key)")
    _vault_arg(passwd)

    backups = sub.add_parser("backups", help="list the kept backups, or restore one")
    _vault_arg(backups)
    backups.add_argument("--restore", metavar="N|NAME",
                         help="restore backup N (1 is the newest), or a copy set aside beside the vault by name")

    # CSV files (README.md, "CSV files"): imports are all or nothing; exports are 0600.
    for name, what in (("sites", "sites with their contacts"), ("authorities", "the local authority directory")):
        importer = sub.add_parser(f"import-{name}", help=f"import {what} from a CSV file (all or nothing)")
        _vault_arg(importer)
        importer.add_argument("file", type=Path, metavar="FILE", help="the CSV file to read")
        exporter = sub.add_parser(f"export-{name}", help=f"export {what} to a CSV file (readable by you only)")
        _vault_arg(exporter)
        exporter.add_argument("file", type=Path, metavar="FILE", help="the CSV file to write")
    return parser


def _folder(args: argparse.Namespace) -> Path:
    return (args.vault or locations.default_vault_folder()).expanduser()


def read_passphrase(prompt: str = "Passphrase: ") -> str:
    path = os.environ.get(locations.ENV_PASSPHRASE_FILE)
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise CliError(f"Cannot read the passphrase file {path} ({exc.strerror}); check ${locations.ENV_PASSPHRASE_FILE}.") from None
    if not sys.stdin.isatty():
        raise CliError(f"No passphrase: set ${locations.ENV_PASSPHRASE_FILE} to a file holding it, or run this in a terminal.")
    return getpass.getpass(prompt)


def _no_vault(folder: Path) -> CliError:
    if folder.exists() and not folder.is_dir():
        return CliError(f"{folder} is a file, not a folder: name the vault's folder with --vault.")
    # The file gone but its backups there: restoring, not a new vault, is what is needed.
    missing = Vault(folder).missing_with_backups()
    if missing:
        return CliError(missing)
    set_aside = Vault(folder).missing_with_a_copy_set_aside()
    if set_aside:
        return CliError(f"{set_aside}; or run 'sitecare' to create a new vault.")
    return CliError(f"There is no vault in {folder}; run 'sitecare' to create one, or pass --vault.")


def _open(folder: Path, readonly: bool) -> Vault:
    vault = Vault(folder)
    if not vault.exists():
        raise _no_vault(folder)
    try:
        vault.unlock(read_passphrase(), readonly=readonly)
    except WrongPassphraseError as exc:
        raise CliError(str(exc)) from None
    except VaultError as exc:
        from .screens.unlock import damaged_advice

        plain = isinstance(exc, (VaultLockedError, VaultSaveError))
        raise CliError(str(exc) if plain else damaged_advice(vault, str(exc), in_app=False)) from None
    _say_dropped(vault)
    return vault


def _say_dropped(vault: Vault) -> None:
    """A damaged last change left out at open: said on stderr, whatever the command."""
    if vault.dropped_change is not None:
        print(f"sitecare: {vault.dropped_change.message()}", file=sys.stderr)


def _check_moment(args: argparse.Namespace) -> datetime:
    if args.on is None:
        return datetime.now()
    from .rules.dates import DateError, parse_uk_date

    try:
        day = parse_uk_date(args.on)
    except DateError as exc:
        raise CliError(f"--on: {exc}") from None
    # Another day is judged from its start; today, from this moment (24-hour deadlines).
    now = datetime.now()
    return now if day == now.date() else datetime.combine(day, datetime.min.time())


def cmd_check(args: argparse.Namespace) -> int:
    from .data.attention_inputs import current_attention
    from .rules.attention import Severity, counts, within

    if args.within is not None and args.within < 0:
        raise CliError("--within needs a number of days, 0 or more.")
    now = _check_moment(args)
    today = now.date()
    vault = _open(_folder(args), readonly=True)
    try:
        everything = current_attention(now)
    finally:
        vault.close()
    shown = within(everything, today, args.within)
    tally = counts(shown)
    code = EXIT_OVERDUE if any(item.severity is Severity.OVERDUE for item in shown) else EXIT_OK
    if vault.dropped_change is not None:
        code = EXIT_ERROR  # damage (said on stderr by _open): a script must not read "all clear"
    try:
        _print_check(args, shown, tally, today, now)
        sys.stdout.flush()
    except BrokenPipeError:
        # Piped into head or a pager that quit: the reader has what it wanted, and the
        # exit code still says whether something is overdue.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


def _print_check(args, shown, tally, today, now) -> None:
    from .rules.attention import SEVERITY_LABELS, describe_due
    from .rules.dates import show_date

    if args.json:
        print(json.dumps({
            "date": today.isoformat(),
            "overdue": tally.overdue,
            "due_soon": tally.due_soon,
            "upcoming": tally.upcoming,
            "items": [
                {
                    "kind": item.kind.value,
                    "label": item.label,
                    "subject": item.subject,
                    "due": item.due.isoformat(),
                    "due_at": item.due_at.isoformat(timespec="minutes") if item.due_at else None,
                    "severity": item.severity.value,
                    "action": item.action,
                    "detail": item.detail,
                    "record": {"table": item.ref.table, "id": item.ref.id},
                }
                for item in shown
            ],
        }, indent=2))
    else:
        horizon = "" if args.within is None else f" (and what falls due within {args.within} day{'s' if args.within != 1 else ''})"
        if not shown:
            print(f"{show_date(today)}: all clear, nothing is overdue or due soon{horizon}.")
        else:
            print(f"{show_date(today)}: {tally.overdue} overdue, {tally.due_soon} due soon"
                  + (f", {tally.upcoming} later" if tally.upcoming else "") + f"{horizon}.")
            for item in shown:
                print(f"{SEVERITY_LABELS[item.severity].upper():9} {show_date(item.due):>11}  {item.label}: {item.subject}")
                print(f"{'':22} {describe_due(item, today, now)}; {item.what_to_do}")


def cmd_export_calendar(args: argparse.Namespace) -> int:
    from .data.attention_inputs import current_attention
    from .data.calendar import CalendarError, CalendarExistsError, build_calendar, calendar_target, future_items, write_calendar

    try:
        target = calendar_target(str(args.file))
    except CalendarError as exc:
        raise CliError(str(exc)) from None
    if target.exists() and not args.force:
        raise CliError(f"{target} already exists; pass --force to replace it.")
    now = datetime.now()
    vault = _open(_folder(args), readonly=True)
    try:
        items = current_attention(now)
        namespace = vault.header.vault_id.hex() if vault.header else ""
    finally:
        vault.close()
    data = build_calendar(items, now.date(), now, namespace)
    try:
        write_calendar(target, data, overwrite=args.force)
    except CalendarExistsError:
        raise CliError(f"{target} already exists; pass --force to replace it.") from None
    except CalendarError as exc:
        raise CliError(str(exc)) from None
    print(f"Wrote {len(future_items(items, now.date()))} due dates to {target} (not encrypted: keep it private).")
    return EXIT_OK


def cmd_locate(args: argparse.Namespace) -> int:
    folder = _folder(args)
    vault = Vault(folder)
    if vault.exists():
        state = ""
    elif vault.backups():
        state = f"  (missing: 'sitecare backups --restore 1 --vault {folder}' restores the newest backup)"
    else:
        state = "  (not created yet)"
    print(f"vault:     {vault.path}{state}")
    print(f"backups:   {vault.backup_dir}  ({len(vault.backups())} kept, newest first by generation)")
    print(f"blobs:     {vault.blob_dir}  (attachments, each encrypted)")
    print(f"drafts:    {vault.draft_dir}  (unfinished concern forms, encrypted)")
    print(f"lock:      {vault.lock_path}")
    print("settings:  inside the vault (encrypted); change them in the app: ctrl+p, Settings")
    return EXIT_OK


def cmd_backups(args: argparse.Namespace) -> int:
    vault = Vault(_folder(args))
    kept = vault.backups()
    set_aside = vault.set_aside()
    if args.restore is None:
        if not kept:
            print(f"No backups kept in {vault.backup_dir}.")
        from .rules.dates import show_datetime

        def saved(path: Path) -> str:
            # When each was saved: the newest may be older than the damage being undone,
            # or older than the records it is meant to bring back.
            found = path.stat()
            return f"saved {show_datetime(datetime.fromtimestamp(found.st_mtime))}  ({found.st_size:,} bytes)"

        for number, path in enumerate(kept, start=1):
            print(f"{number}  {path.name}  {saved(path)}")
        if set_aside:
            print("Set aside beside the vault (restore one with --restore NAME; sitecare never removes them):")
            for path in set_aside:
                print(f"   {path.name}  {saved(path)}")
        return EXIT_OK
    if not args.restore.isdigit():
        chosen = next((p for p in set_aside if p.name == args.restore), None)
        if chosen is None:
            raise CliError(f"There is no copy named {args.restore} set aside beside the vault: "
                           "'sitecare backups' lists them.")
        return _restore(vault, chosen)
    number = int(args.restore)
    if not 1 <= number <= len(kept):
        raise CliError(f"There is no backup {number}: 'sitecare backups' lists {len(kept)}.")
    return _restore(vault, kept[number - 1])


def _restore(vault: Vault, backup: Path) -> int:
    try:
        vault.acquire_lock()
    except VaultLockedError as exc:
        # Not "or open this one read-only": a restore writes.
        holder = f" ({exc.holder})" if exc.holder else ""
        raise CliError(f"This vault is open in another sitecare{holder}: close that one, then restore.") from None
    try:
        set_aside = vault.restore_backup(backup)
    except (VaultError, OSError) as exc:
        raise CliError(f"The backup could not be restored ({exc}); nothing was changed.") from None
    finally:
        vault.release_lock()
    if set_aside is None:
        print(f"Restored {backup.name} as the vault file {vault.path}, which was missing.")
    else:
        print(f"Restored {backup.name}; the file it replaced is kept as {set_aside.name}.")
    return EXIT_OK


def cmd_passwd(args: argparse.Namespace) -> int:
    folder = _folder(args)
    vault = Vault(folder)
    if not vault.exists():
        raise _no_vault(folder)
    if not sys.stdin.isatty():
        raise CliError("Changing the passphrase needs a terminal to type it in.")
    current = getpass.getpass("Current passphrase: ")
    try:
        vault.unlock(current)
    except VaultError as exc:
        raise CliError(str(exc)) from None
    _say_dropped(vault)
    try:
        new = getpass.getpass("New passphrase: ")
        if len(new) < MIN_PASSPHRASE:
            raise CliError(f"The new passphrase needs at least {MIN_PASSPHRASE} characters; nothing was changed.")
        if getpass.getpass("New passphrase again: ") != new:
            raise CliError("The two new passphrases differ; nothing was changed.")
        vault.change_passphrase(current, new)
    except VaultError as exc:
        raise CliError(str(exc)) from None
    finally:
        vault.close()
    print("Passphrase changed; the old one no longer opens the vault, its backups or its attachments.")
    return EXIT_OK


def _import_csv(args: argparse.Namespace, what: str) -> int:
    from .data import csvfiles

    try:
        text = csvfiles.decode(csvfiles.read_file(args.file))
    except OSError as exc:
        raise CliError(csvfiles.os_error_message(exc, args.file)) from None
    except csvfiles.CsvFileError as exc:
        raise CliError(f"Nothing was imported: {exc}") from None
    vault = _open(_folder(args), readonly=False)
    try:
        commits.clear_commit_listeners()
        commits.on_commit(vault.save)
        try:
            if what == "sites":
                report = csvfiles.import_sites(text, date.today())
            else:
                report = csvfiles.import_authorities(text, date.today())
        except csvfiles.CsvFileError as exc:
            raise CliError(f"Nothing was imported: {exc}") from None
        except VaultError as exc:
            raise CliError(f"The import could not be saved ({exc}); the vault on disk is unchanged.") from None
    finally:
        commits.clear_commit_listeners()
        vault.close()
    if not report.ok:
        for error in report.errors:
            print(f"{args.file}: {error}", file=sys.stderr)
        raise CliError(report.summary())
    print(report.summary())
    return EXIT_OK


def _export_csv(args: argparse.Namespace, what: str) -> int:
    from .data import csvfiles

    vault = _open(_folder(args), readonly=True)
    try:
        text = csvfiles.export_sites() if what == "sites" else csvfiles.export_authorities()
    finally:
        vault.close()
    try:
        target = csvfiles.write_private(args.file, text)
    except OSError as exc:
        raise CliError(csvfiles.os_error_message(exc, args.file)) from None
    rows = csvfiles.count_rows(text)
    print(f"Wrote {rows} row{'s' if rows != 1 else ''} to {target} (readable by you only; not encrypted, so keep it private).")
    return EXIT_OK


def make_demo_vault(folder: Path, today: date) -> Vault:
    from .data.demo import populate_demo

    vault = Vault(folder)
    if vault.exists():
        raise CliError(f"{folder} already holds a vault; choose an empty folder for the demo.")
    try:
        vault.create(DEMO_PASSPHRASE)
    except VaultError as exc:
        raise CliError(str(exc)) from None
    with commits.suspended_commit_hooks():
        populate_demo(today)
    vault.save()
    return vault


DEMO_PREFIX = "sitecare-demo-"


def _remove_abandoned_demos() -> None:
    """A demo whose terminal was closed (SIGHUP) never reached its clean-up: remove
    throwaway demo folders whose lock no running sitecare holds."""
    for folder in Path(tempfile.gettempdir()).glob(DEMO_PREFIX + "*"):
        if not folder.is_dir():
            continue
        vault = Vault(folder)
        try:
            vault.acquire_lock()
        except (VaultLockedError, OSError):
            continue
        vault.release_lock()
        shutil.rmtree(folder, ignore_errors=True)


def cmd_demo(args: argparse.Namespace) -> int:
    if args.no_open:
        if args.vault is None:
            raise CliError("--no-open needs --vault DIR: the folder to write the demo vault into.")
        vault = make_demo_vault(args.vault.expanduser(), date.today())
        vault.close()
        print(f"Demo vault written to {vault.folder} (passphrase: {DEMO_PASSPHRASE}).")
        return EXIT_OK
    throwaway = args.vault is None
    if throwaway:
        _remove_abandoned_demos()
    folder = Path(tempfile.mkdtemp(prefix=DEMO_PREFIX)) if throwaway else args.vault.expanduser()
    try:
        vault = make_demo_vault(folder, date.today())
        return run_app(vault, demo=True)
    finally:
        if throwaway:
            shutil.rmtree(folder, ignore_errors=True)


def run_app(vault: Vault, demo: bool = False) -> int:
    # Starting the app makes a few hundred thousand objects that live as long as it
    # does, and collecting garbage while they are made was a fifth of the launch on a
    # large vault (measured). The app turns collection back on once the home screen is
    # up (app.collect_garbage_again); the finally covers a launch that never gets there.
    gc.disable()
    try:
        from .app import SitecareApp

        app = SitecareApp(vault, demo=demo)
        if demo:
            app.demo_passphrase = DEMO_PASSPHRASE
        result = app.run()
    finally:
        gc.enable()
    return app.return_code if app.return_code else (result or 0)


def main(argv: list[str] | None = None) -> int:
    # A core dump would hold the decrypted database and the key.
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass
    args = build_parser().parse_args(argv)
    commands = {
        "demo": cmd_demo,
        "check": cmd_check,
        "export-calendar": cmd_export_calendar,
        "locate": cmd_locate,
        "passwd": cmd_passwd,
        "backups": cmd_backups,
        "import-sites": lambda a: _import_csv(a, "sites"),
        "export-sites": lambda a: _export_csv(a, "sites"),
        "import-authorities": lambda a: _import_csv(a, "authorities"),
        "export-authorities": lambda a: _export_csv(a, "authorities"),
    }
    try:
        if args.command is None:
            return run_app(Vault(_folder(args)))
        return commands[args.command](args)
    except CliError as exc:
        print(f"sitecare: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("sitecare: stopped; nothing saved was lost.", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # Piped into head or a pager that quit: the reader has what it wanted. Python
        # would report the pipe again as it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback, no secrets
        from .app import safe_crash_report

        print(safe_crash_report(exc), file=sys.stderr)
        return EXIT_ERROR
