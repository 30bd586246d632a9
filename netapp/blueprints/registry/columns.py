"""The registry's file format: the columns the import reads and the export writes, with their
Norwegian headers and the other names a column may have in a hand-kept sheet.

An exported file imports again unchanged: the same columns, the sector in words, the status as
«aktiv» or «sluttet».
"""

from __future__ import annotations

import re

from flask_babel import force_locale
from flask_babel import gettext as _

from netapp.blueprints.registry.models import PersonStatus, Sector, sector_labels

# The columns in the order export writes them; the Norwegian header is what export writes and
# the template shows. Aliases are compared after `match_key` (case, spaces and punctuation dropped).
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("first_name", "Fornavn", ("fornavn", "firstname", "givenname")),
    ("last_name", "Etternavn", ("etternavn", "lastname", "surname", "familyname")),
    ("email", "E-post", ("epost", "epostadresse", "email", "emailaddress", "mail")),
    ("phone", "Telefon", ("telefon", "telefonnummer", "mobil", "tlf", "phone", "phonenumber")),
    ("profession", "Yrke", ("yrke", "profession", "occupation")),
    ("workplace", "Arbeidssted", ("arbeidssted", "arbeidsstad", "workplace")),
    ("municipality", "Kommune", ("kommune", "municipality", "organisasjon", "organisation", "organization",
                                 "kommuneorganisasjon")),
    ("sector", "Sektor", ("sektor", "sector")),
    ("manager_email", "Leder e-post", ("ledereepost", "lederepost", "ledersepost", "lederepostadresse",
                                       "manageremail", "manager")),
    ("position_percent", "Stillingsprosent", ("stillingsprosent", "stilling", "positionpercent",
                                              "positionpercentage")),
    ("network", "Nettverk", ("nettverk", "network", "networks")),
    ("status", "Status", ("status",)),
]
HEADERS = [header for _key_, header, _aliases in COLUMNS]
REQUIRED = ("first_name", "last_name", "email")
MAX_LENGTHS = {"first_name": 100, "last_name": 100, "email": 254, "phone": 40, "profession": 100,
               "workplace": 200}
STATUS_WORDS = {
    "aktiv": PersonStatus.ACTIVE, "active": PersonStatus.ACTIVE,
    "sluttet": PersonStatus.LEFT, "slutta": PersonStatus.LEFT, "left": PersonStatus.LEFT,
}
STATUS_EXPORT = {PersonStatus.ACTIVE: "aktiv", PersonStatus.LEFT: "sluttet"}


def match_key(value: str) -> str:
    """Compare names without letter case, spaces or punctuation: 'E-post' == 'e post' == 'epost'."""
    return re.sub(r"[\W_]+", "", (value or "").casefold())


def field_labels() -> dict[str, str]:
    return {
        "first_name": _("Fornavn"), "last_name": _("Etternavn"), "email": _("E-post"), "phone": _("Telefon"),
        "profession": _("Yrke"), "workplace": _("Arbeidssted"), "municipality": _("Kommune"),
        "sector": _("Sektor"), "manager_email": _("Leder e-post"), "position_percent": _("Stillingsprosent"),
        "network": _("Nettverk"), "status": _("Status"),
    }


def sector_names_nb() -> dict[Sector, str]:
    """The sector labels in bokmål, whatever the user's language: export writes these."""
    with force_locale("nb"):
        return {sector: str(label) for sector, label in sector_labels().items()}


def sector_lookup() -> dict[str, Sector]:
    lookup = {match_key(s.value): s for s in Sector}
    for locale in ("en", "nn", "nb"):
        with force_locale(locale):
            lookup.update({match_key(str(label)): sector for sector, label in sector_labels().items()})
    return lookup

