"""What the registry asks other domains (blinker signals), so a domain can add to a page it does
not own without the registry importing it: gatherings answer with the events a person registered
for (their `receivers.py`, imported by create_app). Receivers take `**kwargs`."""

from __future__ import annotations

from blinker import Namespace

from netapp import domains

_signals = Namespace()

person_page_sections = _signals.signal("person-page-sections", doc="""
The registry's person page asks what else belongs on it (registry.views.view_person).

Sender: the `Person`. Keyword arguments: `network_ids`, the networks the viewer coordinates (None:
every network, an admin), so a section shows only what the viewer may see, and `now` (UTC, rounded
to the page's time slot: what is coming and what is past). Receivers return the
rendered section (`Markup`, starting with its own h2) or None. Sent while the page's content is
rendered for the fragment cache (kept per viewer scope until the data changes), so a section may
depend on nothing else than these arguments and the data; it costs a fixed number of queries,
however much the person has done. Nothing may be written here.
""")


def page_sections(person, **kwargs) -> list:
    """The sections other domains add to the person's page, in their receivers' name order."""
    return domains.page_sections(person_page_sections, person, **kwargs)
