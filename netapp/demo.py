"""Load the demo data of seed_data.py: deterministic, fictional, e-mail only on .example."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta

from netapp import seed_data as S
from netapp.blueprints.auth.services import create_user
from netapp.blueprints.evaluations import services as evaluation_services
from netapp.blueprints.evaluations.models import (
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    ResponseReceipt,
)
from netapp.blueprints.evaluations.standard import STANDARD_QUESTIONS
from netapp.blueprints.gatherings.models import Event, EventKind, EventRegistration
from netapp.blueprints.joining.models import Registration, RegistrationStatus
from netapp.blueprints.registry import services
from netapp.blueprints.registry.models import (
    MembershipRole,
    Network,
    OrganisationKind,
    Person,
    PersonStatus,
    Sector,
)
from netapp.blueprints.registry.reference import ensure_municipalities
from netapp.extensions import db
from netapp.timeutil import from_oslo, today_oslo, utcnow

DEMO_PASSWORD = "demo"
DEMO_ACCOUNTS = {
    "admin@demo.example": "admin",
    "koordinator@demo.example": "coordinator",
    "leder@demo.example": "manager",
    "ressurs@demo.example": "resource_person",
}


def load_demo() -> dict[str, int]:
    """Create the demo installation; flushes, the caller commits.

    Its history up to 2024 is fixed (who joined when); everything later is counted from today
    (who left, the events, registrations, evaluations), so the demo tells the same story on any day
    from 1 January 2025 on, and nothing in it is dated after today but what is planned (events)."""
    today = today_oslo()
    # The region's municipalities as the reference data has them, in their county (Rogaland).
    orgs = dict(ensure_municipalities(number for number, _name in S.MUNICIPALITIES))
    for key, (kind, name) in S.ORGANISATIONS.items():
        orgs[key] = services.get_or_create_organisation(name, OrganisationKind(kind))

    workplaces = {
        key: services.get_or_create_workplace(orgs[org_key], name, Sector(sector))
        for key, (org_key, name, sector) in S.WORKPLACES.items()
    }

    networks = {}
    for slug, spec in S.NETWORKS.items():
        network = Network(
            slug=slug, name=spec["name"], short_name=spec["short_name"], description=spec["description"],
            contact_email=spec["contact_email"], is_default=spec["default"],
            region=[orgs[number] for number in spec["region"]],
        )
        db.session.add(network)
        networks[slug] = network
    db.session.flush()
    regional = networks["barnepalliasjon-sor-rogaland"]
    stavanger = networks["ressursgruppe-stavanger"]

    managers: dict[str, Person] = {}
    for key, spec in S.MANAGERS.items():
        person = _person(spec, workplaces, None, date(2022, 1, 1))
        person.is_manager = True
        managers[key] = person
        for led in spec.get("leads", []):
            workplaces[led].leader = person

    people: dict[str, Person] = {}

    def add_member(spec: dict, network: Network) -> Person:
        joined = date.fromisoformat(spec.get("joined", "2022-03-01"))
        person = _person(spec, workplaces, managers.get(spec.get("manager")), joined)
        services.add_membership(person, network, MembershipRole.RESOURCE_PERSON, joined)
        if spec.get("left_days_ago"):
            services.deactivate_person(person, today - timedelta(days=spec["left_days_ago"]))
        people[spec["key"]] = person
        return person

    for spec in S.RESOURCE_PERSONS:
        add_member(spec, regional)
    for key in S.WORKING_GROUP:
        services.add_membership(people[key], regional, MembershipRole.WORKING_GROUP, date(2022, 3, 1))
    for item in S.STAVANGER_GROUP:
        if isinstance(item, str):
            services.add_membership(people[item], stavanger, MembershipRole.RESOURCE_PERSON, date(2023, 1, 1))
        else:
            add_member(item, stavanger)
    for spec in S.COORDINATORS:
        person = _person(spec, workplaces, None, date(2021, 9, 1))
        for network in (regional, stavanger):
            services.add_membership(person, network, MembershipRole.COORDINATOR, date(2021, 9, 1))
        people[spec["key"]] = person

    for spec in S.PENDING_REGISTRATIONS:
        confirmed = spec["manager_confirmed"]
        manager = services.resolve_manager(spec["manager_email"])
        db.session.add(Registration(
            network=regional,
            status=RegistrationStatus.AWAITING_COORDINATOR if confirmed else RegistrationStatus.AWAITING_MANAGER,
            first_name=spec["first_name"], last_name=spec["last_name"], email=spec["email"], phone=spec["phone"],
            profession=spec["profession"], workplace=workplaces[spec["workplace"]],
            position_percent=spec["position_percent"], public_consent=spec["public_consent"],
            manager_name=manager.full_name, manager_email=spec["manager_email"],
            # A fixed, unguessable-enough demo token hash; the real flow issues a fresh token by e-mail.
            manager_token_hash=None if confirmed else hashlib.sha256(f"demo-{spec['email']}".encode()).hexdigest(),
            manager_confirmed_at=utcnow() if confirmed else None,
        ))

    accounts = {
        "admin@demo.example": create_user("admin@demo.example", is_admin=True, password=DEMO_PASSWORD),
        "koordinator@demo.example": create_user("koordinator@demo.example", person=people["koordinator"], password=DEMO_PASSWORD),
        "leder@demo.example": create_user("leder@demo.example", person=managers["leder"], password=DEMO_PASSWORD),
        "ressurs@demo.example": create_user("ressurs@demo.example", person=people["ressurs"], password=DEMO_PASSWORD),
    }
    db.session.flush()
    activities = _load_activities(regional, stavanger, people)
    return {
        **activities,
        "networks": len(networks),
        "organisations": len(orgs),
        "workplaces": len(workplaces),
        "persons": db.session.query(Person).count(),
        "resource_persons": len(S.RESOURCE_PERSONS),
        "accounts": len(accounts),
        "pending_registrations": len(S.PENDING_REGISTRATIONS),
    }


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return from_oslo(day, time(hour, minute))


def _event(network: Network, kind: EventKind, title: str, day: date, start: tuple, end: tuple, **fields) -> Event:
    event = Event(network=network, kind=kind, title=title, starts_at=_at(day, *start), ends_at=_at(day, *end), **fields)
    db.session.add(event)
    return event


def _load_activities(regional: Network, stavanger: Network, people: dict[str, Person]) -> dict[str, int]:
    """Events and evaluations around today, so the demo always has a past and a coming term."""
    today = today_oslo()
    members = [people[spec["key"]] for spec in S.RESOURCE_PERSONS if not spec.get("left_days_ago")]
    ressurs = people["ressurs"]
    others = [p for p in members if p is not ressurs]

    past = _event(regional, EventKind.GATHERING, "Nettverkssamling: Ivaretakelse av hjelperen", today - timedelta(days=60),
                  (9, 0), (15, 30), theme="Ivaretakelse av hjelperen", location="Stavanger, Sølvberget",
                  description="Foredrag, gruppearbeid og felles lunsj.", capacity=80, is_public=True)
    coming = _event(regional, EventKind.GATHERING, "Nettverkssamling: Tverrfaglig samarbeid", today + timedelta(days=45),
                    (9, 0), (15, 30), theme="Tverrfaglig samarbeid", location="Sandnes kulturhus",
                    description="Foredrag, gruppearbeid og felles lunsj.\nProgrammet kommer i nyhetsbrevet.",
                    capacity=80, is_public=True,
                    registration_deadline=_at(today + timedelta(days=30), 23, 59))
    _event(regional, EventKind.SUMMARY_MEETING, "Oppsummeringsmøte etter samlingen", today - timedelta(days=59),
           (10, 0), (11, 30), location="Teams")
    _event(regional, EventKind.WORKING_GROUP_MEETING, "Arbeidsgruppemøte: planlegging av samlingen",
           today + timedelta(days=20), (10, 0), (12, 0), location="USHT Rogaland")
    full = _event(regional, EventKind.THEME_DAY, "Fagdag: Palliasjon i et flerkulturelt perspektiv",
                  today + timedelta(days=75), (9, 0), (15, 0), theme="Palliasjon i et flerkulturelt perspektiv",
                  location="Stavanger", capacity=3, is_public=True)
    wheel_topics = ["Smertelindring hos barn", "Kommunikasjon med familien", "Egenomsorg i krevende arbeid",
                    "Sorg hos søsken", "Ernæring og lindring", "Etiske dilemmaer", "Samarbeid med spesialisthelsetjenesten",
                    "Kulturelle perspektiver", "Den gode avslutningen", "Refleksjon over året"]
    wheel = [
        _event(stavanger, EventKind.TEACHING_SESSION, f"Kompetansehjul: {topic}", today + timedelta(days=30 * (i - 5)),
               (13, 0), (14, 30), theme=topic, location="Madla avlastningsbolig",
               description="Internundervisning med refleksjon etterpå.")
        for i, topic in enumerate(wheel_topics)
    ]
    db.session.flush()

    registrations = 0

    now = utcnow()

    def register(event: Event, persons, attended=None) -> None:
        nonlocal registrations
        for i, person in enumerate(persons):
            # Two to three weeks before the event; for an event still to come, in the last days.
            registered_at = min(event.starts_at - timedelta(days=20 - i % 10), now - timedelta(days=1 + i % 10))
            db.session.add(EventRegistration(
                event=event, person=person, attended=None if attended is None else (i % 7 != 3 or person is ressurs),
                registered_at=registered_at))
            registrations += 1

    register(past, [ressurs, *others[:29]], attended=True)
    register(coming, others[:15])
    register(full, others[15:18])
    group = [m.person for m in stavanger.memberships if m.role == MembershipRole.RESOURCE_PERSON]
    for event in wheel:
        register(event, group[:12], attended=True if event.starts_at.date() < today else None)

    responses = 0

    def questionnaire(title: str, status: QuestionnaireStatus, event: Event | None, answered: int, opened_days_ago: int):
        nonlocal responses
        q = Questionnaire(network=regional, event=event, title=title, status=status,
                          intro="Svarene er anonyme. Skriv ikke om pasienter eller barn.")
        q.questions = [Question(position=i, kind=kind, text=str(text), required=required)
                       for i, (kind, text, required) in enumerate(STANDARD_QUESTIONS)]
        if status != QuestionnaireStatus.DRAFT:
            q.opened_at = utcnow() - timedelta(days=opened_days_ago)
        if status == QuestionnaireStatus.CLOSED:
            q.closed_at = q.opened_at + timedelta(days=21)
        db.session.add(q)
        db.session.flush()
        comments = ["Flere pauser, takk.", "Mer tid til gruppearbeid.", "Ønsker foredrag fra pårørende.",
                    "Veldig nyttig dag.", ""]
        batch, day = [], today - timedelta(days=min(opened_days_ago, 20))
        for n in range(answered):
            items = []
            for question in q.questions:
                if question.kind == QuestionKind.SCALE:
                    items.append((question.id, 3 + (n * 7 + question.position) % 3, None))
                elif question.kind == QuestionKind.YES_NO:
                    items.append((question.id, int(n % 3 != 0), None))
                elif comments[n % len(comments)]:
                    items.append((question.id, None, comments[n % len(comments)]))
            batch.append(items)
            db.session.add(ResponseReceipt(id=evaluation_services.random_id(), questionnaire_id=q.id,
                                           person_id=others[n].id))
            responses += 1
            # Released as the scheduler does: in batches of five on an open form, all at once on a closed one.
            if status == QuestionnaireStatus.OPEN and len(batch) == 5:
                evaluation_services.write_batch(q.id, batch, day)
                batch, day = [], day + timedelta(days=3)
        if batch:
            evaluation_services.write_batch(q.id, batch, q.closed_at.date() if q.closed_at else day)

    questionnaire("Evaluering av nettverkssamlingen", QuestionnaireStatus.OPEN, past, 20, 58)
    questionnaire(f"Evaluering av nettverket {(today - timedelta(days=300)).year}", QuestionnaireStatus.CLOSED,
                  None, 25, 300)
    questionnaire("Evaluering av fagdagen", QuestionnaireStatus.DRAFT, full, 0, 0)
    db.session.flush()
    return {"events": 5 + len(wheel), "event_registrations": registrations, "evaluation_responses": responses}


def _person(spec: dict, workplaces: dict, manager: Person | None, start: date) -> Person:
    person = services.create_person(
        services.PersonData(
            first_name=spec["first_name"], last_name=spec["last_name"], email=spec["email"],
            phone=spec.get("phone", ""), profession=spec.get("profession", ""),
            workplace=workplaces.get(spec.get("workplace")), manager=manager,
            position_percent=spec.get("position_percent"), public_consent=spec.get("public_consent", False),
        ),
        start=start,
    )
    person.status = PersonStatus.ACTIVE
    return person
