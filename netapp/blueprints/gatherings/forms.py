from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from netapp.blueprints.gatherings.models import EventKind
from netapp.blueprints.registry.forms import NO_PATIENT_DATA
from netapp.validators import choices

MAX_CAPACITY = 10000


def kind_labels():
    return {
        EventKind.GATHERING: _l("Nettverkssamling"),
        EventKind.THEME_DAY: _l("Fagdag"),
        EventKind.TEACHING_SESSION: _l("Internundervisning"),
        EventKind.WEBINAR: _l("Webinar"),
        EventKind.COURSE: _l("Kurs"),
        EventKind.WORKING_GROUP_MEETING: _l("Arbeidsgruppemøte"),
        EventKind.SUMMARY_MEETING: _l("Oppsummeringsmøte"),
    }


def kind_choices(blank: str | None = None):
    pairs = [(k.value, label) for k, label in kind_labels().items()]
    return choices(([("", blank)] if blank is not None else []) + pairs)


class EventForm(FlaskForm):
    network_id = SelectField(_l("Nettverk"), coerce=int)
    # No DataRequired: a select with `required` needs an empty first option, and every choice is valid.
    kind = SelectField(_l("Type arrangement"), default=EventKind.GATHERING.value)
    title = StringField(_l("Tittel"), validators=[DataRequired(_l("Skriv en tittel.")), Length(max=200)])
    theme = StringField(_l("Tema"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Beskrivelse"), validators=[Optional(), Length(max=10000)],
                                description=NO_PATIENT_DATA, render_kw={"rows": 6})
    location = StringField(_l("Sted"), validators=[Optional(), Length(max=200)])
    date = DateField(_l("Dato"), validators=[DataRequired(_l("Velg en dato."))])
    start_time = TimeField(_l("Starter kl."), validators=[DataRequired(_l("Skriv når arrangementet starter."))])
    end_time = TimeField(_l("Slutter kl."), validators=[DataRequired(_l("Skriv når arrangementet slutter."))])
    registration_deadline = DateField(_l("Påmeldingsfrist"), validators=[Optional()],
                                      description=_l("Siste dag for påmelding. La feltet stå tomt om det ikke er noen frist."))
    capacity = IntegerField(_l("Antall plasser"), validators=[
        Optional(), NumberRange(1, MAX_CAPACITY, _l("Skriv et tall fra 1 til 10000."))],
                            description=_l("La feltet stå tomt om det ikke er noen grense."))
    is_public = BooleanField(_l("Vis på nettverkets offentlige side"))

    def validate_end_time(self, field):
        if field.data and self.start_time.data and field.data <= self.start_time.data:
            raise ValidationError(_l("Sluttidspunktet må være etter starttidspunktet."))

    def validate_registration_deadline(self, field):
        if field.data and self.date.data and field.data > self.date.data:
            raise ValidationError(_l("Påmeldingsfristen kan ikke være etter datoen for arrangementet."))
