from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from netapp.validators import ValidEmail, int_choice
from netapp.versioning import VersionField


def int_or_none(value) -> int:
    """coerce= for a required numeric select whose first option, "choose ...", has the empty value
    (HTML wants it so): the empty value is 0, which the required check refuses."""
    return 0 if value in ("", None) else int_choice(value)


DESCRIPTION_HELP = _l("Vises på nettverkets offentlige side. Skriv aldri opplysninger om pasienter eller barn her.")


class NetworkAboutForm(FlaskForm):
    """What a network's coordinators change: its description and contact address."""

    description = TextAreaField(_l("Om nettverket"), validators=[Optional(), Length(max=5000)],
                                description=DESCRIPTION_HELP, render_kw={"rows": 6})
    contact_email = EmailField(_l("Kontaktadresse"), validators=[Optional(), Length(max=254), ValidEmail()],
                               description=_l("E-postadressen folk kan skrive til om nettverket."))


class NetworkForm(NetworkAboutForm):
    """A network for an administrator; the region's checkboxes are read beside the form."""

    name = StringField(_l("Navn"), validators=[DataRequired(_l("Skriv nettverkets navn.")), Length(max=200)],
                       description=_l("For eksempel Tverrfaglig nettverk i barnepalliasjon Sør-Rogaland."))
    short_name = StringField(_l("Kort navn"), validators=[Optional(), Length(max=80)],
                             description=_l("Vises i menyen og i e-poster, for eksempel Barnepalliasjon Sør-Rogaland."))
    slug = StringField(_l("Kortnavn i adressen"), validators=[DataRequired(_l("Skriv kortnavnet i adressen.")),
                                                             Length(max=80)],
                       description=_l("Små bokstaver a–z, sifre og bindestrek, for eksempel sor-rogaland."))
    is_default = BooleanField(_l("Standardnettverket"),
                              description=_l("Nettverket nye ressurspersoner melder seg på i når de ikke velger selv."))

    field_order = ("name", "short_name", "slug", "description", "contact_email", "is_default")

    def __iter__(self):
        named = [self[name] for name in self.field_order]
        return iter([f for f in super().__iter__() if f.name not in self.field_order] + named)


class OrganisationForm(FlaskForm):
    name = StringField(_l("Navn"), validators=[DataRequired(_l("Skriv navnet.")), Length(max=200)],
                       description=_l("For eksempel Barne- og ungdomsklinikken, Stavanger universitetssjukehus."))
    kind = SelectField(_l("Type"), validators=[DataRequired(_l("Velg type."))])
    municipality_id = SelectField(_l("Kommune"), coerce=int_choice, validators=[Optional()],
                                  description=_l("Kommunen organisasjonen holder til i."))


class WorkplaceForm(FlaskForm):
    version = VersionField()
    organisation_id = SelectField(_l("Organisasjon"), coerce=int_or_none,
                                  validators=[DataRequired(_l("Velg organisasjonen."))],
                                  description=_l("En kommune eller en annen organisasjon."))
    name = StringField(_l("Navn"), validators=[DataRequired(_l("Skriv navnet.")), Length(max=200)],
                       description=_l("For eksempel Hjemmesykepleien Hinna eller Sola helsestasjon."))
    sector = SelectField(_l("Sektor"), validators=[DataRequired(_l("Velg sektor."))])
    leader_email = EmailField(_l("Leders e-post"), validators=[Optional(), Length(max=254), ValidEmail()],
                              description=_l("Valgfritt: e-postadressen til en person som står i registeret."))


class NewWorkplaceForm(WorkplaceForm):
    version = None  # a new workplace has none yet


class CoordinatorForm(FlaskForm):
    """Grant the coordinator role to the person with this address (made in the registry when missing)."""

    email = EmailField(_l("E-post"), validators=[DataRequired(_l("Skriv e-postadressen.")), Length(max=254), ValidEmail()])
    first_name = StringField(_l("Fornavn"), validators=[Optional(), Length(max=100)],
                             description=_l("Trengs bare når personen ikke står i registeret."))
    last_name = StringField(_l("Etternavn"), validators=[Optional(), Length(max=100)])
