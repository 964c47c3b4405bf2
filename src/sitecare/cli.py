"""Command line: the app by default; check, demo, locate, passwd and backups for scripts.

Every subcommand takes --vault DIR (default $SITECARE_VAULT, else the platform's user
data folder). Exit codes: 0 fine, 1 something overdue (check), 2 an error, always with
one sentence on stderr and never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import os
import resource
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from .data import locations, models
from .data.vault import MIN_PASSPHRASE, Vault, VaultError, VaultLockedError, WrongPassphraseError

EXIT_OK, EXIT_OVERDUE, EXIT_ERROR = 0, 1, 2
DEMO_PASSPHRASE = "demo"


class CliError(Exception):
    """One sentence for stderr, then exit 2."""


def _vault_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--vault",
        metavar="DIR",
        type=Path,
        default=None,
        help=f"vault folder (default: ${locations.ENV_VAULT}, else {locations.default_vault_folder()})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitecare", description="Safeguarding records for visiting practitioners, offline and encrypted.")
    _vault_arg(parser)
    sub = parser.add_subparsers(dest="command")

    demo = sub.add_parser("demo", help="open a throwaway vault full of fictional data (no passphrase)")
    _vault_arg(demo)
    demo.add_argument("--no-open", action="store_true", help="with --vault: write the demo vault (passphrase 'demo') and exit")

    check = sub.add_parser("check", help="unlock and report; exit 1 when something is overdue")
    _vault_arg(check)
    check.add_argument("--within", type=int, metavar="DAYS", default=None, help="also list what falls due within DAYS")
    check.add_argument("--json", action="store_true", help="print JSON with ISO dates")

    locate = sub.add_parser("locate", help="print where the vault, its backups and settings live")
    _vault_arg(locate)

    passwd = sub.add_parser("passwd", help="change the passphrase (and the data key)")
    _vault_arg(passwd)

    backups = sub.add_parser("backups", help="list the kept backups, or restore one")
    _vault_arg(backups)
    backups.add_argument("--restore", type=int, metavar="N", help="restore backup N (1 is the newest)")
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


def _open(folder: Path, readonly: bool) -> Vault:
    vault = Vault(folder)
    if not vault.exists():
        raise CliError(f"There is no vault in {folder}; run 'sitecare' to create one, or pass --vault.")
    try:
        vault.unlock(read_passphrase(), readonly=readonly)
    except WrongPassphraseError as exc:
        raise CliError(str(exc)) from None
    except VaultError as exc:
        from .screens.unlock import damaged_advice

        raise CliError(damaged_advice(vault, str(exc)) if not isinstance(exc, VaultLockedError) else str(exc)) from None
    return vault


def cmd_check(args: argparse.Namespace) -> int:
    from .data import queries

    vault = _open(_folder(args), readonly=True)
    try:
        counts = queries.vault_counts()
        print(f"{counts.sites} sites, {counts.concerns} concerns ({counts.open_concerns} open), {counts.training_records} training records")
    finally:
        vault.close()
    return EXIT_OK


def cmd_locate(args: argparse.Namespace) -> int:
    folder = _folder(args)
    vault = Vault(folder)
    print(f"vault:     {vault.path}{'' if vault.exists() else '  (not created yet)'}")
    print(f"backups:   {vault.backup_dir}  ({len(vault.backups())} kept, newest first by generation)")
    print(f"blobs:     {vault.blob_dir}  (attachments, each encrypted)")
    print(f"drafts:    {vault.draft_dir}  (unfinished concern forms, encrypted)")
    print(f"lock:      {vault.lock_path}")
    print("settings:  inside the vault (encrypted); change them in the app")
    return EXIT_OK


def cmd_backups(args: argparse.Namespace) -> int:
    vault = Vault(_folder(args))
    kept = vault.backups()
    if args.restore is None:
        if not kept:
            print(f"No backups kept in {vault.backup_dir}.")
        for number, path in enumerate(kept, start=1):
            print(f"{number}  {path.name}  ({path.stat().st_size:,} bytes)")
        return EXIT_OK
    if not 1 <= args.restore <= len(kept):
        raise CliError(f"There is no backup {args.restore}: 'sitecare backups' lists {len(kept)}.")
    try:
        vault.acquire_lock()
    except VaultLockedError as exc:
        raise CliError(str(exc)) from None
    try:
        set_aside = vault.restore_backup(kept[args.restore - 1])
    except (VaultError, OSError) as exc:
        raise CliError(f"The backup could not be restored ({exc}); nothing was changed.") from None
    finally:
        vault.release_lock()
    print(f"Restored {kept[args.restore - 1].name}; the file it replaced is kept as {set_aside.name}.")
    return EXIT_OK


def cmd_passwd(args: argparse.Namespace) -> int:
    folder = _folder(args)
    vault = Vault(folder)
    if not vault.exists():
        raise CliError(f"There is no vault in {folder}.")
    if not sys.stdin.isatty():
        raise CliError("Changing the passphrase needs a terminal to type it in.")
    current = getpass.getpass("Current passphrase: ")
    try:
        vault.unlock(current)
    except VaultError as exc:
        raise CliError(str(exc)) from None
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


def make_demo_vault(folder: Path, today: date) -> Vault:
    from .data.demo import populate_demo

    vault = Vault(folder)
    if vault.exists():
        raise CliError(f"{folder} already holds a vault; choose an empty folder for the demo.")
    vault.create(DEMO_PASSPHRASE)
    with models.suspended_commit_hooks():
        populate_demo(today)
    vault.save()
    return vault


def cmd_demo(args: argparse.Namespace) -> int:
    if args.no_open:
        if args.vault is None:
            raise CliError("--no-open needs --vault DIR: the folder to write the demo vault into.")
        vault = make_demo_vault(args.vault.expanduser(), date.today())
        vault.close()
        print(f"Demo vault written to {vault.folder} (passphrase: {DEMO_PASSPHRASE}).")
        return EXIT_OK
    throwaway = args.vault is None
    folder = Path(tempfile.mkdtemp(prefix="sitecare-demo-")) if throwaway else args.vault.expanduser()
    try:
        vault = make_demo_vault(folder, date.today())
        return run_app(vault, demo=True)
    finally:
        if throwaway:
            shutil.rmtree(folder, ignore_errors=True)


def run_app(vault: Vault, demo: bool = False) -> int:
    from .app import SitecareApp

    app = SitecareApp(vault, demo=demo)
    result = app.run()
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
        "locate": cmd_locate,
        "passwd": cmd_passwd,
        "backups": cmd_backups,
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
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback, no secrets
        from .app import safe_crash_report

        print(safe_crash_report(exc), file=sys.stderr)
        return EXIT_ERROR
