"""Import of persons: file formats, the dry run row by row, and what a clean file changes."""

from __future__ import annotations

import codecs
import io
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select

from netapp.blueprints.registry import services
from netapp.blueprints.registry.import_apply import apply_import
from netapp.blueprints.registry.import_parse import ImportFileError, parse_file
from netapp.blueprints.registry.import_plan import Action, ImportPlan, plan_import
from netapp.blueprints.registry.models import (
    Assignment,
    Membership,
    MembershipRole,
    OrganisationKind,
    Person,
    PersonStatus,
    Sector,
    Workplace,
)
from netapp.extensions import db
from netapp.permissions import changeable_persons_clause
from tests import factories

HEADER = "Fornavn;Etternavn;E-post;Telefon;Yrke;Arbeidssted;Kommune;Leder e-post;Stillingsprosent"


@pytest.fixture
def world(app):
    return build_world()


def build_world() -> SimpleNamespace:
    """Two networks (the first is the default), three municipalities, a hospital department, an NGO."""
    regional = factories.make_network("regionalt", default=True)
    group = factories.make_network("gruppe")
    stavanger = services.get_or_create_municipality("1103", "Stavanger")
    haa = services.get_or_create_municipality("1119", "Hå")
    sandnes = services.get_or_create_municipality("1108", "Sandnes")
    hospital = factories.make_organisation("Stavanger universitetssjukehus, Barne- og ungdomsklinikken")
    ngo = factories.make_organisation("Kreftomsorg Rogaland", OrganisationKind.NGO)
    madla = factories.make_workplace(stavanger, "Madla avlastningsbolig", Sector.HEALTH_CARE)
    nursery = factories.make_workplace(haa, "Hå barnehage", Sector.EDUCATION)
    db.session.commit()
    return SimpleNamespace(regional=regional, group=group, stavanger=stavanger, haa=haa, sandnes=sandnes,
                           hospital=hospital, ngo=ngo, madla=madla, nursery=nursery)


def csv_bytes(*lines: str, encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(lines).encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plan_of(content: bytes, filename: str = "personer.csv", **kwargs) -> ImportPlan:
    return plan_import(parse_file(content, filename), **kwargs)


def import_file(content: bytes, filename: str = "personer.csv", **kwargs) -> dict:
    plan = plan_of(content, filename, **kwargs)
    assert plan.ok, [(r.row, r.errors) for r in plan.rejected]
    counts = apply_import(plan)
    db.session.commit()
    return counts


def person(email: str) -> Person | None:
    db.session.expire_all()
    return db.session.scalar(select(Person).where(Person.email_normalized == email.lower()))


def networks_of(p: Person) -> set[str]:
    return {m.network.slug for m in p.memberships if m.end_date is None and m.role == MembershipRole.RESOURCE_PERSON}


def person_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Person.id)))


# ---------------------------------------------------------------- formats

def test_windows_1252_semicolon_file_with_norwegian_letters(world):
    content = csv_bytes(
        HEADER,
        "Åse;Ødegård;ase.odegard@ha.example;51 00 00 01;Barnehagelærer;Hå barnehage;Hå;;80",
        "Bjørn;Kvæstad;bjorn.kvaestad@stavanger.example;;Sykepleier;Madla avlastningsbolig;1103;;",
        encoding="cp1252",
    )
    assert content.decode("cp1252")  # really Windows-1252, not valid UTF-8
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    parsed = parse_file(content, "Personer.CSV")
    assert (parsed.encoding, parsed.delimiter) == ("Windows-1252", ";")

    counts = import_file(content)

    assert counts["created"] == 2
    ase = person("ase.odegard@ha.example")
    assert (ase.first_name, ase.last_name, ase.profession) == ("Åse", "Ødegård", "Barnehagelærer")
    assert ase.workplace.name == "Hå barnehage" and ase.workplace.organisation.name == "Hå"
    assert ase.position_percent == 80 and ase.phone == "51 00 00 01"
    assert person("bjorn.kvaestad@stavanger.example").workplace.name == "Madla avlastningsbolig"
    assert networks_of(ase) == {"regionalt"}


def test_utf8_bom_semicolon_file(world):
    content = csv_bytes(HEADER, "Øystein;Sæland;oystein.saeland@sandnes.example;;Vernepleier;;;;")
    assert content.startswith(codecs.BOM_UTF8)
    parsed = parse_file(content, "eksport.csv")
    assert parsed.encoding == "UTF-8 med BOM"
    assert list(parsed.columns)[0] == "first_name"  # the BOM is not part of the first header

    import_file(content)

    assert person("oystein.saeland@sandnes.example").last_name == "Sæland"


def test_comma_separated_utf8_file_with_english_headers(world):
    content = csv_bytes(
        " First_Name , LAST_NAME,Email,phone,Profession,Workplace,Municipality,Sector,position_percent,network",
        'Kari,Nordmann,kari@sandnes.example,"+47 22 33 44 55",Helsesykepleier,Helsestasjonen,Sandnes,Helse og omsorg,50,gruppe',
        encoding="utf-8",
    )
    parsed = parse_file(content, "people.csv")
    assert (parsed.encoding, parsed.delimiter) == ("UTF-8", ",")

    import_file(content)

    kari = person("kari@sandnes.example")
    assert kari.phone == "+47 22 33 44 55"
    assert kari.workplace.organisation.name == "Sandnes" and kari.workplace.sector == Sector.HEALTH_CARE
    assert kari.position_percent == 50
    assert networks_of(kari) == {"gruppe"}


def test_xlsx_file_with_numbers_in_cells(world):
    content = xlsx_bytes([
        ["Fornavn", "Etternavn", "E-post", "Telefon", "Stillingsprosent", "Arbeidssted", "Kommune"],
        [None, None, None, None, None, None, None],  # a blank row is skipped
        ["Ingrid", "Håland", "ingrid.haland@ha.example", 51000002, 60, "Hå barnehage", 1119],
    ])

    plan = plan_of(content, "liste.xlsx")
    assert plan.parsed.kind == "xlsx"
    assert [r.row for r in plan.rows] == [3]  # the file's own row number
    import_file(content, "liste.xlsx")

    ingrid = person("ingrid.haland@ha.example")
    assert ingrid.phone == "51000002" and ingrid.position_percent == 60
    assert ingrid.workplace.name == "Hå barnehage"


def test_a_title_above_the_headers_is_skipped(world):
    content = xlsx_bytes([
        ["Ressurspersoner 2025"],
        ["Fornavn", "Etternavn", "E-post", "Kommune", "Arbeidssted"],
        ["Tone", "Tittel", "tone@x.example", "1103 Stavanger", "Madla avlastningsbolig"],
    ])
    plan = plan_of(content, "med-tittel.xlsx")
    assert plan.ok and [r.row for r in plan.rows] == [3]
    assert plan.rows[0].workplace == world.madla


def test_unknown_columns_are_reported_once_and_ignored(world):
    content = csv_bytes("Fornavn;Etternavn;E-post;Fødselsdato;Kommentar",
                        "Per;Hansen;per@x.example;;", "Pål;Hansen;pal@x.example;;")
    plan = plan_of(content)
    assert plan.parsed.ignored == ["Fødselsdato", "Kommentar"]
    assert plan.ok


@pytest.mark.parametrize("content, filename, message", [
    (b"", "tom.csv", "Filen er tom"),
    (b"Fornavn;Etternavn;E-post\r\n", "bare-overskrift.csv", "ingen rader med personer"),
    (b"Fornavn;E-post\r\nPer;per@x.example", "mangler.csv", "mangler kolonnen Etternavn"),
    (b"Navn;Adresse\r\nPer;Gata 1", "feil.csv", "mangler kolonnen Fornavn, Etternavn, E-post"),
    (b"Fornavn;Etternavn;E-post;Email\r\nPer;H;a@x.example;b@x.example", "dobbel.csv", "står to ganger"),
    (bytes(range(256)) * 20, "søppel.csv", "ikke en tekstfil"),
    (b"\xef\xbb\xbfFornavn;Etternavn;E-post\r\n\x81\xff;B;c@x.example", "halv-bom.csv", "kan ikke leses"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "bilde.png", "Filtypen støttes ikke"),
    (b"%PDF-1.4 ...", "liste.pdf", "Filtypen støttes ikke"),
    (b"\xd0\xcf\x11\xe0 old excel", "gammel.xls", "(.xls) støttes ikke"),
    (b"Fornavn;Etternavn;E-post", "ikke-excel.xlsx", "ikke en Excel-arbeidsbok"),
    (b"PK\x03\x04 not really a zip", "ødelagt.xlsx", "kan ikke leses som Excel"),
    (b"PK\x03\x04 a zip", "feil-endelse.csv", "er en Excel-arbeidsbok"),
])
def test_files_that_cannot_be_imported_are_refused_with_a_message(world, content, filename, message):
    with pytest.raises(ImportFileError) as refused:
        parse_file(content, filename)
    assert message in str(refused.value)


def test_too_many_rows_are_refused(world):
    content = csv_bytes("Fornavn;Etternavn;E-post", *[f"A;B;a{i}@x.example" for i in range(6)])
    with pytest.raises(ImportFileError, match="mer enn 5 rader"):
        parse_file(content, "stor.csv", max_rows=5)
    assert len(parse_file(content, "stor.csv", max_rows=6).rows) == 6


# ---------------------------------------------------------------- rejected rows

def test_bad_rows_are_each_reported_and_nothing_is_imported(world):
    content = csv_bytes(
        "Fornavn;Etternavn;E-post;Kommune;Arbeidssted;Stillingsprosent;Nettverk;Status;Sektor;Leder e-post",
        "God;Rad;god.rad@x.example;Stavanger;Madla avlastningsbolig;50;;;;",
        "Ugyldig;Epost;ikke-en-epost;;;;;;;",
        ";Utennavn;utennavn@x.example;;;;;;;",
        "Ukjent;Kommune;ukjent.kommune@x.example;Atlantis;Noe;;;;;",
        "Ukjent;Nettverk;ukjent.nettverk@x.example;;;;finnes-ikke;;;",
        "For;Mye;for.mye@x.example;;;150;;;;",
        "Rar;Status;rar.status@x.example;;;;;kanskje;;",
        "Rar;Sektor;rar.sektor@x.example;Sandnes;Ny skole;;;;Romfart;",
        "Egen;Leder;egen.leder@x.example;;;;;;;EGEN.LEDER@x.example",
        "Uten;Kommune;uten.kommune@x.example;;Et ukjent sted;;;;;",
    )
    before = person_count()

    plan = plan_of(content)

    reasons = {r.row: " ".join(r.errors) for r in plan.rejected}
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert "Ugyldig e-postadresse" in reasons[3]
    assert "Fornavn mangler" in reasons[4]
    assert "Ukjent kommune eller organisasjon: «Atlantis»" in reasons[5]
    assert "Ukjent nettverk: «finnes-ikke»" in reasons[6]
    assert "fra 1 til 100" in reasons[7]
    assert "Ukjent status «kanskje»" in reasons[8]
    assert "Ukjent sektor «Romfart»" in reasons[9]
    assert "sin egen leder" in reasons[10]
    assert "Ukjent arbeidssted «Et ukjent sted»" in reasons[11]
    assert plan.counts == {"create": 1, "update": 0, "unchanged": 0, "reject": 9}
    assert not plan.ok
    with pytest.raises(ValueError):
        apply_import(plan)
    assert person_count() == before


def test_the_same_email_twice_in_a_file_rejects_both_rows(world):
    content = csv_bytes("Fornavn;Etternavn;E-post", "Ola;En;ola@x.example", "Kari;To;kari@x.example",
                        "Ola;Igjen;OLA@X.example")
    plan = plan_of(content)
    assert [r.row for r in plan.rejected] == [2, 4]
    assert all("flere rader i filen (rad 2, 4)" in r.errors[0] for r in plan.rejected)
    assert plan.count(Action.CREATE) == 1


def test_long_values_are_rejected_not_truncated(world):
    content = csv_bytes("Fornavn;Etternavn;E-post;Telefon", f"{'A' * 101};B;a@x.example;{'1' * 41}")
    errors = " ".join(plan_of(content).rejected[0].errors)
    assert "Fornavn er for lang (høyst 100 tegn)" in errors and "Telefon er for lang (høyst 40 tegn)" in errors


# ---------------------------------------------------------------- updates

def test_an_existing_email_in_other_letter_case_updates_the_person_and_keeps_history(world):
    kari = factories.make_person(world.regional, first_name="Kari", last_name="Vik", email="kari.vik@x.example",
                                 workplace=world.madla, phone="111")
    db.session.commit()
    content = csv_bytes("Fornavn;Etternavn;E-post;Telefon;Arbeidssted;Kommune;Leder e-post",
                        "Kari;Vik;KARI.Vik@X.example;222;Hå barnehage;Hå;sjef@x.example")
    before = person_count()

    plan = plan_of(content)
    row = plan.rows[0]
    assert row.action == Action.UPDATE
    assert any("Telefon: «111» → «222»" in c for c in row.changes)
    assert any("Madla avlastningsbolig" in c and "Hå barnehage" in c for c in row.changes)
    apply_import(plan)
    db.session.commit()

    kari = person("kari.vik@x.example")
    assert kari.email == "kari.vik@x.example"  # the stored address is kept
    assert kari.phone == "222" and kari.workplace.name == "Hå barnehage"
    assert kari.manager.email == "sjef@x.example" and kari.manager.is_manager
    assert person_count() == before + 1  # only the new manager
    history = db.session.scalars(select(Assignment).where(Assignment.person_id == kari.id)
                                 .order_by(Assignment.id)).all()
    assert [a.workplace.name for a in history] == ["Madla avlastningsbolig", "Hå barnehage"]
    assert history[0].valid_to is not None and history[1].valid_to is None


def test_blank_cells_change_nothing_and_an_identical_row_is_unchanged(world):
    factories.make_person(world.regional, first_name="Liv", last_name="Moe", email="liv@x.example",
                          workplace=world.madla, phone="123", profession="Sykepleier", position_percent=80)
    db.session.commit()
    content = csv_bytes(HEADER, "Liv;Moe;liv@x.example;;;;;;", "Liv2;Moe;ny@x.example;;;;;;")
    plan = plan_of(content)
    assert [r.action for r in plan.rows] == [Action.UNCHANGED, Action.CREATE]
    import_file(content)
    liv = person("liv@x.example")
    assert (liv.phone, liv.profession, liv.position_percent, liv.workplace.name) == ("123", "Sykepleier", 80,
                                                                                     "Madla avlastningsbolig")


def test_status_column_registers_leaving_and_return(world):
    factories.make_person(world.regional, first_name="Siv", last_name="Ask", email="siv@x.example")
    gone = factories.make_person(world.regional, first_name="Tor", last_name="Ask", email="tor@x.example")
    services.deactivate_person(gone)
    db.session.commit()
    content = csv_bytes("Fornavn;Etternavn;E-post;Status", "Siv;Ask;siv@x.example;sluttet",
                        "Tor;Ask;tor@x.example;Active", "Ny;Men gått;gatt@x.example;left")

    import_file(content)

    assert person("siv@x.example").status == PersonStatus.LEFT
    tor = person("tor@x.example")
    assert tor.status == PersonStatus.ACTIVE and networks_of(tor) == {"regionalt"}
    gatt = person("gatt@x.example")
    assert gatt.status == PersonStatus.LEFT and gatt.memberships[0].network.slug == "regionalt"


# ---------------------------------------------------------------- workplaces, managers, networks

def test_unknown_workplace_is_created_with_the_sector_from_the_file(world):
    content = csv_bytes("Fornavn;Etternavn;E-post;Arbeidssted;Kommune;Sektor",
                        "Anne;Lie;anne@x.example;Lura skole;Sandnes;Oppvekst og utdanning",
                        "Arne;Lie;arne@x.example;Lura skole;1108;",
                        "Per;Lie;per@x.example;Barnepalliativt team;stavanger universitetssjukehus, barne- og ungdomsklinikken;specialist",
                        "Pia;Lie;pia@x.example;Frivilligsentralen;Kreftomsorg Rogaland;")
    plan = plan_of(content)
    assert ("Lura skole", "Sandnes", Sector.EDUCATION) in plan.new_workplaces
    counts = import_file(content)

    assert counts["workplaces"] == 3 and counts["workplaces_without_sector"] == 1
    anne, arne = person("anne@x.example"), person("arne@x.example")
    assert anne.workplace is arne.workplace  # created once
    assert anne.workplace.sector == Sector.EDUCATION and anne.workplace.organisation.name == "Sandnes"
    assert person("per@x.example").workplace.organisation == world.hospital
    assert person("per@x.example").workplace.sector == Sector.SPECIALIST
    pia = person("pia@x.example")
    assert pia.workplace.organisation.name == "Kreftomsorg Rogaland" and pia.workplace.sector is None


def test_unknown_workplace_without_sector_is_listed_for_the_coordinator_to_complete(world, client, login):
    coordinator = factories.make_coordinator(world.regional, "koord@x.example")
    db.session.commit()
    import_file(csv_bytes("Fornavn;Etternavn;E-post;Arbeidssted;Kommune", "Eva;Ree;eva@x.example;Nytt sted;Hå"))
    login(coordinator.email)
    page = client.get("/registry/workplaces?incomplete=1").get_data(as_text=True)
    assert "Nytt sted" in page and "Madla avlastningsbolig" not in page


def test_sector_fills_in_an_existing_workplace_that_has_none(world):
    blank = factories.make_workplace(world.sandnes, "Sandnes PPT", sector=None)
    db.session.commit()
    import_file(csv_bytes("Fornavn;Etternavn;E-post;Arbeidssted;Kommune;Sektor",
                          "Ida;Ree;ida@x.example;Sandnes PPT;Sandnes;Oppvekst og utdanning"))
    db.session.expire_all()
    assert db.session.get(Workplace, blank.id).sector == Sector.EDUCATION


def test_managers_are_found_by_email_created_or_taken_from_the_file(world):
    boss = factories.make_person(first_name="Berit", last_name="Sjef", email="berit.sjef@x.example")
    db.session.commit()
    content = csv_bytes("Fornavn;Etternavn;E-post;Leder e-post",
                        "A;En;a@x.example;BERIT.SJEF@x.example",
                        "B;To;b@x.example;leder.i.filen@x.example",
                        "Leder;I Filen;leder.i.filen@x.example;",
                        "C;Tre;c@x.example;helt.ny@x.example")
    before = person_count()
    import_file(content)

    # Naming an existing person as manager leaves their record as it is: they are a manager by being named.
    assert person("a@x.example").manager.id == boss.id and not person("berit.sjef@x.example").is_manager
    assert person("b@x.example").manager.last_name == "I Filen"
    assert person("c@x.example").manager.email == "helt.ny@x.example"
    assert person_count() == before + 5  # four rows and one new manager


def test_default_network_chosen_network_and_network_column(world):
    # No network given, no column: the default network.
    import_file(csv_bytes("Fornavn;Etternavn;E-post", "Default;Nett;default@x.example"))
    assert networks_of(person("default@x.example")) == {"regionalt"}
    # A chosen network (the CLI's --network, the web form's select).
    import_file(csv_bytes("Fornavn;Etternavn;E-post", "Valgt;Nett;valgt@x.example"), network=world.group)
    assert networks_of(person("valgt@x.example")) == {"gruppe"}
    # The row's own Nettverk cell wins; a blank cell falls back to the chosen network; names work too.
    import_file(csv_bytes("Fornavn;Etternavn;E-post;Nettverk",
                          f"Kolonne;Nett;kolonne@x.example;{world.group.name}",
                          "To;Nett;to@x.example;regionalt, gruppe",
                          "Tom;Celle;tom@x.example;"), network=world.regional)
    assert networks_of(person("kolonne@x.example")) == {"gruppe"}
    assert networks_of(person("to@x.example")) == {"regionalt", "gruppe"}
    assert networks_of(person("tom@x.example")) == {"regionalt"}


def test_existing_person_joins_the_network_but_blank_network_cell_keeps_networks(world):
    factories.make_person(world.group, first_name="Mia", last_name="Bø", email="mia@x.example")
    factories.make_person(world.group, first_name="Ola", last_name="Bø", email="ola@x.example")
    db.session.commit()
    plan = plan_of(csv_bytes("Fornavn;Etternavn;E-post", "Mia;Bø;mia@x.example"))
    assert plan.rows[0].action == Action.UPDATE
    assert plan.rows[0].changes == [f"Blir med i nettverket {world.regional.name}."]
    import_file(csv_bytes("Fornavn;Etternavn;E-post", "Mia;Bø;mia@x.example"))
    assert networks_of(person("mia@x.example")) == {"gruppe", "regionalt"}

    plan = plan_of(csv_bytes("Fornavn;Etternavn;E-post;Nettverk", "Ola;Bø;ola@x.example;"))
    assert plan.rows[0].action == Action.UNCHANGED


def test_imported_persons_are_resource_persons_at_once(world):
    import_file(csv_bytes("Fornavn;Etternavn;E-post", "Rask;Medlem;rask@x.example"))
    membership = db.session.scalar(select(Membership).join(Person).where(Person.email_normalized == "rask@x.example"))
    assert membership.role == MembershipRole.RESOURCE_PERSON and membership.end_date is None
    assert person("rask@x.example").status == PersonStatus.ACTIVE


def test_a_coordinator_cannot_import_into_a_network_they_do_not_coordinate(world):
    outsider = factories.make_person(world.group, first_name="Ute", last_name="Ander", email="ute@x.example")
    db.session.commit()
    only_group = frozenset({world.group.id})
    content = csv_bytes("Fornavn;Etternavn;E-post;Nettverk", "Inn;Til;inn@x.example;regionalt",
                        "Egen;Gruppe;egen@x.example;gruppe")
    plan = plan_of(content, coordinated_ids=only_group)
    assert [r.row for r in plan.rejected] == [2]
    assert "Du koordinerer ikke nettverket" in plan.rejected[0].errors[0]
    # Nor update someone who belongs only to a network they do not coordinate.
    coordinator = factories.make_coordinator(world.regional, "k@x.example")
    db.session.commit()
    plan = plan_of(csv_bytes("Fornavn;Etternavn;E-post", f"Ute;Ander;{outsider.email}"),
                   coordinated_ids=frozenset({world.regional.id}), changeable=changeable_persons_clause(coordinator))
    assert "E-postadressen tilhører en person du ikke kan endre" in plan.rejected[0].errors[0]
    assert plan.out_of_scope


# ---------------------------------------------------------------- formula injection and performance

def test_a_leading_apostrophe_before_a_formula_character_is_stripped(world):
    import_file(csv_bytes("Fornavn;Etternavn;E-post;Telefon;Yrke",
                          "Eva;'=Lie;eva@x.example;'+47 900 00 000;'Noen"))
    eva = person("eva@x.example")
    assert (eva.last_name, eva.phone, eva.profession) == ("=Lie", "+47 900 00 000", "'Noen")


def test_planning_preloads_instead_of_querying_per_row(world, count_queries):
    for i in range(50):
        factories.make_person(world.regional, email=f"finnes{i}@x.example", workplace=world.madla)
    db.session.commit()
    lines = [f"Ny{i};Person;ny{i}@x.example;;;Madla avlastningsbolig;Stavanger;finnes{i % 50}@x.example;"
             for i in range(1000)]
    lines += [f"Finnes{i};Person;FINNES{i}@x.example;;;Hå barnehage;Hå;;50" for i in range(50)]
    content = csv_bytes(HEADER, *lines)
    db.session.expire_all()

    with count_queries() as planning:
        plan = plan_of(content)
    assert plan.counts["create"] == 1000 and plan.counts["update"] == 50
    assert planning() < 20

    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        apply_import(plan)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    db.session.commit()
    # Writes cost what they cost; lookups do not grow with the rows (each update goes through
    # services.update_person, which checks the e-mail once: 50 of the selects).
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) < 50 + 10
    assert person_count() == 1050
