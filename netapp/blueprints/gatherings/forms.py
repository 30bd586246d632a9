from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from netapp.blueprints.gatherings.models import EventKind, kind_labels
from netapp.blueprints.registry.forms import NO_PATIENT_DATA
from netapp.validators import ClockField, DayField, WholeNumberField, choices, int_choice
from netapp.versioning import VersionField

MAX_CAPACITY = 10000
FIRST_YEAR, LAST_YEAR = 2000, 2100  # of events and their deadlines


def kind_choices(blank: str | None = None):
    pairs = [(k.value, label) for k, label in kind_labels().items()]
    return choices(([("", blank)] if blank is not None else []) + pairs)


class EventForm(FlaskForm):
    version = VersionField()  # removed by the view when the event is new
    network_id = SelectField(_l("Nettverk"), coerce=int_choice)
    # No DataRequired: a select with `required` needs an empty first option, and every choice is valid.
    kind = SelectField(_l("Type arrangement"), default=EventKind.GATHERING.value)
    title = StringField(_l("Tittel"), validators=[DataRequired(_l("Skriv en tittel.")), Length(max=200)])
    theme = StringField(_l("Tema"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Beskrivelse"), validators=[Optional(), Length(max=10000)],
                                description=NO_PATIENT_DATA, render_kw={"rows": 6})
    location = StringField(_l("Sted"), validators=[Optional(), Length(max=200)])
    date = DayField(_l("Dato"), validators=[InputRequired(_l("Velg en dato."))], first_year=FIRST_YEAR, last_year=LAST_YEAR)
    start_time = ClockField(_l("Starter kl."), validators=[InputRequired(_l("Skriv når arrangementet starter."))])
    end_time = ClockField(_l("Slutter kl."), validators=[InputRequired(_l("Skriv når arrangementet slutter."))])
    registration_deadline = DayField(_l("Påmeldingsfrist"), validators=[Optional()], first_year=FIRST_YEAR,
                                     last_year=LAST_YEAR,
                                     description=_l("Siste dag for påmelding. La feltet stå tomt om det ikke er noen frist."))
    capacity = WholeNumberField(_l("Antall plasser"), validators=[Optional()], minimum=1, maximum=MAX_CAPACITY,
                                message=_l("Skriv et tall fra 1 til 10000."),
                                description=_l("La feltet stå tomt om det ikke er noen grense."))
    is_public = BooleanField(_l("Vis på nettverkets offentlige side"))

    def validate_end_time(self, field):
        if field.data and self.start_time.data and field.data <= self.start_time.data:
            raise ValidationError(_l("Sluttidspunktet må være etter starttidspunktet."))

    def validate_registration_deadline(self, field):
        if field.data and self.date.data and field.data > self.date.data:
            raise ValidationError(_l("Påmeldingsfristen kan ikke være etter datoen for arrangementet."))
