"""The import's dry run: what each row of a parsed file would do (create, update, leave unchanged,
or reject, and why), without writing anything. Lookups are preloaded into maps, so a file of
10,000 rows costs a handful of queries."""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select, true

from netapp.blueprints.registry import services
from netapp.blueprints.registry.columns import (
    MAX_LENGTHS,
    STATUS_WORDS,
    field_labels,
    match_key,
    sector_lookup,
    sector_names_nb,
)
from netapp.blueprints.registry.import_parse import ParsedFile
from netapp.blueprints.registry.models import (
    Membership,
    Network,
    Organisation,
    Person,
    PersonStatus,
    Sector,
    Workplace,
)
from netapp.extensions import db
from netapp.timeutil import format_date
from netapp.validators import check_email, parse_int

CHUNK = 500


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REJECT = "reject"


@dataclass
class RowPlan:
    row: int
    values: dict[str, str]
    action: Action = Action.CREATE
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    email_norm: str | None = None
    person: Person | None = None
    workplace: Workplace | None = None
    new_workplace: tuple[Organisation, str, Sector | None] | None = None
    set_sector: Sector | None = None  # complete an existing workplace that has no sector
    manager_email: str | None = None
    position_percent: int | None = None
    join: list[Network] = field(default_factory=list)
    status: PersonStatus | None = None  # a change of status, when the file asks for one
    field_changes: dict[str, object] = field(default_factory=dict)
    out_of_scope: bool = False  # rejected because the row reaches beyond what the user may change

    @property
    def name(self) -> str:
        return f"{self.values.get('first_name', '')} {self.values.get('last_name', '')}".strip()

    @property
    def email(self) -> str:
        return self.values.get("email", "")


@dataclass
class ImportPlan:
    parsed: ParsedFile
    rows: list[RowPlan]
    network: Network | None
    lookups: Lookups

    def count(self, action: Action) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a.value: self.count(a) for a in Action}

    @property
    def ok(self) -> bool:
        return self.count(Action.REJECT) == 0

    @property
    def rejected(self) -> list[RowPlan]:
        return [r for r in self.rows if r.action == Action.REJECT]

    @property
    def out_of_scope(self) -> bool:
        """Some row would change a person or a network the importing user may not change."""
        return any(r.out_of_scope for r in self.rows)

    @property
    def new_workplaces(self) -> list[tuple[str, str, Sector | None]]:
        seen: dict[tuple[int, str], tuple[str, str, Sector | None]] = {}
        for r in self.rows:
            if r.new_workplace and r.action != Action.REJECT:
                org, name, sector = r.new_workplace
                seen.setdefault((org.id, match_key(name)), (name, org.name, sector))
        return list(seen.values())


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Lookups:
    """Everything a plan needs, loaded with a few queries instead of one per row.

    `changeable` is the SQL condition for the persons the importing user may change (None: anyone,
    as for an admin or the CLI); it is asked in the same query that finds the persons."""

    def __init__(self, parsed: ParsedFile, changeable=None):
        emails = set()
        for _number, values in parsed.rows:
            for key in ("email", "manager_email"):
                norm = services.normalize(values.get(key))
                if norm:
                    emails.add(norm)
        self.persons: dict[str, Person] = {}
        self.changeable: set[int] = set()
        query = select(Person, true() if changeable is None else changeable)
        for chunk in _chunks(sorted(emails)):
            for person, may_change in db.session.execute(query.where(Person.email_normalized.in_(chunk))):
                self.persons[person.email_normalized] = person
                if may_change:
                    self.changeable.add(person.id)
        person_ids = sorted(p.id for p in self.persons.values())
        self.memberships: dict[int, list[Membership]] = defaultdict(list)
        for chunk in _chunks(person_ids):
            for membership in db.session.scalars(select(Membership).where(Membership.person_id.in_(chunk))):
                self.memberships[membership.person_id].append(membership)
        # Current managers, so comparing and updating does not load them one by one.
        manager_ids = sorted({p.manager_id for p in self.persons.values() if p.manager_id} - set(person_ids))
        for chunk in _chunks(manager_ids):
            list(db.session.scalars(select(Person).where(Person.id.in_(chunk))))

        organisations = list(db.session.scalars(select(Organisation)))
        self.org_by_number = {o.municipality_number: o for o in organisations if o.municipality_number}
        self.org_by_name = {match_key(o.name): o for o in organisations}
        self.workplaces: dict[tuple[int, str], Workplace] = {}
        self.workplaces_by_name: dict[str, list[Workplace]] = defaultdict(list)
        for workplace in db.session.scalars(select(Workplace)):
            self.workplaces[(workplace.organisation_id, match_key(workplace.name))] = workplace
            self.workplaces_by_name[match_key(workplace.name)].append(workplace)
        self.networks = list(db.session.scalars(select(Network).order_by(Network.id)))
        self.network_by_key: dict[str, Network] = {}
        for network in self.networks:
            for label in (network.short_name, network.name, network.slug):
                if label:
                    self.network_by_key[match_key(label)] = network
            self.network_by_key[network.slug.lower()] = network
        self.default_network = next((n for n in self.networks if n.is_default), None)
        self.sectors = sector_lookup()
        self.sector_names = sector_names_nb()
        self.labels = field_labels()  # translated once: gettext per row is slow at 10,000 rows
        self._emails: dict[str, bool] = {}

    def valid_email(self, value: str) -> bool:
        if value not in self._emails:
            self._emails[value] = check_email(value) is not None
        return self._emails[value]

    def organisation(self, value: str) -> Organisation | None:
        match = re.match(r"^\s*(\d{4})\b", value)
        if match and match.group(1) in self.org_by_number:
            return self.org_by_number[match.group(1)]
        return self.org_by_name.get(match_key(value))

    def network(self, value: str) -> Network | None:
        return self.network_by_key.get(value.strip().lower()) or self.network_by_key.get(match_key(value))

    def networks_in(self, cell: str) -> tuple[list[Network], list[str]]:
        """The networks named in a cell (slugs or names, separated by commas), and unknown names."""
        whole = self.network(cell)
        if whole is not None:
            return [whole], []
        found, unknown = [], []
        for part in re.split(r"[,;]", cell):
            part = part.strip()
            if not part:
                continue
            network = self.network(part)
            if network is None:
                unknown.append(part)
            elif network not in found:
                found.append(network)
        return found, unknown


def plan_import(parsed: ParsedFile, *, network: Network | None = None, coordinated_ids: frozenset[int] | None = None,
                changeable=None, progress: Callable[[int], None] | None = None) -> ImportPlan:
    """The dry run: what each row would do, and why a row is rejected. Writes nothing.

    `network` is the network chosen for rows that name none (the default network otherwise);
    `coordinated_ids` are the networks the importing user coordinates (None: every network);
    `changeable` is the SQL condition for the persons they may change (permissions.
    changeable_persons_clause; None: anyone). A row whose address belongs to anyone else is
    rejected without showing what the registry holds about them.
    """
    lookups = Lookups(parsed, changeable)
    chosen = network or lookups.default_network
    rows: list[RowPlan] = []
    by_email: dict[str, list[RowPlan]] = defaultdict(list)
    for index, (number, values) in enumerate(parsed.rows, start=1):
        plan = _plan_row(number, values, parsed, lookups, chosen, coordinated_ids)
        rows.append(plan)
        if plan.email_norm:
            by_email[plan.email_norm].append(plan)
        if progress is not None and index % 100 == 0:
            progress(100)
    if progress is not None and len(parsed.rows) % 100:
        progress(len(parsed.rows) % 100)
    for group in by_email.values():
        if len(group) > 1:
            numbers = ", ".join(str(r.row) for r in group)
            for plan in group:
                plan.errors.append(_("Samme e-postadresse står på flere rader i filen (rad %(rows)s). "
                                     "Slå radene sammen til én.", rows=numbers))
                plan.action = Action.REJECT
    return ImportPlan(parsed=parsed, rows=rows, network=chosen, lookups=lookups)


def _plan_row(number: int, values: dict[str, str], parsed: ParsedFile, lookups: Lookups,
              chosen: Network | None, coordinated_ids: frozenset[int] | None) -> RowPlan:
    plan = RowPlan(row=number, values=values)
    errors = plan.errors
    labels = lookups.labels
    first, last, email = values.get("first_name", ""), values.get("last_name", ""), values.get("email", "")

    if not first:
        errors.append(_("Fornavn mangler."))
    if not last:
        errors.append(_("Etternavn mangler."))
    for key, limit in MAX_LENGTHS.items():
        if len(values.get(key, "")) > limit:
            errors.append(_("%(field)s er for lang (høyst %(max)d tegn).", field=labels[key], max=limit))
    if not email:
        errors.append(_("E-post mangler."))
    elif not lookups.valid_email(email):
        errors.append(_("Ugyldig e-postadresse: «%(value)s».", value=email))
    else:
        plan.email_norm = services.normalize(email)

    person = lookups.persons.get(plan.email_norm) if plan.email_norm else None
    if person is not None:
        if person.status == PersonStatus.ERASED:
            errors.append(_("Personen med denne e-postadressen er slettet fra registeret og kan ikke importeres på nytt."))
        elif person.id not in lookups.changeable:
            errors.append(_("E-postadressen tilhører en person du ikke kan endre. Bare en administrator eller "
                            "personen selv kan endre den."))
            plan.out_of_scope = True
        plan.person = person

    percent = values.get("position_percent", "")
    if percent:
        plan.position_percent = _parse_percent(percent)
        if plan.position_percent is None:
            errors.append(_("Stillingsprosent må være et helt tall fra 1 til 100, ikke «%(value)s».", value=percent))

    status_word = values.get("status", "")
    target_status = None
    if status_word:
        target_status = STATUS_WORDS.get(status_word.strip().casefold())
        if target_status is None:
            errors.append(_("Ukjent status «%(value)s». Skriv aktiv eller sluttet.", value=status_word))

    sector = None
    if values.get("sector"):
        sector = lookups.sectors.get(match_key(values["sector"]))
        if sector is None:
            names = ", ".join(lookups.sector_names.values())
            errors.append(_("Ukjent sektor «%(value)s». Bruk en av disse: %(names)s.", value=values["sector"], names=names))

    _plan_workplace(plan, values, lookups, sector)

    manager_email = values.get("manager_email", "")
    if manager_email:
        if not lookups.valid_email(manager_email):
            errors.append(_("Ugyldig e-postadresse for leder: «%(value)s».", value=manager_email))
        elif services.normalize(manager_email) == plan.email_norm:
            errors.append(_("En person kan ikke være sin egen leder."))
        else:
            plan.manager_email = manager_email.strip()

    _plan_networks(plan, values, parsed, lookups, chosen, coordinated_ids, person, target_status)

    if errors:
        plan.action = Action.REJECT
        return plan
    if person is None:
        plan.action = Action.CREATE
        plan.status = PersonStatus.LEFT if target_status == PersonStatus.LEFT else None
        _describe_new(plan, lookups)
    else:
        _compare(plan, person, target_status, lookups)
    return plan


def _parse_percent(value: str) -> int | None:
    """1 to 100 in ASCII digits, with an optional % after it and zero decimals after a comma or a
    point (50, 50 %, 50,0); anything else (other digits, 1e2, 50,5) is None."""
    whole, point, decimals = value.replace("%", "").strip().replace(",", ".").partition(".")
    if point and (decimals.strip("0") or not all(ch in "0123456789" for ch in decimals)):
        return None
    return parse_int(whole, 1, 100)


def _plan_workplace(plan: RowPlan, values: dict[str, str], lookups: Lookups, sector: Sector | None) -> None:
    name = " ".join(values.get("workplace", "").split())
    where = values.get("municipality", "")
    organisation = None
    if where:
        organisation = lookups.organisation(where)
        if organisation is None:
            plan.errors.append(_("Ukjent kommune eller organisasjon: «%(value)s». Skriv kommunenavnet, "
                                 "kommunenummeret eller navnet på organisasjonen slik det står i registeret.", value=where))
            return
    if not name:
        if organisation is not None:
            plan.notes.append(_("Kommune brukes bare sammen med arbeidssted; arbeidsstedet endres ikke."))
        if sector is not None:
            plan.notes.append(_("Sektor brukes bare sammen med arbeidssted; den blir ikke lagret."))
        return
    if organisation is not None:
        workplace = lookups.workplaces.get((organisation.id, match_key(name)))
        if workplace is None:
            if organisation.valid_to is not None:
                # A workplace already there stays where it is; a new one goes in a municipality in force.
                plan.errors.append(_("%(municipality)s er ikke lenger en kommune (fra %(day)s). Skriv kommunen "
                                     "arbeidsstedet hører til nå.", municipality=organisation.name,
                                     day=format_date(organisation.valid_to)))
                return
            plan.new_workplace = (organisation, name, sector)
            return
    else:
        candidates = lookups.workplaces_by_name.get(match_key(name), [])
        if len(candidates) != 1:
            if candidates:
                plan.errors.append(_("Flere arbeidssteder heter «%(name)s». Skriv kommunen eller organisasjonen "
                                     "i kolonnen Kommune.", name=name))
            else:
                plan.errors.append(_("Ukjent arbeidssted «%(name)s». Skriv kommunen eller organisasjonen i kolonnen "
                                     "Kommune, så blir arbeidsstedet lagt inn.", name=name))
            return
        workplace = candidates[0]
    plan.workplace = workplace
    if sector is not None and workplace.sector is None:
        plan.set_sector = sector
    elif sector is not None and workplace.sector != sector:
        names = lookups.sector_names
        plan.notes.append(_("Arbeidsstedet står med sektor %(current)s i registeret; sektoren i filen (%(value)s) "
                            "brukes ikke.", current=names[workplace.sector], value=names[sector]))


def _plan_networks(plan: RowPlan, values: dict[str, str], parsed: ParsedFile, lookups: Lookups,
                   chosen: Network | None, coordinated_ids: frozenset[int] | None, person: Person | None,
                   target_status: PersonStatus | None) -> None:
    """Which networks the row joins: those in its Nettverk cell; otherwise the chosen (or default)
    network. A blank cell in a file that has the column leaves an existing person's networks as they are."""
    cell = values.get("network", "")
    if cell:
        networks, unknown = lookups.networks_in(cell)
        for name in unknown:
            plan.errors.append(_("Ukjent nettverk: «%(value)s».", value=name))
    elif person is not None and "network" in parsed.columns and not (
        person.status == PersonStatus.LEFT and target_status == PersonStatus.ACTIVE
    ):
        networks = []
    elif chosen is None:
        plan.errors.append(_("Ingen nettverk er valgt, og det finnes ikke noe standardnettverk."))
        networks = []
    else:
        networks = [chosen]
    for network in networks:
        if coordinated_ids is not None and network.id not in coordinated_ids:
            plan.errors.append(_("Du koordinerer ikke nettverket «%(name)s».", name=network.name))
            plan.out_of_scope = True
    plan.join = networks


def _describe_new(plan: RowPlan, lookups: Lookups) -> None:
    _describe_workplace(plan, lookups)
    if plan.manager_email and services.normalize(plan.manager_email) not in lookups.persons:
        plan.notes.append(_("Lederen %(email)s legges inn i registeret.", email=plan.manager_email))
    for network in plan.join:
        plan.changes.append(_("Blir med i nettverket %(name)s.", name=network.name))
    if plan.status == PersonStatus.LEFT:
        plan.changes.append(_("Registreres som sluttet."))


def _describe_workplace(plan: RowPlan, lookups: Lookups) -> None:
    if plan.new_workplace:
        org, name, sector = plan.new_workplace
        if sector is None:
            plan.notes.append(_("Nytt arbeidssted «%(name)s» under %(org)s, uten sektor: fullfør det under Arbeidssteder.",
                                name=name, org=org.name))
        else:
            plan.notes.append(_("Nytt arbeidssted «%(name)s» under %(org)s (%(sector)s).", name=name, org=org.name,
                                sector=lookups.sector_names[sector]))
    if plan.set_sector:
        plan.notes.append(_("Arbeidsstedet «%(name)s» får sektor %(sector)s.", name=plan.workplace.name,
                            sector=lookups.sector_names[plan.set_sector]))


def _compare(plan: RowPlan, person: Person, target_status: PersonStatus | None, lookups: Lookups) -> None:
    """An existing person: list what the row changes; a blank cell changes nothing."""
    labels = lookups.labels
    values = plan.values
    for key in ("first_name", "last_name", "phone", "profession"):
        new = values.get(key, "")
        old = getattr(person, key) or ""
        if new and new != old:
            plan.field_changes[key] = new
            plan.changes.append(_("%(field)s: «%(old)s» → «%(new)s»", field=labels[key], old=old, new=new))
    if plan.position_percent is not None and plan.position_percent != person.position_percent:
        plan.field_changes["position_percent"] = plan.position_percent
        plan.changes.append(_("%(field)s: «%(old)s» → «%(new)s»", field=labels["position_percent"],
                              old=person.position_percent or "", new=plan.position_percent))
    if plan.new_workplace or (plan.workplace is not None and plan.workplace is not person.workplace):
        new_name = plan.new_workplace[1] if plan.new_workplace else plan.workplace.name
        old_name = person.workplace.name if person.workplace else ""
        plan.field_changes["workplace"] = True
        plan.changes.append(_("%(field)s: «%(old)s» → «%(new)s»", field=labels["workplace"], old=old_name, new=new_name))
    if plan.manager_email:
        current = person.manager.email_normalized if person.manager else None
        if services.normalize(plan.manager_email) != current:
            plan.field_changes["manager"] = True
            old = person.manager.email if person.manager else ""
            plan.changes.append(_("%(field)s: «%(old)s» → «%(new)s»", field=labels["manager_email"], old=old or "",
                                  new=plan.manager_email))
            if services.normalize(plan.manager_email) not in lookups.persons:
                plan.notes.append(_("Lederen %(email)s legges inn i registeret.", email=plan.manager_email))
    _describe_workplace(plan, lookups)

    if target_status == PersonStatus.LEFT and person.status == PersonStatus.ACTIVE:
        plan.status = PersonStatus.LEFT
        plan.changes.append(_("Registreres som sluttet."))
    elif target_status == PersonStatus.ACTIVE and person.status == PersonStatus.LEFT:
        plan.status = PersonStatus.ACTIVE
        plan.changes.append(_("Registreres som aktiv igjen."))
    final_status = plan.status or person.status
    joins = []
    if final_status == PersonStatus.ACTIVE:
        current = {m.network_id for m in lookups.memberships.get(person.id, []) if m.end_date is None}
        joins = [n for n in plan.join if n.id not in current]
    plan.join = joins
    for network in joins:
        plan.changes.append(_("Blir med i nettverket %(name)s.", name=network.name))
    plan.action = Action.UPDATE if (plan.changes or plan.set_sector) else Action.UNCHANGED

