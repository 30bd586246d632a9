from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from netapp.blueprints.evaluations.models import TEXT_ANSWER_MAX, QuestionKind, kind_labels, scale_labels
from netapp.blueprints.registry.forms import NO_PATIENT_DATA
from netapp.validators import choices, int_choice
from netapp.versioning import VersionField


def _title():
    return StringField(_l("Tittel"), validators=[DataRequired(_l("Skriv en tittel.")), Length(max=200)],
                       description=_l("For eksempel «Evaluering av nettverkssamlingen i mars»."))


def _intro():
    return TextAreaField(_l("Innledning"), validators=[Optional(), Length(max=4000)],
                         description=_l("Vises over spørsmålene. Svarene er anonyme. %(rule)s", rule=NO_PATIENT_DATA))


class QuestionnaireForm(FlaskForm):
    version = VersionField()
    title = _title()
    intro = _intro()


class NewQuestionnaireForm(FlaskForm):
    network_id = SelectField(_l("Nettverk"), coerce=int_choice)
    event_id = SelectField(_l("Arrangement (valgfritt)"), coerce=int_choice, default=0,
                           description=_l("Arrangementet som evalueres. Det må høre til nettverket over."))
    title = _title()
    intro = _intro()
    use_standard = BooleanField(_l("Start med standardspørsmålene"), default=True,
                                description=_l("Faglig nytte, foredragsholderne, refleksjonen, kolleger fra andre "
                                               "tjenester, tid til å dele kunnskapen og hva vi bør endre."))


class QuestionForm(FlaskForm):
    version = VersionField()  # the questionnaire's: its questions are part of it
    kind = SelectField(_l("Type spørsmål"), default=QuestionKind.SCALE.value)
    text = StringField(_l("Spørsmål"), validators=[DataRequired(_l("Skriv spørsmålet.")), Length(max=500)],
                       description=NO_PATIENT_DATA)
    required = BooleanField(_l("Må besvares"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices([(k.value, label) for k, label in kind_labels().items()])


def field_name(question_id: int) -> str:
    return f"q{question_id}"


def answer_form_class(questions):
    """A form with one field per question, built at request time: scale and yes/no as radio
    groups (the form macro renders them in a fieldset with the question as legend), text as a
    text area."""

    class AnswerForm(FlaskForm):
        pass

    for question in questions:
        if question.required:
            message = _l("Svar på dette spørsmålet.")
            presence = InputRequired(message) if question.kind != QuestionKind.TEXT else DataRequired(message)
        else:
            presence = Optional()
        if question.kind == QuestionKind.SCALE:
            field = RadioField(question.text, coerce=int_choice, choices=choices(scale_labels()), validators=[presence])
        elif question.kind == QuestionKind.YES_NO:
            field = RadioField(question.text, coerce=int_choice, choices=choices([(1, _l("Ja")), (0, _l("Nei"))]),
                               validators=[presence])
        else:
            field = TextAreaField(question.text, description=NO_PATIENT_DATA, validators=[
                presence, Length(max=TEXT_ANSWER_MAX, message=_l("Skriv høyst %(max)d tegn.", max=TEXT_ANSWER_MAX))])
        setattr(AnswerForm, field_name(question.id), field)
    return AnswerForm
