"""What the events domain announces, for other domains to react to (blinker signals).

Gatherings never import the domains that listen: evaluations, newsletters and the annual plan
connect their own receivers (in their `receivers.py`, imported by create_app), e.g.

    from netapp.blueprints.gatherings import signals

    @signals.attendance_closed.connect
    def _open_evaluation(event, *, closed_at, **kwargs): ...

The sender is always the `Event`. Receivers take `**kwargs`, so a signal can gain arguments
without breaking them.

The domain signals (event_changed, event_cancelled, event_restored, attendance_closed) are sent by the services
after the change is flushed, inside the caller's transaction and before it commits. A receiver
therefore writes in the same transaction (it flushes, never commits), sees the change, and what it
writes commits or rolls back with it. A receiver that raises aborts the whole change: the exception
reaches the view, nothing is committed, and the request ends as an error (the 500 page rolls the
session back). A receiver that must not hold up the change should queue its work (the outbox, a
flag a job picks up) rather than do it there and then.
"""

from __future__ import annotations

from blinker import Namespace

from netapp import domains

_signals = Namespace()

event_changed = _signals.signal("event-changed", doc="""
An event was created or its details were changed (gatherings.services.create_event / update_event).

Sender: the `Event`, flushed. Keyword arguments: `created` (True for a new event) and `changed`, a
frozenset of the names of the attributes that changed (all of them for a new event; possibly empty
when a form was saved unchanged). Return values are ignored.
""")

event_cancelled = _signals.signal("event-cancelled", doc="""
An event was cancelled (gatherings.services.cancel_event), once: only the request whose conditional
UPDATE claimed the cancellation sends it, after the participants' e-mails were queued.

Sender: the `Event`, its `cancelled_at` set. Keyword arguments: `cancelled_at` (UTC) and `notified`,
the number of participants e-mailed. Return values are ignored.
""")

event_restored = _signals.signal("event-restored", doc="""
A cancelled event was restored on purpose (gatherings.services.restore_event), once: only the
request whose conditional UPDATE claimed it sends it, after the participants' e-mails were queued.

Sender: the `Event`, its `cancelled_at` cleared. Keyword arguments: `restored_at` (UTC) and
`notified`, the number of participants e-mailed. Return values are ignored.
""")

attendance_closed = _signals.signal("attendance-closed", doc="""
A coordinator closed the attendance list of an event that has started
(gatherings.services.close_attendance), once: only the request whose conditional UPDATE claimed it
sends it. From now on who attended is final (e.g. the evaluation can go to those who came).

Sender: the `Event`, its `attendance_closed_at` set. Keyword arguments: `closed_at` (UTC) and
`attended`, the number of registrations marked as attended. Return values are ignored.
""")

event_page_sections = _signals.signal("event-page-sections", doc="""
The event page asks what else belongs on it (gatherings.views.view_event), so another domain can
show its own section there (evaluations: the event's questionnaires) without gatherings knowing it.

Sender: the `Event`. Keyword arguments: `person_id` (the viewer's person, or None), `coordinates`
(the viewer coordinates the event's network) and `participant` (the viewer may register for it).
Receivers return the rendered section (`Markup`, starting with its own heading) or None to add
nothing. Sent while the page's content is rendered for the fragment cache, so a section may depend
on nothing else than these arguments and the data. Nothing may be written here.
""")


def page_sections(event, **kwargs) -> list:
    """The sections other domains add to the event's page, in their receivers' name order."""
    return domains.page_sections(event_page_sections, event, **kwargs)
