from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField
from wtforms.validators import DataRequired, EqualTo, Length

from netapp.validators import ValidEmail, choices


class LoginForm(FlaskForm):
    email = EmailField(_l("E-post"), validators=[DataRequired(_l("Skriv e-postadressen din.")), Length(max=254)])
    password = PasswordField(_l("Passord"), validators=[DataRequired(_l("Skriv passordet ditt.")), Length(max=1024)])
    remember = BooleanField(_l("Husk meg på denne maskinen"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-post"), validators=[DataRequired(_l("Skriv e-postadressen din.")), ValidEmail()])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nytt passord"),
        validators=[DataRequired(_l("Velg et passord.")), Length(min=10, max=1024, message=_l("Passordet må ha minst 10 tegn."))],
        description=_l("Minst 10 tegn. En setning du husker er et godt passord."),
    )
    confirm = PasswordField(
        _l("Gjenta passordet"),
        validators=[DataRequired(_l("Gjenta passordet.")), EqualTo("password", _l("Passordene er ikke like."))],
    )


class ProfileForm(FlaskForm):
    language = SelectField(_l("Språk"), choices=choices([("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("en", "English")]))
    public_consent = BooleanField(
        _l("Vis navnet mitt, yrket og arbeidsstedet på nettverkets offentlige side"),
        description=_l("Du kan trekke samtykket når som helst. Telefon og e-post vises aldri."),
    )
