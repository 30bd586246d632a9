from flask import Blueprint, current_app, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select, text

from netapp.audit import AuditEvent
from netapp.blueprints.admin import queries as admin_queries
from netapp.blueprints.evaluations.queries import open_for_participant
from netapp.blueprints.gatherings import queries as gatherings_queries
from netapp.blueprints.joining import queries as joining_queries
from netapp.blueprints.main import audit_words
from netapp.blueprints.registry import queries as registry_queries
from netapp.blueprints.registry.models import Network, Person
from netapp.cache import cached, fragment
from netapp.extensions import db
from netapp.mail import OutboxMessage, OutboxStatus, outbox_topics
from netapp.mail import status_labels as outbox_status_labels
from netapp.pagination import filter_args, paginate
from netapp.permissions import (
    coordinated_network_ids,
    is_admin,
    is_coordinator,
    is_manager,
    managed_persons_clause,
    participant_network_ids,
    require_admin,
    require_login,
    require_manager,
)
from netapp.security import safe_next
from netapp.timeutil import utcnow

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    def render_body() -> str:
        networks = registry_queries.networks()
        return render_template("main/_index_body.html", networks=networks,
                               installation_name=current_app.config.get("INSTALLATION_NAME", ""),
                               installation_contact=current_app.config.get("INSTALLATION_CONTACT_EMAIL", ""))

    body = fragment("main.index", (), render_body)
    return render_template("_fragment_page.html", page_title=_("Nettverk i barnepalliasjon"), body=body)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # the database is the one thing a health check must report
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


@bp.route("/language", methods=["POST"])
def set_language():
    language = request.form.get("language", "")
    target = safe_next(request.form.get("next"))
    response = redirect(target)
    if language in current_app.config["LANGUAGES"]:
        response.set_cookie("lang", language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
        if current_user.is_authenticated:
            current_user.language = language
            db.session.commit()
    return response


@bp.route("/dashboard")
@require_login
def dashboard():
    networks = registry_queries.networks(coordinated_network_ids()) if is_coordinator() else []
    pending = joining_queries.pending_count(coordinated_network_ids()) if networks else 0
    stats = registry_queries.network_member_counts([n.id for n in networks]) if networks else {}
    staff_count = 0
    if is_manager():
        staff_count = db.session.scalar(select(func.count()).select_from(registry_queries.person_select().where(managed_persons_clause()).subquery()))
    person = current_user.person
    memberships = registry_queries.memberships_of(person.id) if person else []
    my_events = gatherings_queries.my_upcoming_registrations(person.id, utcnow()) if person else []
    # Open evaluations of the user's networks not answered yet: one query (none for non-participants).
    evaluations_waiting = open_for_participant(participant_network_ids(), current_user.person_id,
                                               unanswered_only=True, limit=5)
    # A new installation: the administrator is walked through its first steps until they are done.
    first_steps = admin_queries.first_steps() if is_admin() else None
    return render_template(
        "main/dashboard.html", networks=networks, pending=pending, stats=stats, staff_count=staff_count,
        memberships=memberships, person=person, my_events=my_events,
        evaluations_waiting=evaluations_waiting, first_steps=first_steps,
    )


@bp.route("/staff/")
@require_manager
def my_staff():
    # Each person with the number of events attended, as a column of the same query.
    query = registry_queries.person_select().add_columns(
        gatherings_queries.attended_count(Person.id).label("attended")).where(managed_persons_clause())
    query = query.order_by(*registry_queries.SORTS["name"])
    page = paginate(query, per_page=current_app.config["PAGE_SIZE"])
    return render_template("main/staff.html", page=page)


@bp.route("/admin/outbox")
@require_admin
def outbox():
    status = request.args.get("status", "")
    query = (select(OutboxMessage).where(OutboxMessage.anonymous.is_(False))
             .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()))
    if status in {s.value for s in OutboxStatus}:
        query = query.where(OutboxMessage.status == status)
    page = paginate(query, per_page=current_app.config["PAGE_SIZE"])
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return render_template("main/outbox.html", page=page, counts=counts, status=status, statuses=list(OutboxStatus), status_names=outbox_status_labels(),
                           anonymous=outbox_topics(status if status in {s.value for s in OutboxStatus} else None))


@bp.route("/admin/audit")
@require_admin
def audit_log():
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    actor = (request.args.get("actor") or "").strip().lower()[:254]
    object_type = request.args.get("type") or ""
    if actor:
        query = query.where(AuditEvent.actor_email.contains(actor, autoescape=True))
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    page = paginate(query, per_page=current_app.config["PAGE_SIZE"])
    types = db.session.scalars(select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)).all()
    args = filter_args()
    field_names = audit_words.field_names()
    return render_template("main/audit.html", page=page, types=types, actor=actor, object_type=object_type, args=args,
                           action_names=audit_words.action_names(), type_names=audit_words.object_type_names(),
                           fields_in_words=lambda fields: audit_words.fields_in_words(fields, field_names))


@bp.app_context_processor
def brand():
    """The default network's name in the header, read again only when the data changed."""
    return {"brand_network": cached("brand", (), lambda: db.session.scalar(
        select(Network.short_name).where(Network.is_default.is_(True)).limit(1)) or "")}
