from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from netapp.blueprints.auth import services
from netapp.blueprints.auth.forms import ForgotPasswordForm, LoginForm, ProfileForm, SetPasswordForm
from netapp.extensions import db
from netapp.permissions import require_login
from netapp.security import safe_next
from netapp.timeutil import today_oslo

bp = Blueprint("auth", __name__)


def client_address() -> str:
    # TRUSTED_PROXIES > 0 applies ProxyFix, so remote_addr is the client's address behind them.
    return request.remote_addr or "unknown"


def wait_message(seconds: int) -> str:
    if seconds < 60:
        return ngettext("For mange mislykkede forsøk. Vent %(num)d sekund og prøv igjen, eller be om et nytt passord.",
                        "For mange mislykkede forsøk. Vent %(num)d sekunder og prøv igjen, eller be om et nytt passord.",
                        seconds)
    minutes = -(-seconds // 60)
    return ngettext("For mange mislykkede forsøk. Vent %(num)d minutt og prøv igjen, eller be om et nytt passord.",
                    "For mange mislykkede forsøk. Vent %(num)d minutter og prøv igjen, eller be om et nytt passord.",
                    minutes)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        ip = client_address()
        wait = services.login_wait(form.email.data, ip)
        if wait:
            page = render_template("auth/login.html", form=form, throttled=wait_message(wait))
            return page, 429, {"Retry-After": str(wait)}
        user = services.find_user(form.email.data)
        if user is not None and user.is_enabled and services.verify_password(user, form.password.data):
            services.clear_failures(form.email.data, ip)
            user.last_login_on = today_oslo()  # the day only: a time could be lined up with answers
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("Du er logget inn."), "success")
            return redirect(safe_next(request.args.get("next")))
        if user is None:
            services.verify_password(None, form.password.data)
        services.record_failure(form.email.data, ip)
        db.session.commit()
        form.password.errors.append(_("Feil e-post eller passord."))
    return render_template("auth/login.html", form=form, throttled=None)


@bp.route("/logout", methods=["POST"])
@require_login
def logout():
    # A new session token makes every copy of the old session and remember cookies invalid.
    current_user.session_token = services.new_session_token()
    db.session.commit()
    logout_user()
    flash(_("Du er logget ut."), "info")
    return redirect(url_for("main.index"))


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.find_user(form.email.data)
        if user is not None and user.is_enabled:
            services.send_reset_mail(user)
            db.session.commit()
        # The same answer either way, so the form does not reveal who has an account.
        flash(_("Hvis adressen har en konto, har vi sendt en lenke for å velge nytt passord."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    purpose = None
    for candidate in (services.SET_PASSWORD, services.RESET_PASSWORD):
        if services.peek_token(token, candidate) is not None:
            purpose = candidate
            break
    if purpose is None:
        return render_template("auth/token_invalid.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = services.consume_token(token, purpose)
        if user is None:
            db.session.rollback()
            return render_template("auth/token_invalid.html"), 410
        services.set_password(user, form.password.data)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash(_("Passordet er lagret. Logg inn med det nye passordet."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@require_login
def profile():
    person = current_user.person
    form = ProfileForm(
        language=current_user.language or current_app.config["BABEL_DEFAULT_LOCALE"],
        public_consent=person.public_consent if person else False,
    )
    if not person:
        del form.public_consent
    if form.validate_on_submit():
        current_user.language = form.language.data
        if person is not None:
            person.public_consent = form.public_consent.data
        db.session.commit()
        flash(_("Innstillingene er lagret."), "success")
        return redirect(url_for("auth.profile"))
    if request.method == "POST" and not form.errors:
        abort(400)
    return render_template("auth/profile.html", form=form, person=person)
