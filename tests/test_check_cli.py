"""`sitecare check` and `sitecare export-calendar`, run as a person would: in a subprocess,
with the passphrase in a file named by SITECARE_PASSPHRASE_FILE. Time is fixed with
--on (and, for the demo, data made for that same day)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest

from sitecare.cli import DEMO_PASSPHRASE, make_demo_vault
from sitecare.data import models
from sitecare.data.models import TrainingKind, TrainingRecord, change

from support import PASSPHRASE

DAY = date(2026, 11, 22)
ON = "22/11/2026"


def run(*args: str, passphrase: str, tmp_path: Path) -> subprocess.CompletedProcess:
    secret = tmp_path / "passphrase"
    secret.write_text(passphrase + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITECARE_")}
    env["SITECARE_PASSPHRASE_FILE"] = str(secret)
    return subprocess.run(
        [sys.executable, "-m", "sitecare", *args],
        capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "vault"
    models.clear_commit_listeners()
    vault = make_demo_vault(folder, DAY)
    vault.close()
    return folder


def test_demo_vault_has_something_overdue(demo_folder, tmp_path):
    result = run("check", "--vault", str(demo_folder), "--on", ON, passphrase=DEMO_PASSPHRASE, tmp_path=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("22 Nov 2026: ")
    # The demo's insurance lapsed 12 days before the day it was made for.
    assert "OVERDUE   10 Nov 2026  Training: Professional indemnity and public liability insurance" in result.stdout
    assert result.stderr == ""


def test_demo_vault_json(demo_folder, tmp_path):
    result = run("check", "--vault", str(demo_folder), "--on", ON, "--json", passphrase=DEMO_PASSPHRASE, tmp_path=tmp_path)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["date"] == "2026-11-22"
    assert report["overdue"] == sum(1 for i in report["items"] if i["severity"] == "overdue") > 0
    insurance = [i for i in report["items"] if i["subject"].startswith("Professional indemnity")]
    assert insurance[0]["due"] == "2026-11-10"
    assert insurance[0]["record"]["table"] == "training_record"
    for item in report["items"]:
        date.fromisoformat(item["due"])
        assert item["severity"] in ("overdue", "due_soon")


def test_within_widens_and_narrows_the_list(demo_folder, tmp_path):
    def listed(*extra):
        out = run("check", "--vault", str(demo_folder), "--on", ON, "--json", *extra,
                  passphrase=DEMO_PASSPHRASE, tmp_path=tmp_path)
        return json.loads(out.stdout)["items"]

    default, week, year = listed(), listed("--within", "7"), listed("--within", "400")
    assert all(date.fromisoformat(i["due"]) <= DAY + timedelta(days=7) for i in week)
    assert len(week) < len(default) < len(year)
    assert any(i["severity"] == "upcoming" for i in year)


def _vault_with(vault_dir, template_kek, expires: date | None) -> Path:
    from support import reopen

    models.clear_commit_listeners()
    vault = reopen(vault_dir, template_kek)
    try:
        if expires is not None:
            kind = TrainingKind.get(TrainingKind.code == "insurance")
            with change():
                TrainingRecord.create(kind=kind, completed=expires - timedelta(days=365), expires=expires)
        vault.save()
    finally:
        vault.close()
    return vault_dir


def test_nothing_overdue_exits_0(vault_dir, template_kek, tmp_path):
    folder = _vault_with(vault_dir, template_kek, DAY)  # expires on the day: due, not overdue
    result = run("check", "--vault", str(folder), "--on", ON, passphrase=PASSPHRASE, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0 overdue, 1 due soon" in result.stdout
    # The next day the same record is overdue.
    result = run("check", "--vault", str(folder), "--on", "23/11/2026", passphrase=PASSPHRASE, tmp_path=tmp_path)
    assert result.returncode == 1


def test_an_empty_vault_is_all_clear(vault_dir, tmp_path):
    result = run("check", "--vault", str(vault_dir), "--on", ON, passphrase=PASSPHRASE, tmp_path=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == "22 Nov 2026: all clear, nothing is overdue or due soon."


@pytest.mark.parametrize(
    "args, passphrase, message",
    [
        (["--on", ON], "not the passphrase", "does not open this vault"),
        (["--on", "31/02/2026"], PASSPHRASE, "--on:"),
        (["--within", "-1"], PASSPHRASE, "--within"),
    ],
)
def test_errors_exit_2_with_one_sentence(vault_dir, tmp_path, args, passphrase, message):
    result = run("check", "--vault", str(vault_dir), *args, passphrase=passphrase, tmp_path=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_vault_exits_2(tmp_path):
    result = run("check", "--vault", str(tmp_path / "none"), passphrase=PASSPHRASE, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "There is no vault" in result.stderr


def test_export_calendar(vault_dir, template_kek, tmp_path):
    folder = _vault_with(vault_dir, template_kek, date.today() + timedelta(days=40))
    target = tmp_path / "due.ics"
    result = run("export-calendar", "--vault", str(folder), str(target), passphrase=PASSPHRASE, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Wrote 1 due dates" in result.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    (event,) = icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Training: Professional indemnity and public liability insurance"
    assert event["DTSTART"].dt == date.today() + timedelta(days=40)

    again = run("export-calendar", "--vault", str(folder), str(target), passphrase=PASSPHRASE, tmp_path=tmp_path)
    assert again.returncode == 2
    assert "already exists; pass --force" in again.stderr
    forced = run("export-calendar", "--vault", str(folder), str(target), "--force", passphrase=PASSPHRASE, tmp_path=tmp_path)
    assert forced.returncode == 0
