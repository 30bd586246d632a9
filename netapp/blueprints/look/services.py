"""A network's logo and colour: checked, cleaned and stored (flushed; the view commits).

A logo is a PNG (recognised by its content with `filetype`, whatever the file is called) or an SVG,
parsed and rebuilt from a list of drawing elements and attributes: no scripts, no event handlers,
no foreignObject, no style sheets, no references outside the file (href only to "#id", no url()
but url(#id)), no DOCTYPE or entities. What is stored is what will be served.
"""

from __future__ import annotations

import hashlib
import logging
import re
import xml.etree.ElementTree as ET

import filetype
from flask_babel import gettext as _

from netapp.extensions import db
from netapp.look import normalised_colour, readable

log = logging.getLogger(__name__)

MAX_LOGO_BYTES = 256 * 1024
PNG, SVG = "image/png", "image/svg+xml"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

# Drawing elements only: no script, style, foreignObject, a, image, iframe, animate/set (which can
# change href), feImage.
ELEMENTS = frozenset({
    "svg", "g", "defs", "symbol", "use", "title", "desc", "path", "rect", "circle", "ellipse", "line",
    "polyline", "polygon", "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop",
    "clipPath", "mask", "pattern", "marker", "filter", "feGaussianBlur", "feOffset", "feBlend",
    "feColorMatrix", "feComposite", "feFlood", "feMerge", "feMergeNode", "feMorphology",
})
# Attributes whose value may hold url(...) or a reference: only to the file's own ids.
URL_VALUE = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)
UNSAFE_VALUE = re.compile(r"javascript:|data:|expression\s*\(|@import", re.IGNORECASE)


class LogoRefused(ValueError):
    """The file cannot be a logo; the message says why, for the form's field."""


def _local(name: str) -> tuple[str | None, str]:
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return None, name


def _safe_attribute(name: str, value: str) -> bool:
    namespace, local = _local(name)
    if local.lower().startswith("on"):
        return False  # event handlers
    if local == "href" and namespace in (None, XLINK_NS):
        return value.strip().startswith("#")
    if namespace not in (None, XML_NS):
        return False
    if UNSAFE_VALUE.search(value):
        return False
    return all(target.startswith("#") for target in URL_VALUE.findall(value))


def _clean(element: ET.Element) -> int:
    """Remove what is not allowed under `element`, in place; returns how many things were removed."""
    removed = 0
    for name in list(element.attrib):
        if not _safe_attribute(name, element.attrib[name]):
            del element.attrib[name]
            removed += 1
    for child in list(element):
        namespace, local = _local(child.tag) if isinstance(child.tag, str) else (None, "")
        if namespace != SVG_NS or local not in ELEMENTS:
            element.remove(child)  # with everything inside it (a script's text, foreignObject's HTML)
            removed += 1
        else:
            removed += _clean(child)
    return removed


def clean_svg(data: bytes) -> bytes:
    """The SVG rebuilt from its allowed parts, or LogoRefused."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise LogoRefused(_("SVG-filen har en DOCTYPE eller egne entiteter. Lagre den på nytt som vanlig SVG."))
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, ValueError):
        raise LogoRefused(_("Filen er verken et PNG- eller et SVG-bilde.")) from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise LogoRefused(_("Filen er verken et PNG- eller et SVG-bilde."))
    removed = _clean(root)
    if removed:
        log.info("logo SVG: removed %d unsafe element(s) or attribute(s)", removed)
    return ET.tostring(root, encoding="utf-8", xml_declaration=False)


def checked_logo(data: bytes) -> tuple[bytes, str]:
    """(the bytes to store, their MIME type) for an uploaded logo, or LogoRefused."""
    if not data:
        raise LogoRefused(_("Filen er tom."))
    if len(data) > MAX_LOGO_BYTES:
        raise LogoRefused(_("Logoen er for stor. Største tillatte størrelse er %(size)d kB.",
                            size=MAX_LOGO_BYTES // 1024))
    kind = filetype.guess(data)
    if kind is not None:
        if kind.mime == PNG:
            return data, PNG
        raise LogoRefused(_("Logoen må være et PNG- eller et SVG-bilde (denne filen er %(type)s).", type=kind.mime))
    if data.lstrip()[:1] != b"<":
        raise LogoRefused(_("Filen er verken et PNG- eller et SVG-bilde."))
    return clean_svg(data), SVG


def colour_problem(text: str | None) -> str | None:
    """Why `text` cannot be the header's colour, or None (empty means the neutral default)."""
    if not (text or "").strip():
        return None
    colour = normalised_colour(text)
    if colour is None:
        return _("Skriv fargen som # og seks sifre eller bokstaver a–f, for eksempel #1f4e5f.")
    if not readable(colour):
        return _("Verken hvit eller svart tekst blir lesbar på denne fargen (kontrast under 4,5:1). "
                 "Velg en mørkere eller lysere farge.")
    return None


def update_look(network, *, logo: tuple[bytes, str] | None, remove_logo: bool, colour: str | None) -> None:
    """A new logo (checked_logo's result), or none when `remove_logo`; the colour as "#rrggbb", or
    None for the neutral default (checked with colour_problem first)."""
    if logo is not None:
        data, mime = logo
        network.logo, network.logo_type = data, mime
        network.logo_hash = hashlib.sha256(data).hexdigest()[:16]
    elif remove_logo:
        network.logo = network.logo_type = network.logo_hash = None
    network.colour = normalised_colour(colour)
    db.session.flush()
