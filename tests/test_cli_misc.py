"""Command-line edges: abandoned demo folders, output piped into a reader that quits."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from sitecare.cli import DEMO_PREFIX, _remove_abandoned_demos
from sitecare.data.vault import Vault


def test_abandoned_demo_folders_are_removed_but_a_running_one_is_kept(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    abandoned = tmp_path / f"{DEMO_PREFIX}abandoned"
    running = tmp_path / f"{DEMO_PREFIX}running"
    for folder in (abandoned, running):
        folder.mkdir()
        (folder / "sitecare.vault").write_bytes(b"fictional")
    holder = Vault(running)
    holder.acquire_lock()
    try:
        _remove_abandoned_demos()
    finally:
        holder.release_lock()
    assert not abandoned.exists()
    assert running.exists()


def test_check_piped_into_a_reader_that_quits_keeps_its_exit_code(open_vault, tmp_path):
    from datetime import date

    from sitecare.data.models import Site, TrainingKind, TrainingRecord, change

    with change():
        # Enough items that the output overflows the pipe's buffer (64 KiB) while the
        # reader has already gone.
        for index in range(400):
            Site.create(name=f"Site {index:03d}", created_on=date(2020, 1, 1))
        TrainingRecord.create(kind=TrainingKind.get(code="insurance"), completed=date(2020, 1, 1), expires=date(2021, 1, 1))
    folder = open_vault.folder
    open_vault.close()
    secret = tmp_path / "pass"
    secret.write_text("correct horse battery staple\n")
    env = dict(os.environ, SITECARE_PASSPHRASE_FILE=str(secret))
    child = subprocess.Popen(
        [sys.executable, "-m", "sitecare", "check", "--vault", str(folder), "--json", "--within", "36500"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    assert child.stdout.read(5) == b"{\n  \""
    child.stdout.close()  # the reader quits, as `head -c 5` does
    stderr = child.stderr.read().decode()
    assert child.wait() == 1  # something is overdue
    assert "unexpected error" not in stderr


def test_a_vault_named_before_the_command_is_the_one_used(tmp_path, monkeypatch, capsys):
    """Every command takes --vault: given before the command's name, a command's own
    default used to replace it, and 'backups --restore' would have acted on another
    vault."""
    from sitecare.cli import main

    monkeypatch.setenv("SITECARE_VAULT", str(tmp_path / "the default"))
    assert main(["--vault", str(tmp_path / "named"), "locate"]) == 0
    assert f"vault:     {tmp_path / 'named'}" in capsys.readouterr().out
    assert main(["locate", "--vault", str(tmp_path / "after")]) == 0
    assert f"vault:     {tmp_path / 'after'}" in capsys.readouterr().out
    assert main(["locate"]) == 0
    assert f"vault:     {tmp_path / 'the default'}" in capsys.readouterr().out


def test_backups_are_listed_with_when_each_was_saved(open_vault, capsys):
    from datetime import datetime

    from sitecare.cli import main

    open_vault.save(full=True)
    kept = open_vault.backups()
    assert kept
    from sitecare.rules.dates import show_datetime

    stamp = datetime.fromtimestamp(kept[0].stat().st_mtime)
    assert main(["backups", "--vault", str(open_vault.folder)]) == 0
    assert f"1  {kept[0].name}  saved {show_datetime(stamp)}" in capsys.readouterr().out


def test_any_command_piped_into_a_reader_that_quits_ends_quietly(tmp_path):
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom sitecare.cli import main\n"
         "sys.exit(min(sum(main(['locate', '--vault', sys.argv[1]]) for _ in range(2000)), 1))", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    child.stdout.read(5)
    child.stdout.close()  # the reader quits, as `head -1` does
    stderr = child.stderr.read().decode()
    child.wait()
    assert "unexpected error" not in stderr and "Traceback" not in stderr


def test_a_file_named_as_the_vault_folder_is_said_to_be_one(tmp_path, monkeypatch, capsys):
    from sitecare.cli import main

    monkeypatch.setenv("SITECARE_PASSPHRASE_FILE", str(tmp_path / "unused"))
    (tmp_path / "notes.txt").write_text("not a folder")
    assert main(["check", "--vault", str(tmp_path / "notes.txt")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_a_restore_refused_while_the_vault_is_open_says_to_close_it_only(open_vault, capsys):
    from sitecare.cli import main

    open_vault.save(full=True)  # a backup to restore
    assert main(["backups", "--vault", str(open_vault.folder), "--restore", "1"]) == 2
    err = capsys.readouterr().err
    assert "close that one, then restore" in err and "read-only" not in err


def test_a_copy_set_aside_is_listed_and_can_be_restored_by_name(open_vault, template_kek, capsys):
    from sitecare.cli import main
    from sitecare.data.models import Site, change
    from support import reopen

    with change():
        Site.create(name="before the restore")
    open_vault.save(full=True)
    with change():
        Site.create(name="after the backup")
    folder = open_vault.folder
    open_vault.close()
    assert main(["backups", "--vault", str(folder), "--restore", "1"]) == 0
    assert main(["backups", "--vault", str(folder)]) == 0
    out = capsys.readouterr().out
    set_aside = [line.split()[0] for line in out.splitlines() if line.startswith("   sitecare-replaced-")]
    assert len(set_aside) == 1 and "Set aside beside the vault" in out
    # The restore is undone by restoring the copy it set aside.
    assert main(["backups", "--vault", str(folder), "--restore", set_aside[0]]) == 0
    again = reopen(folder, template_kek)
    try:
        assert Site.select().where(Site.name == "after the backup").exists()
    finally:
        again.close()
    assert main(["backups", "--vault", str(folder), "--restore", "sitecare-nothing.vault"]) == 2
    assert "no copy named sitecare-nothing.vault" in capsys.readouterr().err


def _missing_vault_with_backups(open_vault) -> Path:
    from sitecare.data.models import Site, change

    for name in ("Gone One", "Gone Two"):
        with change():
            Site.create(name=name)
        open_vault.save(full=True)
    open_vault.close()
    open_vault.path.unlink()
    return open_vault.folder


def test_every_command_on_a_missing_vault_file_names_the_backup_to_restore(open_vault, tmp_path, monkeypatch, capsys):
    """The vault file deleted, its backups left: every command said "run 'sitecare' to
    create one", and a new vault there then deleted the old vault's backups."""
    from datetime import datetime

    from sitecare.cli import main
    from sitecare.rules.dates import show_datetime

    folder = _missing_vault_with_backups(open_vault)
    newest = Vault(folder).backups()[0]
    saved = show_datetime(datetime.fromtimestamp(newest.stat().st_mtime))
    secret = tmp_path / "pass"
    secret.write_text("correct horse battery staple\n")
    monkeypatch.setenv("SITECARE_PASSPHRASE_FILE", str(secret))
    (tmp_path / "in.csv").write_text("name\n")
    for command in (["check"], ["export-sites", str(tmp_path / "out.csv")], ["export-calendar", str(tmp_path / "x.ics")],
                    ["import-sites", str(tmp_path / "in.csv")], ["passwd"], ["demo", "--no-open"]):
        assert main([*command, "--vault", str(folder)]) == 2, command
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, command
        assert f"sitecare backups --restore 1 --vault {folder}" in err, command
        assert "create one" not in err and "Traceback" not in err, command
        if command[0] != "demo":
            assert f"({newest.name}, saved {saved})" in err, command
    assert not (folder / "sitecare.vault").exists()
    assert main(["locate", "--vault", str(folder)]) == 0
    assert "missing: 'sitecare backups --restore 1" in capsys.readouterr().out
