"""How evaluations answer what other domains announce (blinker signals; see gatherings/signals.py).

Imported by create_app (register_receivers), as each blueprint's jobs.py by the
scheduler; the announcing domains never import this module.
"""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from netapp.blueprints.evaluations import queries
from netapp.blueprints.evaluations.models import status_labels
from netapp.blueprints.gatherings import signals as gatherings


@gatherings.event_page_sections.connect
def event_section(event, *, person_id=None, coordinates=False, participant=False, **kwargs) -> Markup | None:
    """The event page's evaluation section: a coordinator sees every questionnaire of the event and
    a button to write one; a participant the open ones to answer."""
    if not (coordinates or participant):
        return None
    evaluations = queries.for_event(event.id, person_id, coordinator=coordinates)
    if not (coordinates or evaluations):
        return None
    return Markup(render_template("evaluations/_event_section.html", event=event, evaluations=evaluations,
                                  coordinates=coordinates, evaluation_status=status_labels()))
