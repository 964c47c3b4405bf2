"""Snapshots of the training screen and the compliance matrix at 80x24, fixed time and data."""

from __future__ import annotations

from datetime import date, datetime

from sitecare.app import SitecareApp
from sitecare.data import training as training_mod
from sitecare.data.models import Requirement, Site, TrainingKind, TrainingRecord, change

NOW = datetime(2026, 11, 22, 9, 0)


def kind(code: str) -> TrainingKind:
    return TrainingKind.get(TrainingKind.code == code)


def make_data(vault, tmp_path) -> None:
    pdf = tmp_path / "level2-certificate.pdf"
    pdf.write_bytes(b"%PDF-1.4 fictional")
    with change():
        school = Site.create(name="Kestrel Fen Primary School", kind="school")
        care = Site.create(name="Larkspur House", kind="care_home")
        Requirement.create(site=school, kind=kind("safeguarding_children"))
        Requirement.create(site=school, kind=kind("prevent"), max_age_months=12)
        Requirement.create(site=care, kind=kind("safeguarding_adults"))
        Requirement.create(site=care, kind=kind("insurance"))
        TrainingRecord.create(kind=kind("safeguarding_children"), completed=date(2022, 9, 20), expires=date(2025, 9, 20))
        current = TrainingRecord.create(kind=kind("safeguarding_children"), completed=date(2025, 9, 22),
                                        expires=date(2028, 9, 22), provider="Kestrel Fen INSET")
        TrainingRecord.create(kind=kind("safeguarding_adults"), completed=date(2023, 12, 22), expires=date(2026, 12, 22))
        TrainingRecord.create(kind=kind("prevent"), completed=date(2025, 10, 1))
        TrainingRecord.create(kind=kind("insurance"), completed=date(2025, 11, 10), expires=date(2026, 11, 10))
    training_mod.attach_certificate(current.id, training_mod.store_certificate(vault, str(pdf)))


def test_training_snapshot(open_vault, tmp_path, snap_compare):
    make_data(open_vault, tmp_path)

    async def to_training(pilot):
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("down")  # the current safeguarding-children record
        await pilot.pause()

    assert snap_compare(SitecareApp(open_vault, now=lambda: NOW), terminal_size=(80, 24), run_before=to_training)


def test_compliance_snapshot(open_vault, tmp_path, snap_compare):
    make_data(open_vault, tmp_path)

    async def to_matrix(pilot):
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("right")
        await pilot.pause()

    assert snap_compare(SitecareApp(open_vault, now=lambda: NOW), terminal_size=(80, 24), run_before=to_matrix)
