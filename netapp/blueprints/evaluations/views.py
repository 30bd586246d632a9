"""Evaluations: questionnaires coordinators write and participants answer anonymously."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from netapp import versioning
from netapp.blueprints.evaluations import queries, services
from netapp.blueprints.evaluations.forms import (
    NewQuestionnaireForm,
    QuestionForm,
    QuestionnaireForm,
    answer_form_class,
    field_name,
)
from netapp.blueprints.evaluations.models import (
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    kind_labels,
    status_labels,
)
from netapp.blueprints.gatherings.models import Event
from netapp.blueprints.registry import queries as registry_queries
from netapp.blueprints.registry.models import Network
from netapp.cache import cached_page
from netapp.extensions import db
from netapp.look import show_network
from netapp.pagination import filter_args, paginate
from netapp.permissions import (
    can_answer_questionnaire,
    can_coordinate_network_id,
    coordinated_network_ids,
    get_network_or_404,
    get_questionnaire_or_404,
    is_coordinator,
    participant_network_ids,
    require_coordinator,
    require_login,
)
from netapp.sealing import SealError
from netapp.spreadsheets import CSV_MIMETYPE, escape_formula, to_csv
from netapp.timeutil import format_date, today_oslo
from netapp.validators import choices, int_arg, parse_int

bp = Blueprint("evaluations", __name__)
log = logging.getLogger(__name__)


# ---------------------------------------------------------------- lists

@bp.route("/")
@require_login
def list_questionnaires():
    status = request.args.get("status", "")
    if status not in {s.value for s in QuestionnaireStatus}:
        status = ""
    coordinator = is_coordinator()
    slug = request.args.get("network", "") if coordinator else ""
    network = get_network_or_404(slug, coordinate=True) if slug else None
    scope, participant_ids = coordinated_network_ids(), participant_network_ids()

    def context() -> dict:
        page, networks = None, []
        if coordinator:
            query = queries.coordinated_questionnaires(scope, status=status or None,
                                                       network_id=network.id if network else None)
            page = paginate(query, per_page=current_app.config["PAGE_SIZE"])
            networks = registry_queries.network_menu(scope)
        return {
            "page": page, "to_answer": queries.open_for_participant(participant_ids, current_user.person_id),
            "network": network, "status": status, "network_options": [(n.slug, n.name) for n in networks],
            "statuses": {s.value: label for s, label in status_labels().items()},
            "args": filter_args(),
            "filtered": bool(network or status),
        }

    key = (coordinator, scope, participant_ids, current_user.person_id, tuple(sorted(request.args.items(multi=True))))
    return cached_page("evaluations.list", key, _("Evalueringer"), "evaluations/list.html", context)


# ---------------------------------------------------------------- writing a questionnaire

def _network_event_choices(form: NewQuestionnaireForm) -> dict[int, int]:
    """Fill the network and event menus; returns event id -> network id."""
    networks = registry_queries.networks(coordinated_network_ids())
    form.network_id.choices = choices([(n.id, n.name) for n in networks])
    events = queries.event_choices(coordinated_network_ids())
    several = len(networks) > 1
    labels = [(0, _("Ingen"))] + [
        (e.id, f"{e.title} ({format_date(e.starts_at)}" + (f", {e.network_name})" if several else ")"))
        for e in events
    ]
    form.event_id.choices = choices(labels)
    return {e.id: e.network_id for e in events}


@bp.route("/new", methods=["GET", "POST"])
@require_coordinator
def create_questionnaire():
    form = NewQuestionnaireForm()
    event_networks = _network_event_choices(form)
    event_id = int_arg("event", 1) if request.method == "GET" else None
    if event_id is not None:
        if event_id in event_networks:
            form.event_id.data = event_id
            form.network_id.data = event_networks[event_id]
    if form.validate_on_submit():
        network = db.session.get(Network, form.network_id.data)
        if network is None or not can_coordinate_network_id(network.id):
            abort(403)
        event = None
        if form.event_id.data:
            event = db.session.get(Event, form.event_id.data)
            if event is None or event.network_id != network.id:
                form.event_id.errors.append(_("Arrangementet hører til et annet nettverk. Velg et av nettverkets "
                                              "arrangementer, eller «Ingen»."))
                event = False
        if event is not False:
            questionnaire = services.create_questionnaire(
                network, title=form.title.data, intro=form.intro.data, event=event, standard=form.use_standard.data)
            db.session.commit()
            flash(_("Spørreskjemaet er opprettet. Legg til eller endre spørsmål, og åpne det for svar."), "success")
            return redirect(url_for("evaluations.view_questionnaire", questionnaire_id=questionnaire.id))
    return render_template("evaluations/questionnaire_form.html", form=form, questionnaire=None)


@bp.route("/<int:questionnaire_id>")
@require_coordinator
def view_questionnaire(questionnaire_id: int):
    questionnaire = get_questionnaire_or_404(questionnaire_id, coordinate=True)
    form = QuestionForm(version=questionnaire.version)
    return _render_questionnaire(questionnaire, form)


def _render_questionnaire(questionnaire: Questionnaire, form: QuestionForm, status: int = 200):
    show_network(questionnaire.network)
    released, waiting = queries.answer_counts(questionnaire.id)
    return render_template(
        "evaluations/view.html", questionnaire=questionnaire, form=form, kinds=kind_labels(),
        statuses=status_labels(), responses=released + waiting, waiting=waiting,
        is_draft=questionnaire.status == QuestionnaireStatus.DRAFT,
        threshold=queries.RESULTS_THRESHOLD,
    ), status


def _draft_or_redirect(questionnaire: Questionnaire):
    """None while the questions may change; otherwise a redirect with an explanation."""
    if questionnaire.status == QuestionnaireStatus.DRAFT:
        return None
    flash(_("Spørsmålene kan ikke endres etter at skjemaet er åpnet for svar."), "warning")
    return redirect(url_for("evaluations.view_questionnaire", questionnaire_id=questionnaire.id))


@bp.route("/<int:questionnaire_id>/edit", methods=["GET", "POST"])
@require_coordinator
def edit_questionnaire(questionnaire_id: int):
    questionnaire = get_questionnaire_or_404(questionnaire_id, coordinate=True)
    refused = _draft_or_redirect(questionnaire)
    if refused:
        return refused
    form = QuestionnaireForm(obj=questionnaire)
    if form.validate_on_submit():
        if not versioning.save_form(questionnaire, form, lambda: services.update_questionnaire(
                questionnaire, title=form.title.data, intro=form.intro.data or "")):
            return render_template("evaluations/questionnaire_form.html", form=form, questionnaire=questionnaire), 409
        db.session.commit()
        flash(_("Endringene er lagret."), "success")
        return redirect(url_for("evaluations.view_questionnaire", questionnaire_id=questionnaire.id))
    return render_template("evaluations/questionnaire_form.html", form=form, questionnaire=questionnaire)


@bp.route("/<int:questionnaire_id>/questions", methods=["POST"])
@require_coordinator
def add_question(questionnaire_id: int):
    questionnaire = get_questionnaire_or_404(questionnaire_id, coordinate=True)
    refused = _draft_or_redirect(questionnaire)
    if refused:
        return refused
    form = QuestionForm()
    if not form.validate_on_submit():
        return _render_questionnaire(questionnaire, form)
    if not versioning.save_form(questionnaire, form, lambda: services.add_question(
            questionnaire, QuestionKind(form.kind.data), form.text.data, form.required.data)):
        return _render_questionnaire(questionnaire, form, 409)
    db.session.commit()
    flash(_("Spørsmålet er lagt til."), "success")
    return redirect(url_for("evaluations.view_questionnaire", questionnaire_id=questionnaire.id) + "#questions")


def _posted_version() -> int | None:
    """The questionnaire's version the page showed (the move and delete buttons carry it)."""
    return parse_int(request.form.get("version", ""), 1)


def _questions_changed(questionnaire: Questionnaire):
    """A move or deletion based on an old list of questions: nothing changed; show the list now."""
    db.session.rollback()
    flash(_("Spørsmålene er endret etter at du åpnet siden, kanskje i en annen fane. Ingenting er endret nå: "
            "se over listen slik den er, og prøv igjen."), "warning")
    return redirect(url_for("evaluations.view_questionnaire", questionnaire_id=questionnaire.id) + "#questions")


def _draft_question_or_404(questionnaire_id: int, question_id: int):
    """(questionnaire, question, None) while its questions may change, else (…, a redirect)."""
    questionnaire = get_questionnaire_or_404(questionnaire_id, coordinate=True)
    question = db.session.get(Question, question_id)
    if question is None or question.questionnaire_id != questionnaire.id:
        abort(404)
    return questionnaire, question, _draft_or_redirect(questionnaire)


@bp.route("/<int:questionnaire_id>/questions/<int:question_id>/delete", methods=["GET", "POST"])
@require_coordinator
def delete_question(questionnaire_id: int, question_id: int):
    questionnaire, question, refused = _draft_question_or_404(questionnaire_id, question_id)
    if refused:
        return refused
    if request.method == "POST":
        try:
            with versioning.saving(questionnaire, _posted_version()):
                services.delete_question(questionnaire, question)
        except versioning.EditConflict:
            return _questions_changed(questionnaire)
        db.session.commit()
        flash(_("Spørsmålet er slettet."), "success")
        return redirect(url_for("evaluations.view_questionnaire", questionnaire_id=questionnaire.id) + "#questions")
    return render_template("evaluations/confirm_delete.html", questionnaire=questionnaire, question=question)


@bp.route("/<int:questionnaire_id>/questions/<int:question_id>/move", methods=["POST"])
@require_coordinator
def move_question(questionnaire_id: int, question_id: int):
    questionnaire, question, refused = _draft_question_or_404(questionnaire_id, question_id)
    if refused:
        return refused
    direction = request.form.get("direction", "")
    if direction in ("up", "down"):
        try:
            with versioning.saving(questionnaire, _posted_version()):
                moved = services.move_question(questionnaire, question, direction)
        except versioning.EditConflict:
            return _questions_changed(questionnaire)
        if moved:
            db.session.commit()
    return redirect(url_for("evaluations.view_questionnaire", questionnaire_id=questionnaire.id) + "#questions")


@bp.route("/<int:questionnaire_id>/delete", methods=["GET", "POST"])
@require_coordinator
def delete_questionnaire(questionnaire_id: int):
    questionnaire = get_questionnaire_or_404(questionnaire_id, coordinate=True)
    if questionnaire.status != QuestionnaireStatus.DRAFT:
        flash(_("Bare utkast kan slettes. Et skjema som har vært åpent, kan ha svar: lukk det i stedet."), "warning")
        return redirect(url_for("evaluations.view_questionnaire", questionnaire_id=questionnaire.id))
    if request.method == "POST":
        title = questionnaire.title
        services.delete_questionnaire(questionnaire)
        db.session.commit()
        flash(_("«%(title)s» er slettet.", title=title), "success")
        return redirect(url_for("evaluations.list_questionnaires"))
    return render_template("evaluations/confirm_delete.html", questionnaire=questionnaire, question=None)


# ---------------------------------------------------------------- opening and closing

@bp.route("/<int:questionnaire_id>/open", methods=["POST"])
@require_coordinator
def open_questionnaire(questionnaire_id: int):
    questionnaire = get_questionnaire_or_404(questionnaire_id, coordinate=True)
    try:
        sent = services.open_questionnaire(questionnaire)
    except services.NoQuestions:
        flash(_("Legg til minst ett spørsmål før skjemaet åpnes for svar."), "warning")
    else:
        db.session.commit()
        if sent is None:
            flash(_("Skjemaet er allerede åpent for svar."), "info")
        elif sent:
            flash(ngettext("Skjemaet er åpent for svar. %(num)d deltaker har fått e-post med lenke til skjemaet.",
                           "Skjemaet er åpent for svar. %(num)d deltakere har fått e-post med lenke til skjemaet.",
                           sent), "success")
        else:
            flash(_("Skjemaet er åpent for svar."), "success")
    return redirect(url_for("evaluations.view_questionnaire", questionnaire_id=questionnaire.id))


@bp.route("/<int:questionnaire_id>/close", methods=["POST"])
@require_coordinator
def close_questionnaire(questionnaire_id: int):
    questionnaire = get_questionnaire_or_404(questionnaire_id, coordinate=True)
    try:
        closed = services.close_questionnaire(questionnaire)
    except SealError:
        db.session.rollback()
        log.error("questionnaire %s: held answers cannot be opened; not closed", questionnaire.id)
        flash(_("Skjemaet kan ikke lukkes nå: svar som venter, kan ikke leses med nøkkelen installasjonen har. "
                "Be driftsansvarlig sjekke ANSWER_KEY og SECRET_KEY."), "danger")
        return redirect(url_for("evaluations.view_questionnaire", questionnaire_id=questionnaire.id))
    if closed:
        db.session.commit()
        flash(_("Skjemaet er lukket. Ingen kan svare lenger."), "success")
    else:
        flash(_("Skjemaet er ikke åpent."), "info")
    return redirect(url_for("evaluations.view_questionnaire", questionnaire_id=questionnaire.id))


# ---------------------------------------------------------------- answering

def _answers_from(form, questions) -> dict[int, services.AnswerValue]:
    answers = {}
    for question in questions:
        data = getattr(form, field_name(question.id)).data
        if question.kind == QuestionKind.TEXT:
            answers[question.id] = services.AnswerValue(text=(data or "").strip() or None)
        else:
            answers[question.id] = services.AnswerValue(value=data)
    return answers


@bp.route("/<int:questionnaire_id>/answer", methods=["GET", "POST"])
@require_login
def answer_questionnaire(questionnaire_id: int):
    questionnaire = get_questionnaire_or_404(questionnaire_id)
    may_answer = can_answer_questionnaire(questionnaire) and current_user.person_id is not None
    if request.method == "POST" and not may_answer:
        abort(403)  # coordinators may look at the form, not answer for someone
    if questionnaire.status != QuestionnaireStatus.OPEN:
        return render_template("evaluations/not_open.html", questionnaire=questionnaire,
                               status=status_labels()[questionnaire.status]), (409 if request.method == "POST" else 200)
    if may_answer and queries.has_answered(questionnaire.id, current_user.person_id):
        return render_template("evaluations/answered.html", questionnaire=questionnaire)
    questions = questionnaire.questions
    form = answer_form_class(questions)()
    if may_answer and form.validate_on_submit():
        try:
            services.submit_answers(questionnaire, current_user.person_id, _answers_from(form, questions))
        except services.AlreadyAnswered:
            db.session.rollback()
            flash(_("Du har allerede svart på dette skjemaet. Hver deltaker svarer én gang."), "warning")
            return redirect(url_for("evaluations.answer_questionnaire", questionnaire_id=questionnaire_id))
        except services.NotOpen:
            db.session.rollback()
            db.session.refresh(questionnaire)
            return render_template("evaluations/not_open.html", questionnaire=questionnaire,
                                   status=status_labels()[questionnaire.status]), 409
        db.session.commit()
        return redirect(url_for("evaluations.answer_thanks", questionnaire_id=questionnaire_id))
    return render_template("evaluations/answer.html", questionnaire=questionnaire, form=form,
                           may_answer=may_answer)


@bp.route("/<int:questionnaire_id>/thanks")
@require_login
def answer_thanks(questionnaire_id: int):
    questionnaire = get_questionnaire_or_404(questionnaire_id)
    return render_template("evaluations/thanks.html", questionnaire=questionnaire)


# ---------------------------------------------------------------- results

@bp.route("/<int:questionnaire_id>/results")
@require_coordinator
def questionnaire_results(questionnaire_id: int):
    questionnaire = get_questionnaire_or_404(questionnaire_id, coordinate=True)

    def context() -> dict:
        count, waiting = queries.answer_counts(questionnaire.id)
        shown = count >= queries.RESULTS_THRESHOLD
        return {
            "questionnaire": questionnaire, "count": count, "waiting": waiting, "shown": shown,
            "results": queries.results(questionnaire) if shown else [], "threshold": queries.RESULTS_THRESHOLD,
            "statuses": status_labels(), "text_limit": queries.TEXT_ANSWERS_SHOWN,
        }

    title = _("Resultater: %(title)s", title=questionnaire.title)
    return cached_page("evaluations.results", (questionnaire.id,), title, "evaluations/results.html", context)


@bp.route("/<int:questionnaire_id>/results.csv")
@require_coordinator
def export_results(questionnaire_id: int):
    questionnaire = get_questionnaire_or_404(questionnaire_id, coordinate=True)
    count = queries.response_count(questionnaire.id)
    if count < queries.RESULTS_THRESHOLD:  # no file: the results page says why and how many have answered
        flash(ngettext("Svarene kan ikke lastes ned ennå: filen finnes når minst %(threshold)d har svart, så ingen "
                       "enkeltsvar kan kjennes igjen. Nå er %(num)d svar med i resultatene.",
                       "Svarene kan ikke lastes ned ennå: filen finnes når minst %(threshold)d har svart, så ingen "
                       "enkeltsvar kan kjennes igjen. Nå er %(num)d svar med i resultatene.",
                       count, threshold=queries.RESULTS_THRESHOLD), "warning")
        return redirect(url_for("evaluations.questionnaire_results", questionnaire_id=questionnaire.id))
    questions = questionnaire.questions
    yes_no = {1: _("Ja"), 0: _("Nei")}
    rows = []
    for number, (_response_id, values) in enumerate(queries.export_table(questionnaire), start=1):
        row = [str(number)]
        for question in questions:
            value, text = values.get(question.id, (None, None))
            if question.kind == QuestionKind.TEXT:
                cell = text or ""
            elif question.kind == QuestionKind.YES_NO:
                cell = yes_no.get(value, "")
            else:
                cell = "" if value is None else str(value)
            row.append(escape_formula(cell))
        rows.append(row)
    headers = [_("Svar nr.")] + [escape_formula(f"{i}. {q.text}") for i, q in enumerate(questions, start=1)]
    filename = f"evaluering-{questionnaire.id}-{today_oslo().isoformat()}.csv"
    log.info("user %s exported the results of questionnaire %s", current_user.email, questionnaire.id)
    return Response(to_csv(rows, headers), mimetype=CSV_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store",
    })
