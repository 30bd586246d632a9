"""The domains (netapp/blueprints/*) and the modules by which each one registers with the core.

A blueprint may hold `jobs.py` (scheduled jobs, read by scheduler.py), `person_hooks.py` (how its
rows about a person are merged, erased and downloaded, read by person_hooks.py) and `receivers.py`
(its answers to other domains' signals, imported by create_app). The core finds them by file name
and imports them in the blueprints' name order, so it names no domain.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

BLUEPRINTS = Path(__file__).parent / "blueprints"
PACKAGE = f"{__package__}.blueprints"


def modules_named(name: str) -> list[ModuleType]:
    """Import netapp/blueprints/*/<name>.py, in the blueprints' name order."""
    return [importlib.import_module(f"{PACKAGE}.{path.parent.name}.{name}")
            for path in sorted(BLUEPRINTS.glob(f"*/{name}.py"))]


def page_sections(signal, sender, **kwargs) -> list:
    """What other domains add to a page (a blinker signal whose receivers return a rendered section
    or None). Blinker calls receivers in no set order, so the sections are put in the order of their
    receivers' names (module, then function), the same on every request and in every worker."""
    answers = signal.send(sender, **kwargs)
    answers.sort(key=lambda pair: (pair[0].__module__, pair[0].__qualname__))
    return [section for _receiver, section in answers if section]
