"""data/training.py without the screens: records, certificates in and out, compliance."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import replace
from datetime import date

import pytest

from sitecare.data import training
from sitecare.data.models import Attachment, Requirement, Site, TrainingKind, TrainingRecord, change
from sitecare.rules.validity import TrainingState

TODAY = date(2026, 11, 22)
DATA = b"%PDF-1.4 fictional certificate " * 100


def kind(code: str) -> TrainingKind:
    return TrainingKind.get(TrainingKind.code == code)


def test_computed_expiry_follows_the_kind(open_vault):
    # Seed 003: safeguarding at least every three years; DBS Update yearly; HCPC two-yearly.
    assert training.computed_expiry(kind("safeguarding_children").id, date(2024, 2, 29)) == date(2027, 2, 28)
    assert training.computed_expiry(kind("dbs_update").id, date(2026, 1, 31)) == date(2027, 1, 31)
    assert training.computed_expiry(kind("hcpc_registration").id, date(2026, 3, 1)) == date(2028, 3, 1)
    assert training.computed_expiry(kind("prevent").id, date(2026, 3, 1)) is None


def test_save_refuses_impossible_dates(open_vault):
    with pytest.raises(training.TrainingError) as future:
        training.save_record(None, kind_id=kind("insurance").id, completed=date(2026, 11, 23), expires=None,
                             expiry_overridden=False, provider="", notes="", today=TODAY)
    assert future.value.field == "completed"
    with pytest.raises(training.TrainingError) as backwards:
        training.save_record(None, kind_id=kind("insurance").id, completed=date(2026, 11, 1), expires=date(2026, 10, 31),
                             expiry_overridden=True, provider="", notes="", today=TODAY)
    assert backwards.value.field == "expires"
    assert TrainingRecord.select().count() == 0


def test_replacing_a_certificate_returns_the_old_blob(open_vault, tmp_path):
    first, second = tmp_path / "a.pdf", tmp_path / "b.png"
    first.write_bytes(DATA)
    second.write_bytes(b"\x89PNG fictional")
    record_id, _ = training.save_record(None, kind_id=kind("insurance").id, completed=date(2026, 1, 5),
                                        expires=date(2027, 1, 5), expiry_overridden=False, provider=" Acme ",
                                        notes="", today=TODAY,
                                        certificate=training.store_certificate(open_vault, str(first)))
    old = TrainingRecord.get_by_id(record_id).certificate
    assert TrainingRecord.get_by_id(record_id).provider == "Acme"
    replaced = training.attach_certificate(record_id, training.store_certificate(open_vault, str(second)))
    assert replaced == old.blob_id
    new = TrainingRecord.get_by_id(record_id).certificate
    assert (new.filename, new.media_type) == ("b.png", "image/png")
    assert Attachment.select().count() == 1
    training.discard_blob(open_vault, replaced)
    assert not open_vault.blob_path(old.blob_id).exists()
    assert training.remove_certificate(record_id) == new.blob_id
    assert TrainingRecord.get_by_id(record_id).certificate is None


def test_export_checks_the_checksum_and_never_overwrites(open_vault, tmp_path):
    source = tmp_path / "cert.pdf"
    source.write_bytes(DATA)
    stored = training.store_certificate(open_vault, str(source))
    info = training.CertificateInfo(1, stored.blob_id, stored.filename, stored.size, stored.sha256, stored.media_type)
    out = tmp_path / "out"
    out.mkdir()
    target = training.export_target(str(out), info.filename)
    assert target == out / "cert.pdf"
    training.export_certificate(open_vault, info, target)
    assert target.read_bytes() == DATA and hashlib.sha256(target.read_bytes()).hexdigest() == stored.sha256
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    with pytest.raises(training.TargetExistsError):
        training.export_certificate(open_vault, info, target)
    tampered = replace(info, sha256="0" * 64)
    other = out / "other.pdf"
    with pytest.raises(training.CertificateError, match="checksum"):
        training.export_certificate(open_vault, tampered, other)
    assert not other.exists()
    assert sorted(p.name for p in out.iterdir()) == ["cert.pdf"]  # no temp file left


def test_export_target_messages(tmp_path):
    with pytest.raises(training.CertificateError, match="no folder"):
        training.export_target(str(tmp_path / "missing" / "x.pdf"), "x.pdf")
    with pytest.raises(training.CertificateError, match="Enter where"):
        training.export_target("  ", "x.pdf")
    assert training.export_target(f"'{tmp_path}/named.pdf'", "x.pdf") == tmp_path / "named.pdf"


def test_a_missing_blob_is_a_sentence_not_a_traceback(open_vault, tmp_path):
    source = tmp_path / "cert.pdf"
    source.write_bytes(DATA)
    stored = training.store_certificate(open_vault, str(source))
    open_vault.delete_blob(stored.blob_id)
    info = training.CertificateInfo(1, stored.blob_id, stored.filename, stored.size, stored.sha256, stored.media_type)
    with pytest.raises(training.CertificateError, match="missing from the vault folder"):
        training.export_certificate(open_vault, info, tmp_path / "copy.pdf")


def test_groups_show_a_sites_stricter_limit(open_vault):
    with change():
        school = Site.create(name="Otterbrook Academy")
        Requirement.create(site=school, kind=kind("prevent"), max_age_months=12)
        TrainingRecord.create(kind=kind("prevent"), completed=date(2025, 3, 22))
    groups = {g.kind.code: g for g in training.grouped_records(TODAY, 60)}
    prevent = groups["prevent"]
    assert prevent.status.state is TrainingState.NO_EXPIRY
    # 22 Mar 2025 + 12 months = 22 Mar 2026, before 22 Nov 2026: expired for the site.
    assert prevent.worst_site == (TrainingState.EXPIRED, ["Otterbrook Academy"])
    assert prevent.required_by == ["Otterbrook Academy"]
    # Kinds with records come first.
    assert list(groups)[0] == "prevent"


def test_compliance_for_one_site(open_vault):
    with change():
        a = Site.create(name="A School")
        b = Site.create(name="B Home")
        Requirement.create(site=a, kind=kind("safeguarding_children"))
        Requirement.create(site=b, kind=kind("insurance"))
        Site.create(name="C Archived", archived=True)
    whole = training.compliance_matrix(TODAY, 60)
    assert [r.site_name for r in whole.rows] == ["A School", "B Home"]
    assert [k.code for k in whole.kinds] == ["insurance", "safeguarding_children"]
    one = training.compliance_matrix(TODAY, 60, site_id=a.id)
    assert [r.site_name for r in one.rows] == ["A School"]
    assert one.rows[0].cells[kind("safeguarding_children").id].state is TrainingState.MISSING
    empty = Site.create(name="D Nothing")
    none_required = training.compliance_matrix(TODAY, 60, site_id=empty.id)
    assert [r.site_name for r in none_required.rows] == ["D Nothing"] and none_required.kinds == []


def test_the_training_list_is_read_in_a_query_per_kind_not_per_record(open_vault):
    """A decade's records took 3 s to open: each record's kind and certificate were
    read one by one (two queries a record)."""
    from sitecare.data import models

    with change():
        insurance = kind("insurance")
        certificate = Attachment.create(blob_id="b" * 32, filename="cert.pdf", size=10, sha256="0" * 64,
                                        media_type="application/pdf")
        for year in range(2000, 2040):
            TrainingRecord.create(kind=insurance, completed=date(year, 1, 1), expires=date(year + 3, 1, 1),
                                  certificate=certificate if year % 2 else None)
    statements: list[str] = []
    connection = models.database.obj.connection()
    connection.set_trace_callback(statements.append)
    try:
        groups = training.grouped_records(TODAY, 60)
    finally:
        connection.set_trace_callback(None)
    records = [r for g in groups for r in g.records]
    assert len(records) == 40
    assert sum(r.certificate is not None for r in records) == 20
    assert {r.kind_name for r in records} == {insurance.name}
    assert len(statements) <= TrainingKind.select().count() + 5
