"""Build a national-scale data set for the benchmark, fast and the same every time.

    python tests/perf/build_data.py --database-url sqlite:////tmp/bench.sqlite3 [--summary FILE]
    python tests/perf/build_data.py --database-url URL --describe-only --summary FILE

The database must already have the schema (`flask --app wsgi db upgrade`) and hold no networks:
the builder refuses to touch a database with data in it. Rows go in with Core `insert()` and
lists of dicts, in chunks, with explicit primary keys (so foreign keys need no round trip); on
PostgreSQL the id sequences are moved past them at the end. Random choices come from one seeded
generator, and dates from a fixed "today", so two builds give the same rows.

The data set is a list of steps (`STEPS`), each filling its tables from what earlier steps
built (kept on the `World`): organisations, workplaces, networks, persons and their history,
memberships, accounts, registrations, outbox, audit log, then events, event registrations and
evaluations. A later domain adds its own step at the end, with its sizes in SIZES.

`--describe-only` (also run after a build) writes what the benchmark needs to know about any
database, the demo data included: the default network's slug, a person with a long history,
a common last name to search for, the busiest event and evaluation.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # run as a script or as a module alike
    sys.path.insert(0, str(HERE))


def _reference_data():
    """The app's reference data module, read from its file: importing the netapp package here
    would read the configuration before main() has set DATABASE_URL."""
    path = HERE.parents[1] / "netapp" / "blueprints" / "registry" / "reference_data.py"
    spec = importlib.util.spec_from_file_location("reference_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REVISIONS = _reference_data().REVISIONS
# The counties and municipalities in force, as the app ships them (registry/reference_data.py).
COUNTIES: dict[str, str] = dict(REVISIONS[-1].counties)
MUNICIPALITIES: list[tuple[str, str]] = [(number, name) for number, name, _county in REVISIONS[-1].municipalities]
# The largest towns: they get more workplaces and more resource persons.
LARGE = {"0301", "4601", "5001", "1103", "3201", "4204", "3205", "3107", "3301", "1108", "3203", "5501",
         "3207", "3105", "1804", "3905", "3907", "1508", "3909", "4003"}

SEED = 20240101
TODAY = date(2025, 6, 2)
CHUNK = 5000
BENCH_PASSWORD = "bench"
COORDINATOR_EMAIL = "koordinator@bench.example"
ADMIN_EMAIL = "admin@bench.example"

SIZES = {
    "networks": 20,
    "persons": 10_000,
    "coordinators_per_network": 2,
    "resource_person_accounts": 2_000,
    "pending_registrations": 600,
    "rejected_registrations": 200,
    "invitations": 500,
    "outbox_messages": 20_000,
    "audit_events": 20_000,
    "events": 2_000,
    "event_registrations": 200_000,
    "evaluation_answers": 500_000,
}

FIRST_NAMES = [
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg", "Hilde", "Anna",
    "Solveig", "Marianne", "Randi", "Ida", "Nina", "Maria", "Elisabeth", "Kristin", "Silje", "Ingeborg",
    "Camilla", "Tone", "Hanne", "Guro", "Sigrid", "Nora", "Synnøve", "Åse", "Ragnhild", "Tuva", "Emma",
    "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Svein", "Hans", "Geir", "Terje", "Thomas",
    "Morten", "Arne", "Espen", "Øyvind", "Håkon", "Magnus", "Eirik", "Sindre", "Jørgen", "Andreas",
]
# Weighted like Norway: Hansen is the most common last name, then Johansen, Olsen ...
LAST_NAMES = [
    ("Hansen", 50), ("Johansen", 45), ("Olsen", 45), ("Larsen", 35), ("Andersen", 35), ("Pedersen", 33),
    ("Nilsen", 33), ("Kristiansen", 20), ("Jensen", 20), ("Karlsen", 19), ("Johnsen", 18), ("Pettersen", 18),
    ("Eriksen", 17), ("Berg", 16), ("Haugen", 15), ("Hagen", 15), ("Johannessen", 14), ("Andreassen", 12),
    ("Jacobsen", 12), ("Dahl", 11), ("Jørgensen", 11), ("Halvorsen", 11), ("Henriksen", 10), ("Lund", 10),
    ("Sørensen", 10), ("Jakobsen", 10), ("Moen", 9), ("Gundersen", 9), ("Iversen", 9), ("Strand", 9),
    ("Solberg", 8), ("Svendsen", 8), ("Eide", 8), ("Knutsen", 8), ("Martinsen", 8), ("Paulsen", 7),
    ("Bakken", 7), ("Kristoffersen", 7), ("Mathisen", 7), ("Lie", 7), ("Amundsen", 6), ("Nguyen", 6),
    ("Rasmussen", 6), ("Ali", 6), ("Lunde", 6), ("Solheim", 6), ("Berge", 6), ("Moe", 6), ("Nygård", 6),
    ("Bakke", 6), ("Kristensen", 5), ("Fredriksen", 5), ("Holm", 5), ("Lien", 5), ("Hauge", 5),
    ("Christensen", 5), ("Andresen", 5), ("Nielsen", 5), ("Knudsen", 5), ("Evensen", 5), ("Sæther", 5),
    ("Aas", 5), ("Myhre", 5), ("Hanssen", 4), ("Ahmed", 4), ("Haugland", 4), ("Thomassen", 4),
    ("Sivertsen", 4), ("Simonsen", 4), ("Danielsen", 4), ("Berntsen", 4), ("Sandvik", 4), ("Rønning", 4),
    ("Arnesen", 4), ("Antonsen", 4), ("Næss", 4), ("Vik", 4), ("Haugland", 3), ("Ødegård", 3),
    ("Tveit", 3), ("Skjæveland", 3), ("Øvrebø", 3), ("Aarsland", 3), ("Håland", 3),
]
PROFESSIONS = [
    ("Sykepleier", 30), ("Vernepleier", 14), ("Helsesykepleier", 10), ("Fysioterapeut", 7),
    ("Ergoterapeut", 5), ("Barnehagelærer", 7), ("Pedagog", 4), ("Spesialpedagog", 6), ("Sosionom", 4),
    ("Barnekoordinator", 5), ("Kreftkoordinator", 3), ("Lege", 3),
]
MANAGER_TITLES = ["Virksomhetsleder", "Avdelingsleder", "Enhetsleder", "Seksjonsleder", "Styrer", "Rektor",
                  "Kommunalsjef helse og omsorg", "Fagleder"]

# Workplace templates of a municipality: (name pattern, sector); each municipality gets a sample.
MUNICIPAL_WORKPLACES = [
    ("Hjemmesykepleien {m}", "health_care"),
    ("Helsestasjonen i {m}", "health_care"),
    ("{m} bo- og avlastning for barn og unge", "health_care"),
    ("Fysio- og ergoterapitjenesten {m}", "health_care"),
    ("Koordinerende enhet {m}", "health_care"),
    ("Tildelingskontoret {m}", "health_care"),
    ("Legekontoret {m}", "health_care"),
    ("Barneboligen {m}", "health_care"),
    ("PPT {m}", "education"),
    ("{m} barnehage", "education"),
    ("Sentrum barnehage, {m}", "education"),
    ("{m} skole", "education"),
    ("{m} ungdomsskole", "education"),
    ("Frivilligsentralen {m}", "voluntary"),
]
HOSPITALS = [
    ("Oslo universitetssykehus", "03"), ("Akershus universitetssykehus", "32"), ("Sykehuset Østfold", "31"),
    ("Vestre Viken, Drammen sykehus", "33"), ("Sykehuset Innlandet", "34"), ("Sykehuset i Vestfold", "39"),
    ("Sykehuset Telemark", "40"), ("Sørlandet sykehus", "42"), ("Stavanger universitetssjukehus", "11"),
    ("Haugesund sjukehus", "11"), ("Haukeland universitetssjukehus", "46"), ("Førde sentralsjukehus", "46"),
    ("Ålesund sjukehus", "15"), ("St. Olavs hospital", "50"), ("Sykehuset Levanger", "50"),
    ("Nordlandssykehuset Bodø", "18"), ("Universitetssykehuset Nord-Norge", "55"), ("Finnmarkssykehuset", "56"),
]
DEPARTMENTS = ["Barne- og ungdomsklinikken", "Nyfødtintensiv avdeling", "Habiliteringstjenesten for barn og unge",
               "Palliativt senter"]
NGOS = ["Kreftomsorg Rogaland", "Kreftforeningen", "Barnekreftforeningen", "Foreningen for barnepalliasjon",
        "Landsforeningen uventet barnedød", "Norsk Folkehjelp, besøkstjenesten", "Røde Kors, familietjenesten"]
NATIONAL_NETWORKS = [
    ("nettverk-barnefysioterapeuter", "Nasjonalt nettverk for barnefysioterapeuter", "Barnefysio", None),
    ("ressursgruppe-oslo", "Ressursgruppe barnepalliasjon Oslo", "Ressursgruppe Oslo", "0301"),
    ("ressursgruppe-bergen", "Ressursgruppe barnepalliasjon Bergen", "Ressursgruppe Bergen", "4601"),
    ("ressursgruppe-trondheim", "Ressursgruppe barnepalliasjon Trondheim", "Ressursgruppe Trondheim", "5001"),
]


def _slug(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a", " ": "-", ".": ""})
    return "".join(c for c in text.translate(table).lower() if c.isalnum() or c == "-")


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, 0)


@dataclass
class World:
    """What the steps share: the connection, the random generator and the ids built so far."""

    conn: object
    rng: random.Random
    ids: dict[str, list[int]] = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def insert(self, table, rows: list[dict]) -> None:
        for start in range(0, len(rows), CHUNK):
            self.conn.execute(table.insert(), rows[start:start + CHUNK])
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def update(self, statement, rows: list[dict]) -> None:
        for start in range(0, len(rows), CHUNK):
            self.conn.execute(statement, rows[start:start + CHUNK])

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))


STEPS: list[Callable[[World], None]] = []


def step(fn: Callable[[World], None]) -> Callable[[World], None]:
    STEPS.append(fn)
    return fn


def _weighted(rng: random.Random, pairs, k: int) -> list:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=k)


# ---------------------------------------------------------------- steps

@step
def organisations(world: World) -> None:
    """All 357 municipalities, hospital departments, NGOs and the regional development centres."""
    from netapp.blueprints.registry.models import County, Organisation

    county_id = {number: n for n, number in enumerate(COUNTIES, start=1)}
    world.insert(County.__table__, [{"id": county_id[number], "number": number, "name": name}
                                    for number, name in COUNTIES.items()])
    rows, org_county, org_weight = [], {}, {}
    for n, (number, name) in enumerate(MUNICIPALITIES, start=1):
        rows.append({"id": n, "kind": "municipality", "name": name, "municipality_number": number,
                     "county_id": county_id[number[:2]]})
        org_county[n] = number[:2]
        org_weight[n] = 14 if number in LARGE else (3 if number[2:] < "08" else 1)
    world.ids["municipality"] = [r["id"] for r in rows]
    next_id = len(rows) + 1
    hospital_ids = []
    for hospital, county in HOSPITALS:
        for department in DEPARTMENTS:
            rows.append({"id": next_id, "kind": "hospital_department", "name": f"{hospital}, {department}",
                         "municipality_number": None})
            org_county[next_id], org_weight[next_id] = county, 4
            hospital_ids.append(next_id)
            next_id += 1
    ngo_ids = []
    for name in NGOS:
        rows.append({"id": next_id, "kind": "ngo", "name": name, "municipality_number": None})
        org_county[next_id], org_weight[next_id] = world.rng.choice(list(COUNTIES)), 3
        ngo_ids.append(next_id)
        next_id += 1
    for county, county_name in COUNTIES.items():
        rows.append({"id": next_id, "kind": "other", "municipality_number": None,
                     "name": f"Utviklingssenter for sykehjem og hjemmetjenester {county_name}"})
        org_county[next_id], org_weight[next_id] = county, 1
        next_id += 1
    for row in rows:
        row.setdefault("county_id", None)
    world.insert(Organisation.__table__, rows)
    world.ids["organisation"] = [r["id"] for r in rows]
    world.ids["hospital_department"] = hospital_ids
    world.info.update(org_county=org_county, org_weight=org_weight, org_name={r["id"]: r["name"] for r in rows})


@step
def workplaces(world: World) -> None:
    """Three to fourteen workplaces per municipality, two per hospital department, one per other body."""
    from netapp.blueprints.registry.models import Workplace

    rng, rows = world.rng, []
    names = world.info["org_name"]
    for org_id in world.ids["organisation"]:
        name = names[org_id]
        if org_id in world.ids["municipality"]:
            large = world.info["org_weight"][org_id] > 3
            picks = MUNICIPAL_WORKPLACES if large else rng.sample(MUNICIPAL_WORKPLACES, rng.randint(3, 7))
            for pattern, sector in picks:
                rows.append({"organisation_id": org_id, "name": pattern.format(m=name), "sector": sector})
        elif org_id in world.ids["hospital_department"]:
            for unit in ("Sengepost", "Poliklinikk"):
                rows.append({"organisation_id": org_id, "name": unit, "sector": "specialist"})
        else:
            sector = "voluntary" if "forening" in name.lower() or "omsorg" in name.lower() else "health_care"
            rows.append({"organisation_id": org_id, "name": "Administrasjon", "sector": sector})
    # A few workplaces created by an import and not yet completed by a coordinator.
    for row in rng.sample(rows, 25):
        row["sector"] = None
    for n, row in enumerate(rows, start=1):
        row.update(id=n, leader_id=None)
    world.insert(Workplace.__table__, rows)
    world.ids["workplace"] = [r["id"] for r in rows]
    weight = world.info["org_weight"]
    world.info["workplace_org"] = {r["id"]: r["organisation_id"] for r in rows}
    world.info["workplace_weight"] = [weight[r["organisation_id"]] for r in rows]


@step
def networks(world: World) -> None:
    """One national default network, one per county, and four smaller ones: 20 in all."""
    from netapp.blueprints.registry.models import Network, network_region

    created = _at(date(2021, 9, 1))
    rows = [{"id": 1, "slug": "barnepalliasjon-nasjonalt", "name": "Nasjonalt nettverk i barnepalliasjon",
             "short_name": "Barnepalliasjon", "is_default": True}]
    for name in COUNTIES.values():
        rows.append({"id": len(rows) + 1, "slug": f"barnepalliasjon-{_slug(name)}", "is_default": False,
                     "name": f"Tverrfaglig nettverk i barnepalliasjon {name}", "short_name": f"Barnepalliasjon {name}"})
    for slug, name, short, _municipality in NATIONAL_NETWORKS:
        rows.append({"id": len(rows) + 1, "slug": slug, "name": name, "short_name": short, "is_default": False})
    rows = rows[:SIZES["networks"]]
    for row in rows:
        row.update(description=f"{row['name']} samler fagfolk som arbeider med barn som trenger palliasjon, "
                               "og gir dem kompetanse å ta med tilbake til arbeidsstedet.",
                   contact_email=f"post@{row['slug']}.example", created_at=created)
    world.insert(Network.__table__, rows)

    by_number = {number: n for n, (number, _) in enumerate(MUNICIPALITIES, start=1)}
    county_network = {county: 2 + i for i, county in enumerate(COUNTIES)}
    region = [{"network_id": 1, "organisation_id": m} for m in world.ids["municipality"]]
    for number, m in by_number.items():
        region.append({"network_id": county_network[number[:2]], "organisation_id": m})
    for i, (*_, municipality) in enumerate(NATIONAL_NETWORKS):
        network_id = 2 + len(COUNTIES) + i
        members = [by_number[municipality]] if municipality else world.ids["municipality"]
        region += [{"network_id": network_id, "organisation_id": m} for m in members]
    world.insert(network_region, region)
    world.ids["network"] = [r["id"] for r in rows]
    world.info.update(county_network=county_network, by_number=by_number,
                      city_network={by_number[m]: 2 + len(COUNTIES) + i for i, (*_, m) in enumerate(NATIONAL_NETWORKS) if m},
                      physio_network=2 + len(COUNTIES))


@step
def persons(world: World) -> None:
    """10,000 persons: a leader for most workplaces, two coordinators per network, the rest resource
    persons with a workplace and (mostly) its leader as manager; about one in twelve has left."""
    from sqlalchemy import bindparam, update

    from netapp.blueprints.registry.models import Person, Workplace, person_search_text

    rng = world.rng
    workplace_ids = world.ids["workplace"]
    total = SIZES["persons"]
    n_coordinators = SIZES["coordinators_per_network"] * len(world.ids["network"]) + 1
    n_leaders = min(len(workplace_ids), int(total * 0.2))
    led = sorted(rng.sample(workplace_ids, n_leaders))
    firsts = [rng.choice(FIRST_NAMES) for _ in range(total)]
    lasts = _weighted(rng, LAST_NAMES, total)
    rows, leader_of = [], {}

    def person(n: int, workplace_id: int | None, profession: str, manager_id: int | None, **extra) -> dict:
        first, last = firsts[n - 1], lasts[n - 1]
        email = f"{_slug(first)}.{_slug(last)}.{n}@bench.example"
        joined = world.day_between(date(2019, 1, 1), TODAY - timedelta(days=30))
        return {
            "id": n, "first_name": first, "last_name": last, "email": email, "email_normalized": email,
            "phone": f"+47 {rng.randint(40, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            "profession": profession, "workplace_id": workplace_id, "manager_id": manager_id,
            "position_percent": rng.choice([40, 50, 60, 75, 80, 80, 100, 100, 100]),
            "public_consent": rng.random() < 0.6, "is_manager": False, "status": "active",
            "active_from": joined, "left_on": None, "created_at": _at(joined), "updated_at": _at(joined),
            **extra,
            "search_text": person_search_text(first, last, email, profession),
        }

    n = 0
    for workplace_id in led:
        n += 1
        rows.append(person(n, workplace_id, rng.choice(MANAGER_TITLES), None, is_manager=True))
        leader_of[workplace_id] = n
    world.ids["leader"] = [r["id"] for r in rows]
    coordinator_ids = []
    for _ in range(n_coordinators):
        n += 1
        workplace_id = rng.choice(workplace_ids)
        rows.append(person(n, workplace_id, rng.choice(["Spesialsykepleier", "Rådgiver", "Prosjektleder"]),
                           leader_of.get(workplace_id)))
        coordinator_ids.append(n)
    world.ids["coordinator"] = coordinator_ids
    professions = _weighted(rng, PROFESSIONS, total)
    chosen = rng.choices(workplace_ids, weights=world.info["workplace_weight"], k=total)
    resource_ids = []
    while n < total:
        n += 1
        workplace_id = chosen[n - 1]
        manager_id = leader_of.get(workplace_id) if rng.random() < 0.9 else None
        row = person(n, workplace_id, professions[n - 1], manager_id)
        if rng.random() < 0.08:
            row.update(status="left", left_on=world.day_between(row["active_from"] + timedelta(days=20), TODAY))
        rows.append(row)
        resource_ids.append(n)
    world.ids["resource_person"] = resource_ids
    # Leaders first, then those who point at them (the manager foreign key is checked on insert).
    world.insert(Person.__table__, rows)
    world.update(
        update(Workplace.__table__).where(Workplace.__table__.c.id == bindparam("wid"))
        .values(leader_id=bindparam("lid")),
        [{"wid": w, "lid": p} for w, p in leader_of.items()],
    )
    world.ids["person"] = [r["id"] for r in rows]
    world.info["person"] = {r["id"]: r for r in rows}
    world.info["leader_of"] = leader_of


@step
def assignments(world: World) -> None:
    """The current workplace period of every person, and one or two earlier ones for a third of them."""
    from netapp.blueprints.registry.models import Assignment

    rng, rows = world.rng, []
    workplace_ids, leader_of = world.ids["workplace"], world.info["leader_of"]
    for person in world.info["person"].values():
        start = person["active_from"]
        earlier = rng.choices([0, 1, 2], weights=[65, 25, 10])[0]
        begin = start
        for _ in range(earlier):
            other = rng.choice(workplace_ids)
            begin = begin - timedelta(days=rng.randint(200, 900))
            rows.append({"person_id": person["id"], "workplace_id": other, "manager_id": leader_of.get(other),
                         "valid_from": begin, "valid_to": None})
        # Earlier periods end where the next one starts.
        if earlier:
            periods = sorted(rows[-earlier:], key=lambda r: r["valid_from"])
            ends = [r["valid_from"] for r in periods[1:]] + [start]
            for period, end in zip(periods, ends, strict=True):
                period["valid_to"] = end
        rows.append({"person_id": person["id"], "workplace_id": person["workplace_id"],
                     "manager_id": person["manager_id"], "valid_from": start, "valid_to": person["left_on"]})
    for n, row in enumerate(rows, start=1):
        row["id"] = n
    world.insert(Assignment.__table__, rows)


@step
def memberships(world: World) -> None:
    """Every resource person is in the national network, seven in ten also in their county's; the
    city groups and the physiotherapists' network take some; six per network sit in the working
    group; two coordinators per network, and the benchmark's coordinator for the national one."""
    from netapp.blueprints.registry.models import Membership

    rng, rows = world.rng, []
    info = world.info
    county_of = info["org_county"]
    workplace_org = info["workplace_org"]
    by_id = info["person"]

    def add(person_id: int, network_id: int, role: str) -> None:
        person = by_id[person_id]
        rows.append({"person_id": person_id, "network_id": network_id, "role": role,
                     "start_date": person["active_from"], "end_date": person["left_on"]})

    for person_id in world.ids["resource_person"]:
        person = by_id[person_id]
        org = workplace_org[person["workplace_id"]]
        add(person_id, 1, "resource_person")
        if rng.random() < 0.7:
            add(person_id, info["county_network"][county_of[org]], "resource_person")
        if org in info["city_network"] and rng.random() < 0.15:
            add(person_id, info["city_network"][org], "resource_person")
        if person["profession"] == "Fysioterapeut" and rng.random() < 0.5:
            add(person_id, info["physio_network"], "resource_person")
    members_by_network: dict[int, list[int]] = {}
    for row in rows:
        if row["end_date"] is None:
            members_by_network.setdefault(row["network_id"], []).append(row["person_id"])
    info["members_by_network"] = members_by_network
    for network_id, members in members_by_network.items():
        for person_id in rng.sample(members, min(6, len(members))):
            add(person_id, network_id, "working_group")
    coordinators = world.ids["coordinator"]
    bench_coordinator = coordinators[0]
    add(bench_coordinator, 1, "coordinator")  # the benchmark's login: the national network, everyone in it
    for i, person_id in enumerate(coordinators[1:]):
        add(person_id, world.ids["network"][i // SIZES["coordinators_per_network"]], "coordinator")
    for n, row in enumerate(rows, start=1):
        row["id"] = n
    world.insert(Membership.__table__, rows)


@step
def accounts(world: World) -> None:
    """Accounts (one shared password hash, computed once) for an admin, every coordinator, the
    leaders and a share of the resource persons."""
    import secrets

    from netapp.blueprints.auth.models import User
    from netapp.blueprints.auth.services import hash_password

    rng = world.rng
    password_hash = hash_password(BENCH_PASSWORD)
    by_id = world.info["person"]
    persons = world.ids["coordinator"] + world.ids["leader"] + rng.sample(
        world.ids["resource_person"], SIZES["resource_person_accounts"])
    rows = [{"id": 1, "email": ADMIN_EMAIL, "person_id": None, "is_admin": True}]
    for person_id in persons:
        email = COORDINATOR_EMAIL if person_id == world.ids["coordinator"][0] else by_id[person_id]["email"]
        rows.append({"id": len(rows) + 1, "email": email, "person_id": person_id, "is_admin": False})
    for row in rows:
        row.update(password_hash=password_hash, is_enabled=True, session_token=secrets.token_hex(16),
                   language=None, created_at=_at(TODAY - timedelta(days=400)), last_login_on=None)
    world.insert(User.__table__, rows)
    world.ids["coordinator_user"] = [r["id"] for r in rows[1:1 + len(world.ids["coordinator"])]]


@step
def joining(world: World) -> None:
    """A registration behind most resource persons (approved), some pending or rejected, and invitations."""
    from netapp.blueprints.joining.models import Invitation, Registration

    rng, rows = world.rng, []
    by_id, leader_of = world.info["person"], world.info["leader_of"]
    deciders = world.ids["coordinator_user"]

    def registration(status: str, first: str, last: str, email: str, workplace_id: int, created: date, **extra):
        leader = leader_of.get(workplace_id)
        manager_email = by_id[leader]["email"] if leader else f"leder.{workplace_id}@bench.example"
        return {
            "network_id": 1, "status": status, "first_name": first, "last_name": last, "email": email,
            "phone": "", "profession": rng.choice(PROFESSIONS)[0], "workplace_id": workplace_id,
            "new_workplace_name": "", "new_workplace_organisation_id": None, "new_workplace_sector": None,
            "position_percent": rng.choice([50, 80, 100]), "public_consent": rng.random() < 0.6,
            "manager_name": "", "manager_email": manager_email, "manager_token_hash": None,
            "manager_confirmed_at": None, "invitation_id": None, "created_at": _at(created), "decided_at": None,
            "decided_by_id": None, "reject_reason": "", "person_id": None, **extra,
        }

    for person_id in world.ids["resource_person"]:
        if rng.random() < 0.6:
            p = by_id[person_id]
            created = p["active_from"] - timedelta(days=rng.randint(3, 30))
            rows.append(registration(
                "approved", p["first_name"], p["last_name"], p["email"], p["workplace_id"], created,
                manager_confirmed_at=_at(created + timedelta(days=2)), decided_at=_at(p["active_from"]),
                decided_by_id=rng.choice(deciders), person_id=person_id))
    pending = SIZES["pending_registrations"]
    for i in range(pending + SIZES["rejected_registrations"]):
        first, last = rng.choice(FIRST_NAMES), _weighted(rng, LAST_NAMES, 1)[0]
        workplace_id = rng.choice(world.ids["workplace"])
        created = world.day_between(TODAY - timedelta(days=120), TODAY)
        email = f"ny.{i}@bench.example"
        if i < pending // 2:
            extra = {"status": "awaiting_manager",
                     "manager_token_hash": hashlib.sha256(f"bench-manager-{i}".encode()).hexdigest()}
        elif i < pending:
            extra = {"status": "awaiting_coordinator", "manager_confirmed_at": _at(created + timedelta(days=1))}
        else:
            extra = {"status": "rejected", "decided_at": _at(created + timedelta(days=5)),
                     "decided_by_id": rng.choice(deciders), "reject_reason": "Ikke ansatt i en tjeneste for barn."}
        extra["network_id"] = rng.choice(world.ids["network"])
        rows.append(registration(extra.pop("status"), first, last, email, workplace_id, created, **extra))
    for n, row in enumerate(rows, start=1):
        row["id"] = n
    world.insert(Registration.__table__, rows)

    invitations = []
    for i in range(SIZES["invitations"]):
        created = world.day_between(TODAY - timedelta(days=365), TODAY)
        invitations.append({
            "id": i + 1, "network_id": rng.choice(world.ids["network"]), "email": f"invitert.{i}@bench.example",
            "token_hash": hashlib.sha256(f"bench-invitation-{i}".encode()).hexdigest(),
            "invited_by_id": rng.choice(deciders), "message": "", "created_at": _at(created),
            "expires_at": _at(created + timedelta(days=60)), "used_at": None,
        })
    world.insert(Invitation.__table__, invitations)


@step
def outbox(world: World) -> None:
    """A year of sent mail in the outbox."""
    from netapp.mail import OutboxMessage

    rng, rows = world.rng, []
    emails = [p["email"] for p in world.info["person"].values()]
    for i in range(SIZES["outbox_messages"]):
        created = _at(world.day_between(TODAY - timedelta(days=365), TODAY), rng.randint(7, 20))
        rows.append({
            "id": i + 1, "message_id": f"<bench-{i}@netapp.example>", "to_address": rng.choice(emails),
            "subject": "Velkommen som ressursperson", "body_text": "Hei!\n\nDu er nå med i nettverket.\n",
            "body_html": None, "status": "sent", "created_at": created, "due_at": created, "claimed_at": created,
            "sent_at": created + timedelta(seconds=40), "attempts": 1, "last_error": "",
        })
    world.insert(OutboxMessage.__table__, rows)


@step
def audit_log(world: World) -> None:
    """Coordinators' changes over the last year."""
    from netapp.audit import AuditEvent

    rng, rows = world.rng, []
    users = world.ids["coordinator_user"]
    persons = world.ids["person"]
    for i in range(SIZES["audit_events"]):
        user = rng.choice(users)
        rows.append({
            "id": i + 1, "created_at": _at(world.day_between(TODAY - timedelta(days=365), TODAY), rng.randint(7, 20)),
            "actor_id": user, "actor_email": f"koordinator.{user}@bench.example",
            "action": rng.choice(["update", "update", "create"]), "object_type": "Person",
            "object_id": rng.choice(persons), "fields": rng.choice(["phone", "profession", "workplace_id, manager_id"]),
        })
    world.insert(AuditEvent.__table__, rows)


EVENT_KINDS = [("gathering", 30), ("theme_day", 15), ("teaching_session", 35), ("webinar", 8), ("course", 4),
               ("working_group_meeting", 5), ("summary_meeting", 3)]
EVENT_THEMES = ["Pårørendeperspektivet", "Ivaretakelse av hjelperen", "Tverrfaglig samarbeid", "Den gode avslutningen",
                "Palliasjon i et flerkulturelt perspektiv", "Smertelindring hos barn", "Sorg hos søsken",
                "Kommunikasjon med familien", "Etiske dilemmaer", "Egenomsorg i krevende arbeid"]
PLACES = ["Stavanger", "Sandnes", "Bergen", "Oslo", "Trondheim", "Tromsø", "Kristiansand", "Bodø", "Teams"]


def _spread(rng: random.Random, total: int, rooms: list[int], low: int, high: int) -> list[int]:
    """Sizes between low and high (never above each room) adding up to total exactly."""
    sizes = [min(room, rng.randint(low, high)) for room in rooms]
    order = list(range(len(sizes)))
    while (diff := total - sum(sizes)) != 0:
        rng.shuffle(order)
        for i in order:
            if diff > 0 and sizes[i] < rooms[i]:
                sizes[i] += 1
                diff -= 1
            elif diff < 0 and sizes[i] > 0:
                sizes[i] -= 1
                diff += 1
            if diff == 0:
                break
    return sizes


@step
def events(world: World) -> None:
    """Three years of events, a third of them ahead; the national network holds a fifth."""
    from netapp.blueprints.gatherings.models import Event

    rng, rows = world.rng, []
    networks = world.ids["network"]
    for i in range(SIZES["events"]):
        network_id = 1 if i % 5 == 0 else rng.choice(networks[1:])
        kind = _weighted(rng, EVENT_KINDS, 1)[0]
        day = world.day_between(TODAY - timedelta(days=730), TODAY + timedelta(days=365))
        theme = rng.choice(EVENT_THEMES)
        starts = _at(day, rng.choice([8, 9, 12]))
        rows.append({
            "id": i + 1, "network_id": network_id, "kind": kind, "title": f"{theme} ({day.year})", "theme": theme,
            "description": "Foredrag, gruppearbeid og refleksjon.", "location": rng.choice(PLACES),
            "starts_at": starts, "ends_at": starts + timedelta(hours=rng.choice([2, 4, 6])),
            "registration_deadline": None, "capacity": rng.choice([None, None, 200, 300]),
            "is_public": kind in ("gathering", "theme_day", "webinar", "course") and rng.random() < 0.7,
            "cancelled_at": _at(day - timedelta(days=10)) if rng.random() < 0.02 else None, "reminder_sent_at": None,
            "created_at": _at(day - timedelta(days=60)), "updated_at": _at(day - timedelta(days=60)),
        })
    world.info["event"] = rows
    world.ids["event"] = [r["id"] for r in rows]
    world.insert(Event.__table__, rows)


@step
def event_registrations(world: World) -> None:
    """Members of the event's network; attendance recorded for past events, nine in ten came."""
    from netapp.blueprints.gatherings.models import EventRegistration

    rng, rows = world.rng, []
    members = world.info["members_by_network"]
    events = world.info["event"]
    rooms = [min(len(members.get(e["network_id"], [])), e["capacity"] or 10**6) for e in events]
    sizes = _spread(rng, SIZES["event_registrations"], rooms, 20, 180)
    attended_by_event: dict[int, list[int]] = {}
    for event, size in zip(events, sizes, strict=True):
        past = event["starts_at"].date() < TODAY
        for person_id in rng.sample(members[event["network_id"]], size) if size else []:
            attended = (rng.random() < 0.9) if past and not event["cancelled_at"] else None
            rows.append({"id": len(rows) + 1, "event_id": event["id"], "person_id": person_id,
                         "registered_at": event["starts_at"] - timedelta(days=rng.randint(1, 40)), "attended": attended})
            if attended:
                attended_by_event.setdefault(event["id"], []).append(person_id)
    world.info["attended_by_event"] = attended_by_event
    world.insert(EventRegistration.__table__, rows)


def _unique_random_id(rng, used: set[int]) -> int:
    while True:
        value = rng.randrange(2**24, 2**31 - 1)
        if value not in used:
            used.add(value)
            return value


@step
def evaluations(world: World) -> None:
    """A questionnaire of the standard questions after each past event but meetings; nine in ten
    who came answered (half wrote a comment), until the answers reach the planned number."""
    from netapp.blueprints.evaluations.models import (
        Answer,
        Question,
        Questionnaire,
        Response,
        ResponseReceipt,
    )
    from netapp.blueprints.evaluations.standard import STANDARD_QUESTIONS

    rng = world.rng
    questionnaires, questions, responses, receipts, answers = [], [], [], [], []
    used_ids: set[int] = set()
    attended = world.info["attended_by_event"]
    comments = ["Flere pauser.", "Mer gruppearbeid.", "Foredrag fra pårørende.", "Svært nyttig.", "Mer refleksjon."]
    target = SIZES["evaluation_answers"]
    for event in world.info["event"]:
        came = attended.get(event["id"], [])
        if len(answers) >= target or len(came) < 5 or event["kind"] in ("working_group_meeting", "summary_meeting"):
            continue
        q_id = len(questionnaires) + 1
        questionnaires.append({
            "id": q_id, "network_id": event["network_id"], "event_id": event["id"],
            "title": f"Evaluering: {event['title']}", "intro": "Svarene er anonyme.", "status": "closed",
            "created_at": event["ends_at"], "opened_at": event["ends_at"], "closed_at": event["ends_at"] + timedelta(days=21),
        })
        q_rows = []
        for position, (kind, text, required) in enumerate(STANDARD_QUESTIONS):
            q_rows.append({"id": len(questions) + 1, "questionnaire_id": q_id, "position": position,
                           "kind": kind.value, "text": str(text), "required": required})
            questions.append(q_rows[-1])
        # Closed forms: their responses were mixed into one batch at closing (random ids, one date),
        # and the receipts carry random ids too.
        closed_on = (event["ends_at"] + timedelta(days=21)).date()
        for person_id in rng.sample(came, int(len(came) * 0.9)):
            if len(answers) >= target:
                break
            r_id = _unique_random_id(rng, used_ids)
            responses.append({"id": r_id, "questionnaire_id": q_id, "released_on": closed_on})
            receipts.append({"id": _unique_random_id(rng, used_ids), "questionnaire_id": q_id, "person_id": person_id})
            for question in q_rows:
                if len(answers) >= target:
                    break
                if question["kind"] == "scale":
                    answers.append({"id": len(answers) + 1, "response_id": r_id, "question_id": question["id"],
                                    "value": _weighted(rng, [(5, 40), (4, 35), (3, 15), (2, 7), (1, 3)], 1)[0], "text": None})
                elif question["kind"] == "yes_no":
                    answers.append({"id": len(answers) + 1, "response_id": r_id, "question_id": question["id"],
                                    "value": int(rng.random() < 0.6), "text": None})
                elif rng.random() < 0.5:
                    answers.append({"id": len(answers) + 1, "response_id": r_id, "question_id": question["id"],
                                    "value": None, "text": rng.choice(comments)})
    world.insert(Questionnaire.__table__, questionnaires)
    world.insert(Question.__table__, questions)
    world.insert(Response.__table__, responses)
    world.insert(ResponseReceipt.__table__, receipts)
    world.insert(Answer.__table__, answers)


# ---------------------------------------------------------------- running

def _reset_sequences(conn, tables: Iterable) -> None:
    """PostgreSQL: move each id sequence past the explicit ids inserted. Tables whose ids are
    random (responses, held responses, receipts) have no sequence and are left alone."""
    from sqlalchemy import text

    for table in tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": f'"{table.name}"'})
        if sequence is None:
            continue
        conn.execute(text(f'SELECT setval(CAST(:sequence AS regclass), COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'),
                     {"sequence": sequence})


def build(engine, seed: int = SEED, log=print) -> World:
    """Run every step in one transaction on an empty database with the schema in place."""
    from sqlalchemy import func, select

    from netapp.blueprints.registry.models import Network
    from netapp.cache import renew_token
    from netapp.extensions import db

    with engine.begin() as conn:
        if conn.scalar(select(func.count()).select_from(Network.__table__)):
            raise SystemExit("The database already holds networks; the builder only fills an empty database.")
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA synchronous = OFF")
        world = World(conn=conn, rng=random.Random(seed))
        for fn in STEPS:
            started = time.perf_counter()
            fn(world)
            log(f"  {fn.__name__:<14} {time.perf_counter() - started:6.1f} s")
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn, db.metadata.sorted_tables)
        # Written past the session: a running app's cached pages must see the new data.
        renew_token(conn)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
        elif conn.dialect.name == "postgresql":
            # VACUUM too, as autovacuum would have done by now in production: a freshly loaded
            # table has no visibility map, so every index-only scan would read the table as well.
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    return world


def describe(engine) -> dict:
    """What the benchmark needs to know about a database: works on the demo data too."""
    from sqlalchemy import func, select

    from netapp.blueprints.evaluations.models import Answer, Questionnaire, Response
    from netapp.blueprints.gatherings.models import Event, EventRegistration
    from netapp.blueprints.registry.models import Assignment, Membership, Network, Person

    with engine.connect() as conn:
        network = conn.execute(select(Network.id, Network.slug).order_by(Network.is_default.desc(), Network.id)).first()
        members = select(Membership.person_id).where(Membership.network_id == network.id, Membership.end_date.is_(None))
        person_id = conn.scalar(
            select(Assignment.person_id).where(Assignment.person_id.in_(members))
            .group_by(Assignment.person_id).order_by(func.count().desc(), Assignment.person_id).limit(1))
        surname = conn.scalar(
            select(Person.last_name).where(Person.status == "active").group_by(Person.last_name)
            .order_by(func.count().desc(), Person.last_name).limit(1))
        # The default network's event with the most registrations, and its questionnaire with the most
        # responses: the heaviest event page and results page.
        event_id = conn.scalar(
            select(Event.id).join(EventRegistration, EventRegistration.event_id == Event.id)
            .where(Event.network_id == network.id).group_by(Event.id)
            .order_by(func.count().desc(), Event.id).limit(1))
        questionnaire_id = conn.scalar(
            select(Questionnaire.id).join(Response, Response.questionnaire_id == Questionnaire.id)
            .where(Questionnaire.network_id == network.id).group_by(Questionnaire.id)
            .order_by(func.count().desc(), Questionnaire.id).limit(1))
        counts = {
            table: conn.scalar(select(func.count()).select_from(model.__table__))
            for table, model in (("network", Network), ("person", Person), ("membership", Membership),
                                 ("assignment", Assignment), ("event", Event), ("event_registration", EventRegistration),
                                 ("response", Response), ("answer", Answer))
        }
    return {"network_slug": network.slug, "person_id": person_id, "search": surname.lower(),
            "event_id": event_id, "questionnaire_id": questionnaire_id, "counts": counts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the development database")
    parser.add_argument("--summary", help="write the description of the database (JSON) to this file")
    parser.add_argument("--describe-only", action="store_true", help="build nothing; only describe the database")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("NETAPP_ENV", "development")
    from netapp import create_app
    from netapp.extensions import db

    app = create_app()
    with app.app_context():
        engine = db.engine
        if not args.describe_only:
            started = time.perf_counter()
            print(f"Building the national data set into {engine.url.render_as_string(hide_password=True)}")
            world = build(engine, args.seed)
            elapsed = time.perf_counter() - started
            print("  " + ", ".join(f"{name}={count}" for name, count in world.counts.items()))
            print(f"Built in {elapsed:.1f} s")
        summary = describe(engine)
        if not args.describe_only:
            summary["build_seconds"] = round(elapsed, 1)
            summary["rows"] = world.counts
        engine.dispose()
    if args.summary:
        Path(args.summary).write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    else:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
