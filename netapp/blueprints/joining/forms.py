from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from netapp.blueprints.registry.forms import NO_PATIENT_DATA
from netapp.validators import ValidEmail, WholeNumberField, check_email, int_choice

MAX_INVITATIONS = 200


def _drop_nul(value):
    # PostgreSQL refuses NUL characters in text; nobody types them on purpose.
    return value.replace("\x00", "") if isinstance(value, str) else value


class _TextForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField):
                options["filters"] = [*unbound_field.kwargs.get("filters", ()), _drop_nul]
            return unbound_field.bind(form=form, **options)


class RegistrationForm(_TextForm):
    """The public form to join a network as resource person.

    Choices are filled by the view; `new_workplace_*` are removed when the model cannot hold a
    workplace that is not listed yet.
    """

    # No DataRequired: the choices refuse anything but a listed network, and no placeholder is needed.
    network_id = SelectField(_l("Nettverk"), coerce=int_choice)
    first_name = StringField(_l("Fornavn"), validators=[DataRequired(_l("Skriv fornavnet ditt.")), Length(max=100)])
    last_name = StringField(_l("Etternavn"), validators=[DataRequired(_l("Skriv etternavnet ditt.")), Length(max=100)])
    email = EmailField(
        _l("E-post"),
        validators=[DataRequired(_l("Skriv e-postadressen din.")), Length(max=254), ValidEmail()],
        description=_l("Bruk gjerne jobbadressen din. Vi sender en kvittering hit."),
    )
    phone = StringField(_l("Telefon"), validators=[Optional(), Length(max=40)])
    profession = StringField(
        _l("Yrke"), validators=[DataRequired(_l("Skriv yrket ditt.")), Length(max=100)],
        description=_l("For eksempel sykepleier, vernepleier eller barnehagelærer."),
    )
    workplace_id = SelectField(_l("Arbeidssted"), coerce=int_choice, validators=[Optional()])
    new_workplace_organisation_id = SelectField(_l("Kommune eller organisasjon"), coerce=int_choice, validators=[Optional()])
    new_workplace_name = StringField(
        _l("Navn på arbeidsstedet"), validators=[Optional(), Length(max=200)],
        description=_l("For eksempel Tjensvoll barnehage eller Hjemmesykepleien Hinna."),
    )
    new_workplace_sector = SelectField(_l("Sektor"), validators=[Optional()])
    manager_name = StringField(_l("Lederens navn"), validators=[DataRequired(_l("Skriv navnet til lederen din.")), Length(max=200)])
    manager_email = EmailField(
        _l("Lederens e-post"),
        validators=[DataRequired(_l("Skriv e-postadressen til lederen din.")), Length(max=254), ValidEmail()],
        description=_l("Lederen din får en e-post og bekrefter at du er utpekt som ressursperson."),
    )
    position_percent = WholeNumberField(
        _l("Stillingsprosent"), validators=[Optional()], minimum=1, maximum=100,
        message=_l("Skriv et tall fra 1 til 100."),
    )
    public_consent = BooleanField(
        _l("Ja, navnet mitt, yrket og arbeidsstedet kan stå på nettverkets offentlige side"),
        description=_l("Telefonnummer og e-post vises aldri offentlig. Du kan trekke samtykket når som helst."),
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        chosen = bool(self.workplace_id.data)
        if "new_workplace_name" not in self:
            if not chosen:
                self.workplace_id.errors.append(_("Velg arbeidsstedet ditt."))
                ok = False
        else:
            typed = bool((self.new_workplace_name.data or "").strip())
            if chosen and typed:
                self.new_workplace_name.errors.append(
                    _("Du har både valgt et arbeidssted fra lista og skrevet et nytt. Velg det ene.")
                )
                ok = False
            elif not chosen and not typed:
                self.workplace_id.errors.append(_("Velg arbeidsstedet ditt, eller skriv det inn nedenfor."))
                ok = False
            elif typed:
                if not self.new_workplace_organisation_id.data:
                    self.new_workplace_organisation_id.errors.append(_("Velg kommunen eller organisasjonen."))
                    ok = False
                if not self.new_workplace_sector.data:
                    self.new_workplace_sector.errors.append(_("Velg sektor."))
                    ok = False
        own = check_email(self.email.data or "")
        if own and own == check_email(self.manager_email.data or ""):
            self.manager_email.errors.append(_("Skriv e-postadressen til lederen din, ikke din egen."))
            ok = False
        return ok


class ManagerDecisionForm(_TextForm):
    reason = TextAreaField(
        _l("Hva er ikke riktig? (valgfritt)"), validators=[Optional(), Length(max=1000)],
        description=_l("Begrunnelsen sendes til den som søkte. %(warning)s", warning=NO_PATIENT_DATA),
    )


class RejectForm(_TextForm):
    reason = TextAreaField(
        _l("Begrunnelse"),
        validators=[DataRequired(_l("Skriv en begrunnelse. Den sendes til den som søkte.")), Length(max=1000)],
        description=_l("Begrunnelsen sendes på e-post til den som søkte. %(warning)s", warning=NO_PATIENT_DATA),
    )


class InviteForm(_TextForm):
    emails = TextAreaField(
        _l("E-postadresser"),
        validators=[DataRequired(_l("Skriv minst én e-postadresse."))],
        description=_l("Én adresse per linje."),
        render_kw={"rows": 6},
    )
    message = TextAreaField(
        _l("Melding (valgfritt)"), validators=[Optional(), Length(max=2000)],
        description=_l("Står i invitasjonen over lenken. %(warning)s", warning=NO_PATIENT_DATA),
        render_kw={"rows": 4},
    )

    def validate_emails(self, field) -> None:
        addresses, bad = [], []
        for line in (field.data or "").replace(",", "\n").replace(";", "\n").splitlines():
            line = line.strip()
            if not line:
                continue
            normalized = check_email(line)
            if normalized is None:
                bad.append(line[:80])
            elif normalized not in addresses:
                addresses.append(normalized)
        self.addresses = addresses
        if bad:
            raise ValidationError(_("Disse adressene er ikke gyldige: %(list)s", list=", ".join(bad[:10])))
        if not addresses:
            raise ValidationError(_("Skriv minst én e-postadresse."))
        if len(addresses) > MAX_INVITATIONS:
            raise ValidationError(ngettext("Send høyst %(num)d invitasjon om gangen.",
                                           "Send høyst %(num)d invitasjoner om gangen.", MAX_INVITATIONS))
