"""Pilot: record a site's policy with its file (kept encrypted), sign it, and set the
training the site requires."""

from __future__ import annotations

import stat
from datetime import date

import pytest

from textual.widgets import DataTable, Select

from sitecare.data import sites
from sitecare.data.models import Attachment, Policy, Requirement
from sitecare.rules.policy import PolicyState
from sitecare.screens.policy import PolicyFormScreen, PolicyScreen, SignPolicyScreen

from sitehelpers import SIZE, TODAY, field_error, fill, fixed_sites, kind, make_app, screen_text, settle, type_text


async def test_record_and_sign_a_policy_with_its_file(open_vault, tmp_path):
    world = fixed_sites()
    poppy = world["poppy"]
    pdf = tmp_path / "poppyfield-safeguarding.pdf"
    pdf.write_bytes(b"%PDF-1.7 Poppyfield safeguarding policy, version 3")
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(PolicyScreen(poppy.id))
        await pilot.pause()
        assert "✗ no policy recorded yet" in screen_text(app)
        # g before anything is recorded says what to do first.
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, PolicyScreen)

        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PolicyFormScreen)
        await fill(app, pilot, "#version", "v3")
        await fill(app, pilot, "#dated", "01/09/2026")
        await fill(app, pilot, "#review_due", "31/08/2026")
        await fill(app, pilot, "#attachment", str(tmp_path / "missing.pdf"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "There is no file" in field_error(app, "attachment")
        await fill(app, pilot, "#attachment", str(pdf))
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert field_error(app, "review_due") == "The review date cannot come before the date of the policy."
        await fill(app, pilot, "#review_due", "01/09/2028")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, PolicyScreen)

        policy = Policy.get(Policy.site == poppy)
        assert (policy.version, policy.dated, policy.review_due) == ("v3", date(2026, 9, 1), date(2028, 9, 1))
        attachment = Attachment.get_by_id(policy.attachment_id)
        assert attachment.filename == "poppyfield-safeguarding.pdf"
        assert open_vault.get_blob(attachment.blob_id) == pdf.read_bytes()
        for blob in open_vault.blob_dir.iterdir():
            assert b"Poppyfield" not in blob.read_bytes()
        assert "✗ not signed yet" in screen_text(app)

        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, SignPolicyScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert field_error(app, "how").startswith("Enter how you signed it")
        await fill(app, pilot, "#how", "signed the paper copy in the office")
        await fill(app, pilot, "#signed_on", "20/11/2026")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, PolicyScreen)
        # A charity: 12 months from signing.
        assert "✓ signed 20 Nov 2026; re-sign due 20 Nov 2027" in screen_text(app)
        status = sites.site_policy_status(poppy, TODAY)
        assert status.state is PolicyState.SIGNED_CURRENT

        # The file can be saved out again, readable by me only.
        await pilot.press("w")
        await pilot.pause()
        out = tmp_path / "copy.pdf"
        await fill(app, pilot, "#path", str(out))
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert out.read_bytes() == pdf.read_bytes()
        assert stat.S_IMODE(out.stat().st_mode) == 0o600


async def test_sign_a_policy_from_the_sites_table(open_vault):
    world = fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "down", "p")  # Larkspur: recorded, never signed
        await pilot.pause()
        assert isinstance(app.screen, PolicyScreen)
        await pilot.press("enter")  # Enter on a version: I signed it
        await pilot.pause()
        assert isinstance(app.screen, SignPolicyScreen)
        # The date is today's already: typing goes straight into how I signed it.
        await type_text(pilot, "signed the policy log")
        await pilot.press("enter")  # Enter in the last field saves
        await settle(app, pilot)
        assert sites.site_policy_status(world["larkspur"], TODAY).state is PolicyState.SIGNED_CURRENT
        await pilot.press("escape")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        row = [str(c) for c in table.get_row_at(1)]
        assert row[0] == "Larkspur House" and "signed" in row


async def test_requirements_add_change_remove(open_vault):
    world = fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "down", "down", "r")  # Poppyfield: none yet
        await pilot.pause()
        assert "No training requirements recorded" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#kind", Select).value = kind("prevent").id
        await fill(app, pilot, "#max_age", "two years")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "is not a number of months" in field_error(app, "max_age")
        await fill(app, pilot, "#max_age", "12")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        # Prevent done 20 Dec 2024; within 12 months means it ran out on 20 Dec 2025.
        assert [str(c) for c in table.get_row_at(0)] == [
            "Prevent", "12 months", "expired 11 months ago (the site's limit)"
        ]
        await pilot.press("e")
        await pilot.pause()
        await fill(app, pilot, "#max_age", "24")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert [str(c) for c in table.get_row_at(0)][2] == "expiring in 28 days (the site's limit)"
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        assert not Requirement.select().where(Requirement.site == world["poppy"]).exists()


async def test_a_version_recorded_by_mistake_can_be_removed_a_signed_one_cannot(open_vault, tmp_path):
    world = fixed_sites()
    larkspur = world["larkspur"]
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(PolicyScreen(larkspur.id))
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await fill(app, pilot, "#version", "oops")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert Policy.select().where(Policy.site == larkspur).count() == 2
        # The newest row (recorded today, undated) is first; x asks, then removes it.
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        assert [p.version for p in Policy.select().where(Policy.site == larkspur)] == ["v4"]
        # Sign v4, then try to remove it: refused, kept.
        await pilot.press("g")
        await pilot.pause()
        await fill(app, pilot, "#how", "signed the policy log")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, PolicyScreen)
        assert Policy.select().where(Policy.site == larkspur).count() == 1
        with pytest.raises(sites.SiteError, match="stays as the record of your signature"):
            sites.remove_policy(Policy.get(Policy.site == larkspur))
