"""How events answer what other domains ask (blinker signals; see registry/signals.py).

Imported by create_app (register_receivers); the asking domains never import this module.
"""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from netapp.blueprints.gatherings import queries
from netapp.blueprints.registry import signals as registry
from netapp.timeutil import utcnow

PERSON_EVENTS_SHOWN = 20  # the newest; the totals count them all


@registry.person_page_sections.connect
def person_events(person, *, network_ids=None, now=None, **kwargs) -> Markup:
    """The person page's events: those registered for in the viewer's networks, and attendance."""
    rows, registered, attended = queries.person_events(person.id, network_ids, limit=PERSON_EVENTS_SHOWN)
    return Markup(render_template("gatherings/_person_section.html", rows=rows, registered=registered,
                                  attended=attended, now=now or utcnow()))
