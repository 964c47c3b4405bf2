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
