"""Administration pages: networks with their regions, organisations, workplaces and
coordinators; a network's description for its coordinators; the first steps of a new installation."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from netapp.audit import AuditEvent
from netapp.blueprints.auth.models import User
from netapp.blueprints.registry.models import (
    Membership,
    MembershipRole,
    Network,
    Organisation,
    OrganisationKind,
    Person,
    Workplace,
)
from netapp.extensions import db
from tests import factories
from tests.conftest import links_in, table_rows


def _rogaland_and_agder():
    """Two counties: Rogaland with three municipalities in force and one that ended, Agder with one."""
    rogaland = factories.make_county("11", "Rogaland")
    agder = factories.make_county("42", "Agder")
    towns = {}
    for number, name, county in (("1103", "Stavanger", rogaland), ("1108", "Sandnes", rogaland),
                                 ("1144", "Kvitsøy", rogaland), ("1102", "Gamle Sandnes", rogaland),
                                 ("4204", "Kristiansand", agder)):
        towns[name] = factories.make_municipality(number, name)
        towns[name].county = county
    towns["Gamle Sandnes"].valid_to = date(2019, 12, 31)
    db.session.commit()
    return towns


def _network_form(**fields):
    data = {"name": "Barnepalliasjon Sør-Rogaland", "short_name": "Sør-Rogaland", "slug": "sor-rogaland",
            "description": "Et nettverk.", "contact_email": "post@sor-rogaland.example"}
    data.update(fields)
    return data


def test_a_ticked_county_brings_its_municipalities_in_force_without_javascript(world, client, login):
    towns = _rogaland_and_agder()
    login(world.admin.email)
    page = client.get("/admin/networks/new").get_data(as_text=True)
    assert "Hele Rogaland" in page and "Kvitsøy" in page
    assert "Gamle Sandnes" not in page  # no longer in force: not offered
    response = client.post("/admin/networks/new", data=_network_form(county="11"))
    assert response.status_code == 302
    network = db.session.scalar(select(Network).where(Network.slug == "sor-rogaland"))
    assert {m.name for m in network.region} == {"Stavanger", "Sandnes", "Kvitsøy"}
    assert network.contact_email == "post@sor-rogaland.example"
    assert towns["Kristiansand"] not in network.region


def test_municipalities_are_ticked_one_by_one_and_an_ended_one_stays_offered_while_in_the_region(world, client, login):
    towns = _rogaland_and_agder()
    world.network.region = [towns["Gamle Sandnes"]]
    db.session.commit()
    login(world.admin.email)
    page = client.get(f"/admin/networks/{world.network.id}/edit").get_data(as_text=True)
    assert "Gamle Sandnes (ikke lenger i bruk)" in page
    response = client.post(f"/admin/networks/{world.network.id}/edit", data=_network_form(
        slug=world.network.slug, region=[str(towns["Stavanger"].id), str(towns["Kristiansand"].id)]))
    assert response.status_code == 302
    db.session.refresh(world.network)
    assert {m.name for m in world.network.region} == {"Stavanger", "Kristiansand"}
    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "Network",
                                                         AuditEvent.object_id == world.network.id)).all()
    assert "region" in {field for event in logged for field in event.fields.split(", ")}


def test_a_refused_network_keeps_what_was_typed_and_says_why_beside_the_field(world, client, login):
    towns = _rogaland_and_agder()
    login(world.admin.email)
    response = client.post("/admin/networks/new", data=_network_form(
        slug=world.other_network.slug, region=[str(towns["Sandnes"].id)]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "finnes allerede" in page
    assert 'value="Barnepalliasjon Sør-Rogaland"' in page
    assert f'value="{towns["Sandnes"].id}" checked' in page
    assert db.session.scalar(select(Network).where(Network.name == "Barnepalliasjon Sør-Rogaland")) is None


def test_one_network_is_the_default(world, client, login):
    login(world.admin.email)
    response = client.post(f"/admin/networks/{world.other_network.id}/edit", data=_network_form(
        name=world.other_network.name, slug=world.other_network.slug, is_default="y"))
    assert response.status_code == 302
    db.session.expire_all()
    assert [n.slug for n in db.session.scalars(select(Network).where(Network.is_default.is_(True)))] == ["det-andre"]
    listing = client.get("/admin/networks").get_data(as_text=True)
    assert "Standard" in listing


def test_the_coordinator_changes_the_description_and_contact_address_of_their_network(world, client, login):
    login(world.coordinator_email)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert f"/admin/networks/{world.network.id}/about" in dashboard
    response = client.post(f"/admin/networks/{world.network.id}/about",
                           data={"description": "Vi møtes fire ganger i året.", "contact_email": "Post@Nett.example"})
    assert response.status_code == 302
    public = client.get(f"/n/{world.network.slug}").get_data(as_text=True)
    assert "Vi møtes fire ganger i året." in public
    assert "mailto:post@nett.example" in public
    # ... not another network's, and no administration page
    assert client.get(f"/admin/networks/{world.other_network.id}/about").status_code == 403
    assert client.get(f"/admin/networks/{world.network.id}/coordinators").status_code == 403
    assert client.get(f"/admin/networks/{world.network.id}/edit").status_code == 403


def test_granting_the_role_to_an_address_makes_the_person_an_account_and_tells_them(world, client, login, outbox):
    login(world.admin.email)
    response = client.post(f"/admin/networks/{world.network.id}/coordinators",
                           data={"email": "Nora.Ny@Test.example", "first_name": "Nora", "last_name": "Ny"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Nora Ny" in page
    person = db.session.scalar(select(Person).where(Person.email_normalized == "nora.ny@test.example"))
    assert db.session.scalar(select(Membership).where(
        Membership.person_id == person.id, Membership.role == MembershipRole.COORDINATOR,
        Membership.end_date.is_(None))) is not None
    user = db.session.scalar(select(User).where(User.person_id == person.id))
    assert user is not None and user.password_hash is None
    mails = [m for m in outbox() if m.to_address.lower() == "nora.ny@test.example"]
    assert len(mails) == 2  # the role, and the link to choose a password
    assert any("/auth/password/" in link for m in mails for link in links_in(m.body_text))


def test_a_person_found_by_name_becomes_coordinator_and_the_role_is_withdrawn_after_a_confirmation(
        world, client, login, outbox):
    login(world.admin.email)
    search = client.get(f"/admin/networks/{world.network.id}/coordinators?q=rita").get_data(as_text=True)
    assert "Rita Ressurs" in search
    assert client.post(f"/admin/networks/{world.network.id}/coordinators/{world.rp.id}").status_code == 302
    assert len(outbox("rp@test.example")) == 1  # she has an account already: no password mail
    again = client.post(f"/admin/networks/{world.network.id}/coordinators/{world.rp.id}", follow_redirects=True)
    assert "Rita Ressurs er allerede koordinator" in again.get_data(as_text=True)
    assert len(outbox("rp@test.example")) == 1
    confirm = client.get(f"/admin/networks/{world.network.id}/coordinators/{world.rp.id}/withdraw")
    assert "Vil du fjerne rollen som koordinator fra Rita Ressurs?" in confirm.get_data(as_text=True)
    assert client.post(f"/admin/networks/{world.network.id}/coordinators/{world.rp.id}/withdraw").status_code == 302
    membership = db.session.scalar(select(Membership).where(
        Membership.person_id == world.rp.id, Membership.role == MembershipRole.COORDINATOR))
    assert membership.end_date is not None
    assert len(outbox("rp@test.example")) == 2


def test_organisations_are_made_and_changed_but_municipalities_are_not(world, client, login):
    towns = _rogaland_and_agder()
    login(world.admin.email)
    response = client.post("/admin/organisations/new", data={
        "name": "Kreftomsorg Rogaland", "kind": "ngo", "municipality_id": str(towns["Stavanger"].id)})
    assert response.status_code == 302
    ngo = db.session.scalar(select(Organisation).where(Organisation.name == "Kreftomsorg Rogaland"))
    assert ngo.kind == OrganisationKind.NGO and ngo.municipality.name == "Stavanger"
    clash = client.post("/admin/organisations/new", data={"name": "Kreftomsorg Rogaland", "kind": "other"})
    assert "En annen organisasjon har dette navnet." in clash.get_data(as_text=True)
    refused = client.post("/admin/organisations/new", data={"name": "Ny kommune", "kind": "municipality"})
    assert refused.status_code == 200
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Ny kommune")) is None
    assert client.get(f"/admin/organisations/{towns['Stavanger'].id}/edit").status_code == 404
    rows = table_rows(client.get("/admin/organisations?q=kreft").get_data(as_text=True))
    assert rows[1][0].startswith("Kreftomsorg Rogaland")  # on a phone the kind and place follow in the same cell
    assert rows[1][1:3] == ["Frivillig organisasjon", "Stavanger"]
    assert client.post(f"/admin/organisations/{ngo.id}/edit", data={
        "name": "Kreftomsorg Rogaland", "kind": "ngo", "municipality_id": str(towns["Sandnes"].id)}).status_code == 302
    db.session.refresh(ngo)
    assert ngo.municipality.name == "Sandnes"
    changes = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "Organisation")
                                 .order_by(AuditEvent.id)).all()
    assert [(c.action, c.actor_email) for c in changes] == [("create", "admin@test.example"),
                                                            ("update", "admin@test.example")]
    assert changes[1].fields == "municipality_id"


def test_the_organisation_list_pages_in_sql(world, client, login, count_queries):
    for n in range(60):
        factories.make_organisation(f"Avdeling {n:02d}")
    db.session.commit()
    login(world.admin.email)
    with count_queries() as first:
        page = client.get("/admin/organisations?kind=hospital_department").get_data(as_text=True)
    assert "60 organisasjoner" in page and "Avdeling 49" in page and "Avdeling 50" not in page
    second = client.get("/admin/organisations?kind=hospital_department&page=2").get_data(as_text=True)
    assert "Avdeling 59" in second
    for n in range(60, 90):
        factories.make_organisation(f"Avdeling {n:02d}")
    db.session.commit()
    with count_queries() as again:
        client.get("/admin/organisations?kind=hospital_department")
    assert again() == first()


def test_workplaces_are_made_with_their_sector_and_edits_based_on_an_old_version_are_refused(world, client, login):
    hospital = factories.make_organisation("Barne- og ungdomsklinikken")
    leader = factories.make_person(email="sjef@test.example", first_name="Siri", last_name="Sjef")
    db.session.commit()
    login(world.admin.email)
    response = client.post("/admin/workplaces/new", data={
        "organisation_id": str(hospital.id), "name": "Barnepost 1", "sector": "specialist",
        "leader_email": "sjef@test.example"})
    assert response.status_code == 302
    workplace = db.session.scalar(select(Workplace).where(Workplace.name == "Barnepost 1"))
    assert workplace.leader == leader and workplace.sector.value == "specialist"
    unknown = client.post("/admin/workplaces/new", data={
        "organisation_id": str(hospital.id), "name": "Barnepost 2", "sector": "specialist",
        "leader_email": "ukjent@test.example"})
    assert "Fant ingen person med denne e-postadressen i registeret." in unknown.get_data(as_text=True)
    rows = table_rows(client.get("/admin/workplaces?q=barnepost").get_data(as_text=True))
    assert rows[1][0].startswith("Barnepost 1")
    assert rows[1][1:4] == ["Barne- og ungdomsklinikken", "Spesialisthelsetjenesten", "Siri Sjef"]
    stale = client.post(f"/admin/workplaces/{workplace.id}/edit", data={
        "organisation_id": str(hospital.id), "name": "Barnepost 3", "sector": "specialist", "version": "0"})
    assert stale.status_code == 409
    assert "Barnepost 3" in stale.get_data(as_text=True)
    saved = client.post(f"/admin/workplaces/{workplace.id}/edit", data={
        "organisation_id": str(hospital.id), "name": "Barnepost 3", "sector": "specialist",
        "version": str(workplace.version)})
    assert saved.status_code == 302
    db.session.refresh(workplace)
    assert workplace.name == "Barnepost 3" and workplace.leader is None
    factories.make_workplace(hospital, "Barnepost 4")
    db.session.commit()
    clash = client.post(f"/admin/workplaces/{workplace.id}/edit", data={
        "organisation_id": str(hospital.id), "name": "Barnepost 4", "sector": "specialist",
        "version": str(workplace.version)})
    assert "Et annet arbeidssted i samme organisasjon har dette navnet." in clash.get_data(as_text=True)


def test_a_new_installation_walks_the_admin_through_the_first_steps(app, client, login):
    admin = factories.make_user("admin@test.example", is_admin=True)
    db.session.commit()
    login(admin.email)
    first = client.get("/dashboard").get_data(as_text=True)
    assert "Kom i gang" in first
    assert first.count("Ikke gjort") == 3
    assert "Meld deg på" not in first  # an administrator is not asked to join as a resource person
    assert "/admin/networks/new" in first
    network = factories.make_network("nettverket", region=[factories.make_municipality("1103", "Stavanger")])
    db.session.commit()
    assert client.get("/dashboard").get_data(as_text=True).count("Ikke gjort") == 2
    factories.make_organisation("Kreftomsorg Rogaland", OrganisationKind.NGO)
    factories.make_coordinator(network)
    db.session.commit()
    done = client.get("/dashboard").get_data(as_text=True)
    assert "Kom i gang" not in done
    assert "Nettverkene" in done


def test_the_start_page_of_an_empty_installation_says_who_to_contact(app, client):
    app.config.update(INSTALLATION_NAME="Helse Stavanger", INSTALLATION_CONTACT_EMAIL="nettverk@sus.example")
    try:
        page = client.get("/").get_data(as_text=True)
    finally:
        app.config.update(INSTALLATION_NAME="", INSTALLATION_CONTACT_EMAIL="")
    assert "ingen nettverk er opprettet" in page
    assert "Helse Stavanger" in page and "mailto:nettverk@sus.example" in page
    assert "Søk om å bli ressursperson" not in page
    assert "nyhetsbrev" not in page and "kompetansehjul" not in page  # not there yet: not promised


def test_the_workplace_list_costs_the_same_queries_whatever_its_length(world, client, login, count_queries):
    hospital = factories.make_organisation("Sykehuset")
    for n in range(5):
        factories.make_workplace(hospital, f"Post {n}")
    db.session.commit()
    login(world.admin.email)
    with count_queries() as few:
        client.get("/admin/workplaces?q=post")
    for n in range(5, 60):
        leader = factories.make_person(email=f"leder{n}@test.example")
        factories.make_workplace(hospital, f"Post {n}").leader = leader
    db.session.commit()
    with count_queries() as many:
        page = client.get("/admin/workplaces?q=post").get_data(as_text=True)
    assert "60 arbeidssteder" in page
    assert many() == few()
