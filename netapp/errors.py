"""Error pages; a 500 rolls the session back first."""

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from netapp.extensions import db


def register(app: Flask) -> None:
    def page(code: int, title: str, message: str):
        if request.accept_mimetypes.best == "application/json":
            return {"error": title}, code
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(400)
    def bad_request(e):
        return page(400, _("Ugyldig forespørsel"), _("Forespørselen kunne ikke behandles. Gå tilbake og prøv igjen."))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return page(400, _("Skjemaet er utløpt"), _("Last siden på nytt og send skjemaet igjen."))

    @app.errorhandler(403)
    def forbidden(e):
        return page(403, _("Ingen tilgang"), _("Du har ikke tilgang til denne siden."))

    @app.errorhandler(404)
    def not_found(e):
        return page(404, _("Fant ikke siden"), _("Siden finnes ikke, eller den er flyttet."))

    @app.errorhandler(405)
    def not_allowed(e):
        return page(405, _("Ikke tillatt"), _("Denne handlingen er ikke tillatt her."))

    @app.errorhandler(409)
    def conflict(e):
        return page(409, _("Kan ikke endres"), _("Denne oppføringen kan ikke endres lenger, for eksempel fordi personopplysningene er slettet."))

    @app.errorhandler(413)
    def too_large(e):
        return page(413, _("Filen er for stor"), _("Filen er større enn det som er tillatt. Del den opp eller fjern unødvendige kolonner."))

    @app.errorhandler(429)
    def too_many(e):
        return page(429, _("For mange forsøk"), _("Vent litt før du prøver igjen."))

    @app.errorhandler(500)
    def server_error(e):
        db.session.rollback()
        return page(500, _("Noe gikk galt"), _("En feil oppstod hos oss. Prøv igjen om litt."))
