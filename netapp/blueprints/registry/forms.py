from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from netapp.blueprints.registry.models import MembershipRole, sector_labels
from netapp.validators import DB_INT_MAX, DayField, ValidEmail, WholeNumberField, choices, int_choice
from netapp.versioning import VersionField

NO_PATIENT_DATA = _l("Skriv aldri opplysninger om pasienter eller barn her.")


def sector_choices(blank: str | None = None):
    pairs = [(s.value, label) for s, label in sector_labels().items()]
    return choices(([("", blank)] if blank is not None else []) + pairs)


class PersonForm(FlaskForm):
    version = VersionField()
    first_name = StringField(_l("Fornavn"), validators=[DataRequired(_l("Skriv fornavnet.")), Length(max=100)])
    last_name = StringField(_l("Etternavn"), validators=[DataRequired(_l("Skriv etternavnet.")), Length(max=100)])
    email = EmailField(_l("E-post"), validators=[DataRequired(_l("Skriv e-postadressen.")), Length(max=254), ValidEmail()])
    phone = StringField(_l("Telefon"), validators=[Optional(), Length(max=40)])
    profession = StringField(_l("Yrke"), validators=[Optional(), Length(max=100)],
                             description=_l("For eksempel sykepleier, vernepleier eller barnehagelærer."))
    workplace_id = SelectField(_l("Arbeidssted"), coerce=int_choice, validators=[Optional()])
    manager_name = StringField(_l("Leders navn"), validators=[Optional(), Length(max=200)])
    manager_email = EmailField(_l("Leders e-post"), validators=[Optional(), Length(max=254), ValidEmail()],
                               description=_l("Lederen blir lagt inn i registeret om hun eller han ikke finnes fra før."))
    position_percent = WholeNumberField(_l("Stillingsprosent"), validators=[Optional()], minimum=1, maximum=100,
                                        message=_l("Skriv et tall fra 1 til 100."))
    public_consent = BooleanField(_l("Samtykker til å stå på nettverkets offentlige side"))


class NewPersonForm(PersonForm):
    version = None  # a new person has none yet
    network_id = SelectField(_l("Nettverk"), coerce=int_choice)
    role = SelectField(_l("Rolle"), default=MembershipRole.RESOURCE_PERSON.value)


class DeactivateForm(FlaskForm):
    left_on = DayField(_l("Sluttdato"), validators=[InputRequired(_l("Velg en dato."))])


class MergeForm(FlaskForm):
    other_id = WholeNumberField(_l("Nummeret til den doble oppføringen"), validators=[
        InputRequired(_l("Skriv nummeret på oppføringen som skal slås sammen."))], minimum=1, maximum=DB_INT_MAX,
                                message=_l("Skriv nummeret på oppføringen som skal slås sammen."),
                                description=_l("Nummeret står øverst på personens side. Oppføringen slettes, og alt flyttes hit."))


class WorkplaceForm(FlaskForm):
    version = VersionField()
    name = StringField(_l("Navn"), validators=[DataRequired(_l("Skriv navnet.")), Length(max=200)])
    sector = SelectField(_l("Sektor"), validators=[DataRequired(_l("Velg sektor."))])
    leader_email = EmailField(_l("Leders e-post"), validators=[Optional(), Length(max=254), ValidEmail()],
                              description=_l("E-postadressen til en person som står i registeret, for en koordinator "
                                             "et medlem av nettverkene hun eller han koordinerer. La feltet stå tomt "
                                             "for å fjerne lederen."))
