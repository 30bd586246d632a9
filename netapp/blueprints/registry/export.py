"""The registry's export, in CSV and XLSX, in the import's columns: an exported file imports
again unchanged."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from netapp.blueprints.registry.columns import HEADERS, STATUS_EXPORT, sector_names_nb
from netapp.blueprints.registry.models import Membership, Network, Person, PersonStatus
from netapp.blueprints.registry.queries import person_select
from netapp.extensions import db
from netapp.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE, to_csv, to_xlsx
from netapp.timeutil import today_oslo


def export_rows(visible_clause, network_ids: frozenset[int] | None, network: Network | None = None) -> list[list[str]]:
    """Every person the user may see, one row each, in the import's columns: an exported file
    imports again unchanged. Nettverk lists the slugs of the visible networks the person is a
    current member of (for someone who has left: the networks they were in)."""
    query = person_select().where(visible_clause, Person.status != PersonStatus.ERASED)
    if network is not None:
        query = query.where(Person.id.in_(select(Membership.person_id).where(Membership.network_id == network.id)))
    persons = list(db.session.scalars(query.order_by(Person.last_name, Person.first_name, Person.id)).unique())

    membership_query = select(Membership.person_id, Network.slug, Membership.end_date).join(Network).order_by(Network.slug)
    if network_ids is not None:
        membership_query = membership_query.where(Membership.network_id.in_(network_ids))
    current: dict[int, list[str]] = defaultdict(list)
    past: dict[int, list[str]] = defaultdict(list)
    for person_id, slug, end_date in db.session.execute(membership_query):
        target = current if end_date is None else past
        if slug not in target[person_id]:
            target[person_id].append(slug)

    sectors = sector_names_nb()
    rows = []
    for p in persons:
        workplace = p.workplace
        slugs = current.get(p.id, [])
        if p.status == PersonStatus.LEFT and not slugs:
            slugs = past.get(p.id, [])
        values = [
            p.first_name, p.last_name, p.email or "", p.phone or "", p.profession or "",
            workplace.name if workplace else "", workplace.organisation.name if workplace else "",
            sectors[workplace.sector] if workplace and workplace.sector else "",
            (p.manager.email or "") if p.manager else "",
            str(p.position_percent) if p.position_percent is not None else "",
            ", ".join(slugs), STATUS_EXPORT.get(p.status, ""),
        ]
        rows.append(values)
    return rows



def export_persons(fmt: str, visible_clause, network_ids: frozenset[int] | None,
                   network: Network | None = None) -> tuple[bytes, str, str, int]:
    """The export as (content, filename, mimetype, number of persons)."""
    rows = export_rows(visible_clause, network_ids, network)
    stem = f"register-{network.slug}" if network else "register"
    filename = f"{stem}-{today_oslo().isoformat()}.{fmt}"
    if fmt == "xlsx":
        return _xlsx(rows), filename, XLSX_MIMETYPE, len(rows)
    return to_csv(rows, HEADERS), filename, CSV_MIMETYPE, len(rows)


def template_file(fmt: str) -> tuple[bytes, str, str]:
    """An empty file with the accepted headers, to fill in."""
    if fmt == "xlsx":
        return _xlsx([]), "importmal.xlsx", XLSX_MIMETYPE
    return to_csv([], HEADERS), "importmal.csv", CSV_MIMETYPE


def _xlsx(rows: list[list[str]]) -> bytes:
    return to_xlsx(rows, HEADERS, title="Personer", numbers=("Stillingsprosent",))
