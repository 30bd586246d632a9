"""What a coordinator may change: persons and workplaces of the networks they coordinate, and
nothing that is also another network's, or that carries an account with roles of its own.

The demo (tests/fuzz_support.fresh_demo) has two networks: the regional network and the Stavanger
group. koordinator@demo.example coordinates both; annen.koordinator@test.example only the group.
leder@demo.example is a manager with an account and no membership.
"""

from __future__ import annotations

import io
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from netapp.blueprints.auth.models import User
from netapp.blueprints.joining.models import Registration, RegistrationStatus
from netapp.blueprints.registry import services
from netapp.blueprints.registry.models import (
    ImportUpload,
    Membership,
    MembershipRole,
    Network,
    Person,
    PersonStatus,
    Workplace,
)
from netapp.extensions import db
from tests import factories
from tests.fuzz_support import fresh_demo

BOTH = "koordinator@demo.example"
GROUP_ONLY = "annen.koordinator@test.example"
ADMIN = "admin@demo.example"
LEDER = "leder@demo.example"
READ_ONLY_NOTE = "Bare en administrator eller personen selv kan endre den."
REFUSED_ROW = "E-postadressen tilhører en person du ikke kan endre"


@pytest.fixture
def ctx(app):
    return fresh_demo(app)


def client_for(app, email: str):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": "demo"})
    assert response.status_code == 302, email
    return client


def person(person_id: int) -> Person:
    db.session.expire_all()
    return db.session.get(Person, person_id)


def by_email(email: str) -> Person:
    db.session.expire_all()
    return db.session.scalar(select(Person).where(Person.email_normalized == email))


def network(slug_key: str, ctx: dict) -> Network:
    return db.session.scalar(select(Network).where(Network.slug == ctx[slug_key]))


def person_form(p: Person, **changes) -> dict:
    data = {"first_name": p.first_name, "last_name": p.last_name, "email": p.email, "phone": p.phone,
            "profession": p.profession, "workplace_id": str(p.workplace_id or 0),
            "manager_name": "", "manager_email": p.manager.email if p.manager else "", "position_percent": "",
            "version": str(p.version)}
    data.update(changes)
    return data


def upload(client, rows: list[str], network_id: int, header: str = "Fornavn;Etternavn;E-post") -> str:
    content = ("\r\n".join([header, *rows])).encode("utf-8-sig")
    response = client.post("/registry/import", data={"file": (io.BytesIO(content), "personer.csv"),
                                                    "network_id": str(network_id)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.location


def memberships_of(person_id: int) -> set[str]:
    return set(db.session.scalars(
        select(Network.slug).join(Membership, Membership.network_id == Network.id).where(Membership.person_id == person_id)))


# ---------------------------------------------------------------- persons

def test_a_member_of_both_networks_is_read_only_to_the_coordinator_of_one(app, ctx):
    shared = person(ctx["shared_person"])
    name = shared.first_name
    group_only = client_for(app, GROUP_ONLY)
    page = group_only.get(f"/registry/persons/{shared.id}").get_data(as_text=True)
    assert shared.full_name in page and READ_ONLY_NOTE in page
    assert f"/registry/persons/{shared.id}/edit" not in page and f"/registry/persons/{shared.id}/merge" not in page
    assert f"/registry/persons/{shared.id}/deactivate" not in page
    assert group_only.get(f"/registry/persons/{shared.id}/edit").status_code == 403
    assert group_only.post(f"/registry/persons/{shared.id}/edit", data=person_form(shared, first_name="Kapret")).status_code == 403
    assert group_only.post(f"/registry/persons/{shared.id}/deactivate", data={"left_on": "2026-01-01"}).status_code == 403
    assert person(shared.id).first_name == name and person(shared.id).status == PersonStatus.ACTIVE

    # The coordinator of both networks changes the same person.
    both = client_for(app, BOTH)
    page = both.get(f"/registry/persons/{shared.id}").get_data(as_text=True)
    assert f"/registry/persons/{shared.id}/edit" in page and READ_ONLY_NOTE not in page
    response = both.post(f"/registry/persons/{shared.id}/edit", data=person_form(person(shared.id), first_name="Endret"))
    assert response.status_code == 302
    assert person(shared.id).first_name == "Endret"


def test_a_member_of_the_other_network_only_is_out_of_reach(app, ctx):
    group_only = client_for(app, GROUP_ONLY)
    ressurs = person(ctx["person"])  # the regional network only
    for url in (f"/registry/persons/{ressurs.id}", f"/registry/persons/{ressurs.id}/edit",
                f"/registry/persons/{ressurs.id}/merge", f"/privacy/persons/{ressurs.id}/erase"):
        assert group_only.get(url).status_code == 403, url
    # Nor through the import, into the group: the row is refused and the preview shows nothing of her.
    token_url = upload(group_only, [f"Kapret;Navn;{ressurs.email}"], network("other_network", ctx).id)
    html = group_only.get(token_url).get_data(as_text=True)
    assert REFUSED_ROW in html and ressurs.first_name not in html and ressurs.phone not in html
    assert group_only.post(token_url).status_code == 403
    assert person(ressurs.id).last_name == ressurs.last_name
    assert memberships_of(ressurs.id) == {ctx["network"]}


def test_a_manager_with_an_account_in_no_network_is_changed_only_by_an_admin(app, ctx):
    leder = person(ctx["no_membership_person"])
    original = (leder.first_name, leder.last_name, leder.phone)
    regional = network("network", ctx)
    for email in (BOTH, GROUP_ONLY):
        coordinator = client_for(app, email)
        target = regional if email == BOTH else network("other_network", ctx)
        token_url = upload(coordinator, [f"Omdøpt;Av Import;{LEDER}"], target.id)
        html = coordinator.get(token_url).get_data(as_text=True)
        assert REFUSED_ROW in html, email
        assert leder.first_name not in html and leder.last_name not in html and leder.phone not in html
        response = coordinator.post(token_url)
        assert response.status_code == 403 and REFUSED_ROW in response.get_data(as_text=True)
        assert (person(leder.id).first_name, person(leder.id).last_name, person(leder.id).phone) == original
        assert memberships_of(leder.id) == set()  # not made a member on the way
        # The upload stays (the refusal rolled back), and can still be looked at.
        assert coordinator.get(token_url).status_code == 200
        for url in (f"/registry/persons/{leder.id}/edit", f"/registry/persons/{leder.id}/deactivate",
                    f"/privacy/persons/{leder.id}/erase"):
            assert coordinator.get(url).status_code == 403, (email, url)
        assert coordinator.post(f"/privacy/persons/{leder.id}/erase").status_code == 403
        assert coordinator.post(f"/registry/persons/{leder.id}/deactivate", data={"left_on": "2026-01-01"}).status_code == 403
    leder = person(leder.id)
    assert leder.status == PersonStatus.ACTIVE
    assert db.session.scalar(select(User.is_enabled).where(User.person_id == leder.id)) is True

    admin = client_for(app, ADMIN)
    response = admin.post(f"/registry/persons/{leder.id}/edit", data=person_form(leder, phone="+47 51 99 99 99"))
    assert response.status_code == 302
    assert person(leder.id).phone == "+47 51 99 99 99"


def test_a_manager_created_for_the_network_without_an_account_is_the_coordinators(app, ctx):
    regional = network("network", ctx)
    boss = factories.make_person(first_name="Sjef", last_name="Utenkonto", email="sjef.utenkonto@test.example")
    factories.make_person(regional, manager=boss, email="ansatt.hos.sjef@test.example")
    db.session.commit()
    both = client_for(app, BOTH)
    assert both.get(f"/registry/persons/{boss.id}/edit").status_code == 200
    response = both.post(f"/registry/persons/{boss.id}/edit", data=person_form(boss, phone="+47 400 00 000"))
    assert response.status_code == 302
    assert both.get(response.location).status_code == 200  # and sees the page it is sent to
    assert person(boss.id).phone == "+47 400 00 000"
    # The import updates the same manager (without making them a member).
    preview = both.get(upload(both, ["Sjef;Omdøpt;sjef.utenkonto@test.example"], regional.id,
                             header="Fornavn;Etternavn;E-post;Nettverk")).get_data(as_text=True)
    assert REFUSED_ROW not in preview and "Utenkonto" in preview  # the coordinator may see what changes

    # Not the Stavanger group's coordinator: the manager's staff are in the regional network.
    group_only = client_for(app, GROUP_ONLY)
    assert group_only.get(f"/registry/persons/{boss.id}/edit").status_code == 403


def test_a_person_with_an_admin_account_is_read_only_to_coordinators(app, ctx):
    regional = network("network", ctx)
    admin_person = factories.make_person(regional, first_name="Adm", last_name="Medlem", email="adm.medlem@test.example")
    factories.make_user(admin_person.email, person=admin_person, is_admin=True)
    db.session.commit()
    both = client_for(app, BOTH)
    page = both.get(f"/registry/persons/{admin_person.id}").get_data(as_text=True)
    assert READ_ONLY_NOTE in page and f"/registry/persons/{admin_person.id}/edit" not in page
    assert both.post(f"/registry/persons/{admin_person.id}/edit",
                     data=person_form(admin_person, first_name="Kapret")).status_code == 403
    preview = both.get(upload(both, ["Kapret;Konto;adm.medlem@test.example"], regional.id)).get_data(as_text=True)
    assert REFUSED_ROW in preview
    assert person(admin_person.id).first_name == "Adm"


def test_the_coordinators_own_record_is_theirs_to_change_but_not_to_merge(app, ctx):
    both = client_for(app, BOTH)
    own = by_email(BOTH)
    page = both.get(f"/registry/persons/{own.id}").get_data(as_text=True)
    assert f"/registry/persons/{own.id}/edit" in page and f"/registry/persons/{own.id}/merge" not in page
    assert both.post(f"/registry/persons/{own.id}/edit", data=person_form(own, phone="+47 411 11 111")).status_code == 302
    assert person(own.id).phone == "+47 411 11 111"
    assert both.get(f"/registry/persons/{own.id}/merge").status_code == 403
    response = both.post(f"/registry/persons/{ctx['person']}/merge", data={"other_id": str(own.id)})
    assert "Din egen oppføring kan bare slås sammen av en administrator" in response.get_data(as_text=True)
    assert person(own.id) is not None


def test_merge_offers_and_takes_only_records_the_coordinator_may_change(app, ctx):
    group = network("other_network", ctx)
    keep = person(ctx["group_person"])
    shared = person(ctx["shared_person"])
    # Two duplicates of the group's member: one of the group only, one also in the regional network.
    mine = factories.make_person(group, first_name="Dobbel", last_name=keep.last_name, email="dobbel.egen@test.example")
    theirs = factories.make_person(group, first_name="Dobbel", last_name=keep.last_name, email="dobbel.begge@test.example")
    services.add_membership(theirs, network("network", ctx), MembershipRole.RESOURCE_PERSON)
    db.session.commit()
    group_only = client_for(app, GROUP_ONLY)
    page = group_only.get(f"/registry/persons/{keep.id}/merge").get_data(as_text=True)
    assert "dobbel.egen@test.example" in page and "dobbel.begge@test.example" not in page
    for other in (theirs, shared):
        response = group_only.post(f"/registry/persons/{keep.id}/merge", data={"other_id": str(other.id), "confirmed": "1"})
        assert response.status_code == 403
        assert person(other.id) is not None
    response = group_only.post(f"/registry/persons/{keep.id}/merge", data={"other_id": str(mine.id), "confirmed": "1"})
    assert response.status_code == 302 and person(mine.id) is None


def test_erasure_of_persons_out_of_reach_is_refused_one_by_one_and_in_bulk(app, ctx):
    regional, group = network("network", ctx), network("other_network", ctx)
    shared = factories.make_person(regional, first_name="Sluttet", last_name="Begge", email="sluttet.begge2@test.example")
    services.add_membership(shared, group, MembershipRole.RESOURCE_PERSON)
    services.deactivate_person(shared, date(2020, 1, 31))
    own = factories.make_person(group, first_name="Sluttet", last_name="Gruppe", email="sluttet.gruppe@test.example")
    services.deactivate_person(own, date(2020, 1, 31))
    db.session.commit()
    group_only = client_for(app, GROUP_ONLY)
    listed = group_only.get("/privacy/retention").get_data(as_text=True)
    assert "Gruppe" in listed and "Begge" not in listed
    assert group_only.post(f"/privacy/persons/{shared.id}/erase").status_code == 403
    assert group_only.post("/privacy/retention/erase-due").status_code == 302
    assert person(shared.id).status == PersonStatus.LEFT and person(shared.id).last_name == "Begge"
    assert person(own.id).status == PersonStatus.ERASED


# ---------------------------------------------------------------- the import

def test_an_import_cannot_join_a_person_of_no_network_to_the_coordinators_network(app, ctx):
    """The attack in one go: match a manager by e-mail, join them to one's network, then erase them."""
    group = network("other_network", ctx)
    leder = person(ctx["no_membership_person"])
    group_only = client_for(app, GROUP_ONLY)
    token_url = upload(group_only, [f"{leder.first_name};{leder.last_name};{LEDER}"], group.id)
    assert REFUSED_ROW in group_only.get(token_url).get_data(as_text=True)
    assert group_only.post(token_url).status_code == 403
    assert memberships_of(leder.id) == set()
    assert group_only.post(f"/privacy/persons/{leder.id}/erase").status_code == 403
    assert person(leder.id).status == PersonStatus.ACTIVE


def test_an_import_may_name_anyone_as_manager_without_changing_them(app, ctx):
    group = network("other_network", ctx)
    ressurs = person(ctx["person"])  # the regional network only: out of the group coordinator's reach
    before = (ressurs.first_name, ressurs.last_name, ressurs.phone, ressurs.is_manager)
    group_only = client_for(app, GROUP_ONLY)
    token_url = upload(group_only, [f"Ny;Ansatt;ny.ansatt@test.example;{ressurs.email}"], group.id,
                       header="Fornavn;Etternavn;E-post;Leder e-post")
    assert REFUSED_ROW not in group_only.get(token_url).get_data(as_text=True)
    assert group_only.post(token_url).status_code == 302
    assert by_email("ny.ansatt@test.example").manager_id == ressurs.id
    ressurs = person(ressurs.id)
    assert (ressurs.first_name, ressurs.last_name, ressurs.phone, ressurs.is_manager) == before
    assert memberships_of(ressurs.id) == {ctx["network"]}


def test_concurrent_confirmations_import_once_and_tell_the_others(app, ctx):
    regional = network("network", ctx)
    clients = [client_for(app, BOTH) for _ in range(5)]
    token_url = upload(clients[0], ["Samtidig;Import;samtidig.import@test.example"], regional.id)
    barrier = threading.Barrier(len(clients))
    statuses, errors = [], []

    def confirm(c):
        barrier.wait()
        try:
            statuses.append(c.post(token_url).status_code)
        except Exception as exc:  # an error that escaped the app: the test fails below
            errors.append(repr(exc))

    threads = [threading.Thread(target=confirm, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and statuses == [302] * 5
    assert db.session.scalar(select(func.count(Person.id)).where(
        Person.email_normalized == "samtidig.import@test.example")) == 1
    token = token_url.rsplit("/", 1)[1]
    assert db.session.scalar(select(func.count(ImportUpload.id)).where(ImportUpload.token == token)) == 0
    flashes = [c.get("/registry/").get_data(as_text=True) for c in clients]
    assert sum("Importen er fullført" in page for page in flashes) == 1
    assert sum("Importen er allerede gjennomført" in page for page in flashes) == 4


# ---------------------------------------------------------------- workplaces

def test_the_workplace_list_shows_the_coordinators_networks_and_edits_only_theirs_alone(app, ctx, count_queries):
    regional_only = db.session.get(Workplace, ctx["regional_workplace"])
    group_only_wp = db.session.get(Workplace, ctx["group_workplace"])
    shared = db.session.get(Workplace, ctx["shared_workplace"])
    names = (regional_only.name, group_only_wp.name, shared.name)
    group_only = client_for(app, GROUP_ONLY)
    html = "".join(group_only.get(f"/registry/workplaces?page={n}").get_data(as_text=True) for n in (1, 2))
    assert group_only_wp.name in html and shared.name in html and regional_only.name not in html
    assert f"/registry/workplaces/{group_only_wp.id}/edit" in html
    assert f"/registry/workplaces/{shared.id}/edit" not in html
    assert "kan du se, men ikke endre" in html
    for workplace in (regional_only, shared):
        assert group_only.get(f"/registry/workplaces/{workplace.id}/edit").status_code == 403
        response = group_only.post(f"/registry/workplaces/{workplace.id}/edit",
                                   data={"name": "Kapret", "sector": "education", "leader_email": GROUP_ONLY})
        assert response.status_code == 403
    db.session.expire_all()
    assert (regional_only.name, group_only_wp.name, shared.name) == names
    # The coordinator of both networks edits the shared workplace, keeping its leader (a manager
    # out of their reach) as it is.
    both = client_for(app, BOTH)
    leader = shared.leader
    response = both.post(f"/registry/workplaces/{shared.id}/edit",
                         data={"name": shared.name + " avd. 2", "sector": "health_care",
                               "leader_email": leader.email if leader else "", "version": str(shared.version)})
    assert response.status_code == 302
    db.session.expire_all()
    assert shared.name == names[2] + " avd. 2" and shared.leader == leader

    # Which rows may be changed is asked in the list's own query: the count does not grow with the data.
    with count_queries() as small:
        assert group_only.get("/registry/workplaces").status_code == 200
    municipality = factories.make_municipality()
    for n in range(30):
        factories.make_person(network("other_network", ctx), email=f"nytt.sted{n}@test.example",
                              workplace=factories.make_workplace(municipality, name=f"Nytt sted {n}"))
    db.session.commit()
    with count_queries() as large:
        assert group_only.get("/registry/workplaces").status_code == 200
    assert small() == large()


def test_a_coordinator_cannot_make_themselves_or_an_outsider_leader(app, ctx):
    workplace = db.session.get(Workplace, ctx["group_workplace"])
    leader_before = workplace.leader_id
    persons_before = db.session.scalar(select(func.count(Person.id)))
    group_only = client_for(app, GROUP_ONLY)
    url = f"/registry/workplaces/{workplace.id}/edit"
    ressurs = person(ctx["person"])  # a member of the regional network only
    cases = {
        GROUP_ONLY: "Du kan ikke gjøre deg selv til leder",
        LEDER: "Fant ingen person med denne e-postadressen blant medlemmene",
        ressurs.email: "Fant ingen person med denne e-postadressen blant medlemmene",
        "helt.ukjent.leder@test.example": "Fant ingen person med denne e-postadressen blant medlemmene",
    }
    for email, message in cases.items():
        response = group_only.post(url, data={"name": workplace.name, "sector": "health_care", "leader_email": email})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and message in html, email
        assert f'value="{email}"' in html  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(Workplace, workplace.id).leader_id == leader_before
    assert db.session.scalar(select(func.count(Person.id))) == persons_before  # nobody created
    assert group_only.get("/staff/").status_code == 403  # not made a manager of anyone

    # A member of the group may be chosen; an empty field removes the leader.
    member = person(ctx["group_person"])
    assert group_only.post(url, data={"name": workplace.name, "sector": "health_care", "leader_email": member.email,
                                      "version": str(workplace.version)}).status_code == 302
    db.session.expire_all()
    workplace = db.session.get(Workplace, workplace.id)
    assert workplace.leader_id == member.id
    assert group_only.post(url, data={"name": workplace.name, "sector": "health_care", "leader_email": "",
                                      "version": str(workplace.version)}).status_code == 302
    db.session.expire_all()
    workplace = db.session.get(Workplace, workplace.id)
    assert workplace.leader_id is None

    # An admin may choose anyone in the registry, but not an unknown address either.
    admin = client_for(app, ADMIN)
    assert admin.post(url, data={"name": workplace.name, "sector": "health_care", "leader_email": LEDER,
                                 "version": str(workplace.version)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Workplace, workplace.id).leader_id == ctx["no_membership_person"]
    response = admin.post(url, data={"name": workplace.name, "sector": "health_care",
                                     "leader_email": "helt.ukjent.leder@test.example"})
    assert "Fant ingen person med denne e-postadressen i registeret" in response.get_data(as_text=True)


# ---------------------------------------------------------------- joining

def test_approving_a_registration_does_not_overwrite_a_person_out_of_reach(app, ctx, outbox):
    """A registrant can type anyone's address; the manager's confirmation goes where they say."""
    regional = network("network", ctx)
    leder = person(ctx["no_membership_person"])
    db.session.add(Registration(network=regional, status=RegistrationStatus.AWAITING_COORDINATOR,
                                first_name="Falsk", last_name="Påmelding", email=LEDER, profession="Kapret",
                                workplace_id=ctx["workplace"],
                                manager_name="Medsammensvoren", manager_email="medsammensvoren@test.example"))
    db.session.commit()
    registration_id = db.session.scalar(select(Registration.id).where(Registration.email == LEDER))
    both = client_for(app, BOTH)
    page = both.get(f"/registrations/{registration_id}").get_data(as_text=True)
    assert "Bare en administrator kan godkjenne søknaden" in page and leder.full_name not in page
    assert f"/registrations/{registration_id}/approve" not in page
    response = both.post(f"/registrations/{registration_id}/approve", follow_redirects=True)
    assert "En administrator må godkjenne søknaden" in response.get_data(as_text=True)
    assert person(leder.id).last_name == leder.last_name and memberships_of(leder.id) == set()
    db.session.expire_all()
    assert db.session.get(Registration, registration_id).status == RegistrationStatus.AWAITING_COORDINATOR

    admin = client_for(app, ADMIN)
    assert admin.post(f"/registrations/{registration_id}/approve").status_code == 302
    assert memberships_of(leder.id) == {ctx["network"]}
