"""The coordinators' registry: list, filters, person page, edits, history, merge, coverage."""

from datetime import date

from sqlalchemy import func, select

from netapp.blueprints.registry import services
from netapp.blueprints.registry.models import (
    Assignment,
    Membership,
    MembershipRole,
    Network,
    Person,
    PersonStatus,
    Sector,
    Workplace,
)
from netapp.extensions import db
from tests import factories


def _person(email: str) -> Person:
    db.session.expire_all()
    return db.session.scalar(select(Person).where(Person.email_normalized == email.lower()))


def test_registry_lists_and_filters_the_demo_network(client, demo, login):
    login("koordinator@demo.example")
    page = client.get("/registry/?network=barnepalliasjon-sor-rogaland&status=all").get_data(as_text=True)
    assert "personer" in page
    stavanger = db.session.scalar(select(Network).where(Network.slug == "ressursgruppe-stavanger"))
    assert stavanger is not None
    sola = db.session.scalar(select(func.min(Workplace.organisation_id)).join(Workplace.organisation).where(
        db.text("organisation.name = 'Sola'")))
    page = client.get(f"/registry/?municipality={sola}&status=all").get_data(as_text=True)
    assert "4 personer" in page
    page = client.get("/registry/?sector=education&network=barnepalliasjon-sor-rogaland&status=all").get_data(as_text=True)
    assert "11 personer" in page
    page = client.get("/registry/?q=%C3%98vreb%C3%B8").get_data(as_text=True)  # Øvrebø
    assert "Øvrebø, Silje" in page
    assert "1 person" in page
    page = client.get("/registry/?status=left&network=barnepalliasjon-sor-rogaland").get_data(as_text=True)
    assert "3 personer" in page


def test_registry_sorts_and_paginates_in_sql(app, client, demo, login):
    login("koordinator@demo.example")
    page1 = client.get("/registry/?sort=name").get_data(as_text=True)
    assert 'aria-current="page"' in page1  # more than one page of 50
    names = [line for line in page1.splitlines() if "<td><a href=\"/registry/persons/" in line]
    assert len(names) == app.config["PAGE_SIZE"]
    page2 = client.get("/registry/?sort=name&page=2").get_data(as_text=True)
    assert names[0] not in page2
    desc = client.get("/registry/?sort=name&dir=desc").get_data(as_text=True)
    first_desc = [line for line in desc.splitlines() if "<td><a href=\"/registry/persons/" in line][0]
    assert first_desc != names[0]
    assert client.get("/registry/?page=abc&sort=nonsense&dir=up&municipality=x").status_code == 200


def test_registry_query_count_does_not_grow_with_data(app, world, client, login, count_queries):
    network = world.network
    workplace = factories.make_workplace()
    for n in range(10):
        factories.make_person(network, workplace=workplace, email=f"a{n}@test.example")
    db.session.commit()
    login("k@test.example")
    with count_queries() as small:
        assert client.get("/registry/?sort=workplace&q=a").status_code == 200
    for n in range(10, 200):
        factories.make_person(network, workplace=factories.make_workplace(), email=f"a{n}@test.example")
    db.session.commit()
    with count_queries() as large:
        assert client.get("/registry/?sort=workplace&q=a").status_code == 200
    assert small() == large()


def test_coordinator_of_another_network_cannot_see_this_registry(client, demo, login):
    stavanger = db.session.scalar(select(Network).where(Network.slug == "ressursgruppe-stavanger"))
    factories.make_coordinator(stavanger, email="annen@test.example")
    db.session.commit()
    login("annen@test.example")
    assert client.get("/registry/?network=barnepalliasjon-sor-rogaland").status_code == 403
    page = client.get("/registry/?status=all").get_data(as_text=True)
    sola_person = _person("ressurs@demo.example")
    assert sola_person.sort_name not in page  # only Stavanger's group is visible
    # 15 resource persons, the 2 demo coordinators and this coordinator
    assert "18 personer" in client.get("/registry/?network=ressursgruppe-stavanger").get_data(as_text=True)
    assert client.get(f"/registry/persons/{sola_person.id}").status_code == 403
    assert client.get(f"/registry/persons/{sola_person.id}/edit").status_code == 403


def test_create_person_refuses_duplicate_email_in_any_case(client, demo, login):
    login("koordinator@demo.example")
    network = db.session.scalar(select(Network).where(Network.is_default.is_(True)))
    workplace = db.session.scalar(select(Workplace).limit(1))
    data = {"first_name": "Kari", "last_name": "Nordmann", "email": "RESSURS@Demo.Example", "phone": "",
            "profession": "Sykepleier", "workplace_id": str(workplace.id), "position_percent": "80",
            "network_id": str(network.id), "role": "resource_person"}
    response = client.post("/registry/persons/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "allerede registrert" in page
    assert 'value="Kari"' in page and 'value="Nordmann"' in page  # nothing typed is lost
    data["email"] = "kari.nordmann@test.example"
    data["manager_email"] = "ny.leder@test.example"
    data["manager_name"] = "Nina Leder"
    response = client.post("/registry/persons/new", data=data)
    assert response.status_code == 302
    kari = _person("kari.nordmann@test.example")
    assert kari.manager.full_name == "Nina Leder" and kari.manager.is_manager
    assert [(m.network.slug, m.role) for m in kari.memberships] == [(network.slug, MembershipRole.RESOURCE_PERSON)]
    assert len(kari.assignments) == 1


def test_create_person_reports_bad_input_beside_fields(client, demo, login):
    login("koordinator@demo.example")
    network = db.session.scalar(select(Network).where(Network.is_default.is_(True)))
    response = client.post("/registry/persons/new", data={
        "first_name": "", "last_name": "X" * 500, "email": "ikke-en-adresse", "position_percent": "250",
        "workplace_id": "999999", "network_id": str(network.id), "role": "resource_person"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Skriv fornavnet." in page
    assert "gyldig e-postadresse" in page
    assert "fra 1 til 100" in page
    assert 'aria-invalid="true"' in page


def test_edit_keeps_history_of_workplace_and_manager(client, demo, login):
    login("koordinator@demo.example")
    person = _person("ressurs@demo.example")
    old_workplace = person.workplace_id
    new_workplace = db.session.scalar(select(Workplace).where(Workplace.id != old_workplace).limit(1))
    response = client.post(f"/registry/persons/{person.id}/edit", data={
        "first_name": person.first_name, "last_name": person.last_name, "email": person.email,
        "phone": person.phone, "profession": person.profession, "workplace_id": str(new_workplace.id),
        "manager_name": "", "manager_email": "ny.sjef@test.example", "position_percent": "60",
        "public_consent": "y", "version": str(person.version)})
    assert response.status_code == 302
    person = _person("ressurs@demo.example")
    assert person.workplace_id == new_workplace.id
    assert person.position_percent == 60
    periods = db.session.scalars(select(Assignment).where(Assignment.person_id == person.id).order_by(Assignment.id)).all()
    assert len(periods) == 2
    assert periods[0].workplace_id == old_workplace and periods[0].valid_to is not None
    assert periods[1].workplace_id == new_workplace.id and periods[1].valid_to is None
    page = client.get(f"/registry/persons/{person.id}").get_data(as_text=True)
    assert "Historikk" in page and new_workplace.name in page


def test_edit_refuses_an_email_of_another_person(client, demo, login):
    login("koordinator@demo.example")
    person = _person("ressurs@demo.example")
    response = client.post(f"/registry/persons/{person.id}/edit", data={
        "first_name": "Silje", "last_name": "Øvrebø", "email": "Leder@demo.example"})
    assert response.status_code == 200
    assert "allerede registrert" in response.get_data(as_text=True)


def test_deactivate_asks_first_then_ends_memberships_and_account(client, demo, login):
    login("koordinator@demo.example")
    person = _person("ressurs@demo.example")
    page = client.get(f"/registry/persons/{person.id}/deactivate").get_data(as_text=True)
    assert "Ja, registrer som sluttet" in page
    assert _person("ressurs@demo.example").status == PersonStatus.ACTIVE  # GET changed nothing
    response = client.post(f"/registry/persons/{person.id}/deactivate", data={"left_on": "2026-11-30"})
    assert response.status_code == 302
    person = _person("ressurs@demo.example")
    assert person.status == PersonStatus.LEFT and person.left_on == date(2026, 11, 30)
    assert all(m.end_date == date(2026, 11, 30) for m in person.memberships)
    other = client.application.test_client()
    assert other.post("/auth/login", data={"email": "ressurs@demo.example", "password": "demo"}).status_code == 200
    response = client.post(f"/registry/persons/{person.id}/reactivate")
    assert response.status_code == 302
    assert _person("ressurs@demo.example").status == PersonStatus.ACTIVE


def test_merge_moves_everything_to_the_kept_record(client, demo, login):
    login("koordinator@demo.example")
    keep = _person("ressurs@demo.example")
    stavanger = db.session.scalar(select(Network).where(Network.slug == "ressursgruppe-stavanger"))
    duplicate = factories.make_person(stavanger, first_name="Silje", last_name="Øvrebø", email="silje.privat@test.example",
                                      phone="+47 999 99 999")
    staff = factories.make_person(manager=duplicate, email="ansatt@test.example")
    db.session.commit()
    keep_id, duplicate_id, staff_id = keep.id, duplicate.id, staff.id
    page = client.get(f"/registry/persons/{keep_id}/merge").get_data(as_text=True)
    assert "silje.privat@test.example" in page  # offered as a likely duplicate
    response = client.post(f"/registry/persons/{keep_id}/merge", data={"other_id": str(keep_id)})
    assert "Velg en annen oppføring" in response.get_data(as_text=True)
    response = client.post(f"/registry/persons/{keep_id}/merge", data={"other_id": str(duplicate_id)})
    assert response.status_code == 200
    assert "Ja, slå sammen" in response.get_data(as_text=True)
    assert db.session.get(Person, duplicate_id) is not None  # nothing happened before confirming
    response = client.post(f"/registry/persons/{keep_id}/merge", data={"other_id": str(duplicate_id), "confirmed": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, duplicate_id) is None
    kept = db.session.get(Person, keep_id)
    assert {m.network.slug for m in kept.memberships} == {"barnepalliasjon-sor-rogaland", "ressursgruppe-stavanger"}
    assert db.session.get(Person, staff_id).manager_id == keep_id
    # Now a manager with an account of her own: her record is hers (and an admin's) to change.
    assert client.get(f"/registry/persons/{keep_id}/merge").status_code == 403


def test_merge_service_keeps_email_and_account_of_duplicate_when_missing():
    network = factories.make_network()
    keep = factories.make_person(network, email=None)
    dup = factories.make_person(network, email="dup@test.example")
    user = factories.make_user("dup@test.example", person=dup)
    services.merge_persons(keep, dup)
    db.session.commit()
    assert keep.email_normalized == "dup@test.example"
    assert user.person_id == keep.id
    assert db.session.scalar(select(func.count(Membership.id)).where(Membership.person_id == keep.id)) == 1


def test_coverage_shows_missing_municipality_and_sector_balance(client, demo, login):
    login("koordinator@demo.example")
    page = client.get("/registry/coverage?network=barnepalliasjon-sor-rogaland").get_data(as_text=True)
    assert "14 av 15 kommuner" in page
    assert "Ikke representert:</strong> Kvitsøy" in page
    assert "Oppvekst og utdanning" in page
    assert "<caption" in page  # the table is the text alternative of the bars


def test_coverage_counts_in_sql_with_constant_queries(world, client, login, count_queries):
    network = world.network
    municipalities = [factories.make_municipality() for _ in range(3)]
    network.region = municipalities
    factories.make_person(network, workplace=factories.make_workplace(municipalities[0], sector=Sector.EDUCATION))
    db.session.commit()
    login("k@test.example")
    with count_queries() as small:
        page = client.get(f"/registry/coverage?network={network.slug}").get_data(as_text=True)
    assert "1 av 3 kommuner" in page
    for n in range(40):
        factories.make_person(network, workplace=factories.make_workplace(municipalities[n % 3]))
    db.session.commit()
    with count_queries() as large:
        page = client.get(f"/registry/coverage?network={network.slug}").get_data(as_text=True)
    assert "3 av 3 kommuner" in page
    assert small() == large()


def test_workplaces_missing_a_sector_are_listed_for_completion(client, demo, login):
    municipality = factories.make_municipality()
    workplace = factories.make_workplace(municipality, name="Ukjent sektor barnehage", sector=None)
    regional = db.session.scalar(select(Network).where(Network.slug == "barnepalliasjon-sor-rogaland"))
    factories.make_person(regional, workplace=workplace)  # a member works there: the coordinator's to complete
    db.session.commit()
    login("koordinator@demo.example")
    page = client.get("/registry/workplaces?incomplete=1").get_data(as_text=True)
    assert "Ukjent sektor barnehage" in page and "Må fullføres" in page
    response = client.post(f"/registry/workplaces/{workplace.id}/edit", data={"name": "Ukjent sektor barnehage", "sector": "education",
                                                                                "version": str(workplace.version)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Workplace, workplace.id).sector == Sector.EDUCATION


def test_manager_sees_only_own_staff(app, client, demo, login):
    login("leder@demo.example")
    page = client.get("/staff/").get_data(as_text=True)
    assert "Øvrebø, Silje" in page
    leder = _person("leder@demo.example")
    staff_count = db.session.scalar(select(func.count(Person.id)).where(Person.id != leder.id, (
        (Person.manager_id == leder.id) | Person.workplace_id.in_(select(Workplace.id).where(Workplace.leader_id == leder.id)))))
    assert staff_count >= 5
    rows = page.split("<tr><td>")[1:]
    assert len(rows) == staff_count
    assert leder.sort_name not in page  # never their own staff
    someone_else = db.session.scalar(select(Person).where(Person.manager_id != leder.id, Person.manager_id.is_not(None),
                                                          Person.workplace_id.not_in(select(Workplace.id).where(Workplace.leader_id == leder.id))).limit(1))
    assert someone_else.sort_name not in page
    assert client.get("/registry/").status_code == 403
    assert client.get(f"/registry/persons/{someone_else.id}").status_code == 403


def test_public_page_lists_consenting_members_without_contact_details(client, demo):
    page = client.get("/n/barnepalliasjon-sor-rogaland").get_data(as_text=True)
    consenting = db.session.scalars(select(Person).where(
        Person.public_consent.is_(True), Person.status == PersonStatus.ACTIVE,
        Person.id.in_(select(Membership.person_id).where(Membership.role == MembershipRole.RESOURCE_PERSON)))).all()
    hidden = db.session.scalars(select(Person).where(Person.public_consent.is_(False),
        Person.id.in_(select(Membership.person_id).where(Membership.role == MembershipRole.RESOURCE_PERSON)))).all()
    assert consenting and hidden
    for p in consenting[:10]:
        assert p.full_name in page
    for p in hidden:
        assert p.full_name not in page
    assert "@" not in page.replace("barnepalliasjon@demo.example", "")  # no e-mail addresses but the contact
    assert "+47 4" not in page
    assert "Personvern" in page
    assert "Stavanger" in page and "Kreftomsorg Rogaland" in page


def test_home_page_links_every_network(client, demo):
    page = client.get("/").get_data(as_text=True)
    assert "/n/barnepalliasjon-sor-rogaland" in page and "/n/ressursgruppe-stavanger" in page


def test_person_page_and_dashboard_query_counts_do_not_grow(world, client, login, count_queries):
    network = world.network
    person = factories.make_person(network, email="p@test.example", workplace=factories.make_workplace())
    db.session.commit()
    login("k@test.example")
    with count_queries() as small_person:
        assert client.get(f"/registry/persons/{person.id}").status_code == 200
    with count_queries() as small_dash:
        assert client.get("/dashboard").status_code == 200
    person = db.session.get(Person, person.id)
    for n in range(12):
        boss = factories.make_person(email=f"boss{n}@test.example")
        services.update_person(person, services.PersonData(
            first_name=person.first_name, last_name=person.last_name, email=person.email,
            workplace=factories.make_workplace(), manager=boss))
        other = factories.make_network()
        services.add_membership(person, other, MembershipRole.WORKING_GROUP)
        factories.make_person(network, email=f"m{n}@test.example")
    db.session.commit()
    with count_queries() as large_person:
        page = client.get(f"/registry/persons/{person.id}").get_data(as_text=True)
    assert page.count("<tr><td>") >= 13  # every period of the history is shown
    with count_queries() as large_dash:
        assert client.get("/dashboard").status_code == 200
    assert small_person() == large_person()
    assert small_dash() == large_dash()


def test_an_erased_person_cannot_be_edited_or_reactivated(client, demo, login):
    person = _person("ressurs@demo.example")
    person.status = PersonStatus.ERASED
    db.session.commit()
    login("koordinator@demo.example")
    page = client.get(f"/registry/persons/{person.id}").get_data(as_text=True)
    assert "Personopplysningene er slettet" in page and "Gjør aktiv igjen" not in page
    assert client.get(f"/registry/persons/{person.id}/edit").status_code == 409
    assert client.post(f"/registry/persons/{person.id}/reactivate").status_code == 409
    assert db.session.get(Person, person.id).status == PersonStatus.ERASED
