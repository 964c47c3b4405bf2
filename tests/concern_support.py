"""Fixed, fictional data for the concern tests (Ofcom drama numbers, example domains)."""

from __future__ import annotations

from datetime import date, datetime

from sitecare.data import concerns
from sitecare.data.contacts import add_contact
from sitecare.data.models import Client, LocalAuthority, Organisation, Site, change


def authority(name: str = "Fenshire", nation: str = "ENG", **fields) -> LocalAuthority:
    values = dict(
        children_phone="01632 960100",
        children_out_of_hours_phone="01632 960199",
        adults_phone="01632 960200",
        adults_out_of_hours_phone="01632 960299",
        lado_phone="01632 960300",
        lado_email="lado@fenshire.example",
    )
    values.update(fields)
    with change():
        return LocalAuthority.create(name=name, nation=nation, source="test data", **values)


def organisation(name: str = "Test Therapies") -> Organisation:
    with change():
        return Organisation.create(
            name=name,
            safeguarding_lead_name="Dr Ada Lead",
            safeguarding_lead_phone="07700 900001",
            manager_name="Max Manager",
            manager_phone="01632 960002",
            manager_email="manager@tests.example",
        )


def site(
    name: str = "Kestrel Fen Primary School",
    arrangement: str = "commissioned",
    la: LocalAuthority | None = None,
    org: Organisation | None = None,
    dsl: bool = True,
    **fields,
) -> Site:
    with change():
        made = Site.create(name=name, arrangement=arrangement, local_authority=la, organisation=org, **fields)
    if dsl:
        add_contact(made, "dsl", "Claire Ashdown", date(2020, 1, 1), phone="07700 900607",
                    email="c.ashdown@kestrelfen.sch.example")
    return made


def client(reference: str = "CH-0142", client_type: str = "child", at: Site | None = None, **fields) -> Client:
    with change():
        return Client.create(reference=reference, client_type=client_type, site=at, **fields)


def raise_concern(
    at: Site | None,
    now: datetime,
    *,
    kind: str = "disclosure",
    client_type: str = "child",
    danger: bool = False,
    noticed: datetime | None = None,
    account: str = "He said his stepdad hit him with a belt.",
    client_id: int | None = None,
    about_head: bool = False,
):
    noticed = noticed or now
    now = max(now, noticed)  # raised at (or after) the moment it was noticed
    form = dict(concerns.EMPTY_FORM)
    form.update(
        site=at.id if at is not None else None,
        noticed=f"{noticed:%d/%m/%Y %H:%M}",
        kind=kind,
        client_type=client_type,
        immediate_danger=danger,
        account=account,
        client=client_id,
        about_head=about_head,
    )
    capture, errors = concerns.check_capture(form, now)
    assert not errors, errors
    return concerns.create_concern(capture, now)
