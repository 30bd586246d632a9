"""The audit log in words: the log stores class and attribute names (Person, workplace_id); the
page shows what the interface calls them. One place for every domain's tracked models, so the
same column has the same name everywhere in the log; tests/test_audit_words.py walks every
tracked model, so a new one, or a new column, cannot be left without its words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def action_names() -> dict:
    return {"create": _l("laget"), "update": _l("endret"), "delete": _l("slettet"),
            "erase": _l("personopplysninger slettet")}


def object_type_names() -> dict:
    return {
        "Person": _l("Person"),
        "Membership": _l("Medlemskap"),
        "Network": _l("Nettverk"),
        "Organisation": _l("Organisasjon"),
        "Workplace": _l("Arbeidssted"),
        "County": _l("Fylke"),
        "Event": _l("Arrangement"),
        "EventRegistration": _l("Påmelding til arrangement"),
        "Registration": _l("Søknad om å bli med"),
        "Invitation": _l("Invitasjon"),
        "Questionnaire": _l("Evaluering"),
        "Question": _l("Spørsmål"),
        "User": _l("Konto"),
    }


def field_names() -> dict:
    """Attribute name -> words; the same attribute means the same thing in every table."""
    return {
        "id": _l("Nr."),
        # persons, memberships, accounts
        "first_name": _l("Fornavn"), "last_name": _l("Etternavn"), "email": _l("E-post"), "phone": _l("Telefon"),
        "profession": _l("Yrke"), "workplace_id": _l("Arbeidssted"), "manager_id": _l("Leder"),
        "position_percent": _l("Stillingsprosent"), "public_consent": _l("Offentlig oppføring"),
        "is_manager": _l("Er leder"), "status": _l("Status"), "active_from": _l("Aktiv fra"), "left_on": _l("Sluttet"),
        "person_id": _l("Person"), "network_id": _l("Nettverk"), "role": _l("Rolle"), "start_date": _l("Fra"),
        "end_date": _l("Til"), "is_admin": _l("Administrator"), "language": _l("Språk"),
        # networks, organisations, workplaces
        "slug": _l("Adresse"), "name": _l("Navn"), "short_name": _l("Kortnavn"), "description": _l("Beskrivelse"),
        "contact_email": _l("Kontaktadresse"), "is_default": _l("Standardnettverk"), "logo": _l("Logo"),
        "logo_type": _l("Logoens filtype"), "logo_hash": _l("Logoens kontrollsum"), "colour": _l("Farge"),
        "kind": _l("Type"), "municipality_number": _l("Kommunenummer"), "number": _l("Nummer"),
        "county_id": _l("Fylke"), "municipality_id": _l("Kommune"), "valid_to": _l("Gyldig til"),
        "organisation_id": _l("Organisasjon"), "sector": _l("Sektor"), "leader_id": _l("Leder av arbeidsstedet"),
        "region": _l("Region"),
        # events
        "title": _l("Tittel"), "theme": _l("Tema"), "location": _l("Sted"), "starts_at": _l("Starter"),
        "ends_at": _l("Slutter"), "registration_deadline": _l("Påmeldingsfrist"), "capacity": _l("Antall plasser"),
        "is_public": _l("Offentlig"), "cancelled_at": _l("Avlyst"), "attendance_closed_at": _l("Oppmøtelisten stengt"),
        "reminder_sent_at": _l("Påminnelse sendt"), "ics_sequence": _l("Kalenderversjon"),
        "attendance": _l("Oppmøte"), "event_id": _l("Arrangement"), "registered_at": _l("Påmeldt"),
        "attended": _l("Deltok"),
        # joining
        "new_workplace_name": _l("Nytt arbeidssted"), "new_workplace_organisation_id": _l("Nytt arbeidssteds organisasjon"),
        "new_workplace_sector": _l("Nytt arbeidssteds sektor"), "manager_name": _l("Leders navn"),
        "manager_email": _l("Leders e-post"), "manager_token_hash": _l("Lenke til lederen"),
        "manager_confirmed_at": _l("Bekreftet av lederen"), "invitation_id": _l("Invitasjon"),
        "decided_at": _l("Avgjort"), "decided_by_id": _l("Avgjort av"), "reject_reason": _l("Begrunnelse for avslag"),
        "token_hash": _l("Lenke"), "invited_by_id": _l("Invitert av"), "message": _l("Melding"),
        "expires_at": _l("Utløper"), "used_at": _l("Brukt"),
        # evaluations
        "intro": _l("Innledning"), "opened_at": _l("Åpnet"), "closed_at": _l("Lukket"),
        "questionnaire_id": _l("Evaluering"), "position": _l("Rekkefølge"), "text": _l("Tekst"),
        "required": _l("Må besvares"),
    }


def fields_in_words(fields: str, names: dict) -> str:
    """An entry's "workplace_id, phone" as "Arbeidssted, Telefon"."""
    return ", ".join(str(names.get(name, name)) for name in (part.strip() for part in fields.split(",")) if name)
