from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from netapp.blueprints.look import services
from netapp.blueprints.look.forms import NetworkLookForm
from netapp.blueprints.registry.models import Network
from netapp.extensions import db
from netapp.look import DEFAULT_COLOUR, normalised_colour, show_network, text_colour_for
from netapp.permissions import get_network_or_404, require_coordinator

bp = Blueprint("look", __name__)

A_YEAR = 365 * 24 * 3600


@bp.route("/networks/<slug>/look", methods=["GET", "POST"])
@require_coordinator
def edit_network_look(slug: str):
    """The logo and colour of the network's header, for its coordinators (and admins)."""
    network = get_network_or_404(slug, coordinate=True)
    form = NetworkLookForm(colour=network.colour or "")
    if form.validate_on_submit():
        logo = None
        upload = form.logo.data
        if upload and getattr(upload, "filename", ""):
            try:
                logo = services.checked_logo(upload.read())
            except services.LogoRefused as exc:
                form.logo.errors.append(str(exc))
        problem = services.colour_problem(form.colour.data)
        if problem:
            form.colour.errors.append(problem)
        if not form.logo.errors and not form.colour.errors:
            services.update_look(network, logo=logo, remove_logo=form.remove_logo.data, colour=form.colour.data)
            db.session.commit()
            flash(_("Utseendet til %(name)s er lagret.", name=network.display_name), "success")
            return redirect(url_for("look.edit_network_look", slug=network.slug))
    show_network(network)
    return render_template("look/edit.html", form=form, network=network,
                           default_colour=DEFAULT_COLOUR)


@bp.route("/networks/<slug>/logo/<logo_hash>")
def network_logo(slug: str, logo_hash: str):
    """The network's logo; the hash in the address changes with the logo, so it is kept a year."""
    row = db.session.execute(
        select(Network.logo, Network.logo_type)
        .where(Network.slug == slug, Network.logo_hash == logo_hash)
    ).first()
    if row is None or row.logo is None:
        abort(404)
    response = make_response(row.logo)
    response.mimetype = row.logo_type
    response.headers["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    # Opened by itself, an SVG is a document: it runs nothing and loads nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@bp.route("/look/<colour>.css")
def colour_stylesheet(colour: str):
    """The header in a network's colour, with the text colour that reads best on it. The colour is
    the address, so the sheet never changes and is kept a year (inline styles are not allowed)."""
    background = normalised_colour(colour)
    if background is None or colour != background[1:]:
        abort(404)
    text = text_colour_for(background)
    css = (
        f".navbar-network{{background-color:{background};--bs-navbar-color:{text};--bs-navbar-hover-color:{text};"
        f"--bs-navbar-active-color:{text};--bs-navbar-brand-color:{text};--bs-navbar-brand-hover-color:{text};"
        f"--bs-navbar-toggler-border-color:{text};color:{text}}}"
        f".navbar-network .nav-link,.navbar-network .btn-link{{color:{text}}}"
        f".navbar-network a:focus-visible,.navbar-network button:focus-visible{{outline-color:{text}}}\n"
    )
    response = make_response(css)
    response.mimetype = "text/css"
    response.headers["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    return response
