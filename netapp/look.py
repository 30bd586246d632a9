"""A network's look in the page header: its colour, with a text colour readable on it, and its logo.

A page tied to one network (its public page, its events, its registry list filtered to it) calls
`show_network(network)` before rendering; the layout then shows that network's name, logo and
colour. Other pages show the installation's name on the neutral default colour.

Colours are "#rrggbb". The header's text is white or near-black, whichever contrasts more with the
colour (WCAG 2.1 relative luminance); a colour on which neither reaches 4.5:1 (AA for normal text)
is refused when chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import g, url_for

DEFAULT_COLOUR = "#1f4e5f"  # netapp.css's .bg-brand
LIGHT_TEXT = "#ffffff"
DARK_TEXT = "#212529"  # Bootstrap's body colour
AA_CONTRAST = 4.5
COLOUR = re.compile(r"^#[0-9a-f]{6}$")


def normalised_colour(text: str | None) -> str | None:
    """'#1F4E5F' or '1f4e5f' -> '#1f4e5f'; None for anything else."""
    value = (text or "").strip().lower()
    if value and not value.startswith("#"):
        value = "#" + value
    return value if COLOUR.match(value) else None


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g_, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g_) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_for(colour: str) -> str:
    """White or near-black: whichever contrasts more with `colour`."""
    return max((LIGHT_TEXT, DARK_TEXT), key=lambda text: contrast_ratio(colour, text))


def readable(colour: str) -> bool:
    """Whether header text on `colour` reaches WCAG AA (4.5:1) with white or near-black."""
    return contrast_ratio(colour, text_colour_for(colour)) >= AA_CONTRAST


@dataclass(frozen=True)
class HeaderLook:
    """What the header shows for a network: plain values, so the header can be cached by them."""

    name: str
    slug: str
    colour: str | None
    logo_url: str | None

    @property
    def key(self) -> tuple:
        return (self.slug, self.name, self.colour, self.logo_url)

    @property
    def light_text(self) -> bool:
        return text_colour_for(self.colour or DEFAULT_COLOUR) == LIGHT_TEXT

    @property
    def stylesheet_url(self) -> str | None:
        return url_for("look.colour_stylesheet", colour=self.colour[1:]) if self.colour else None


def logo_url(network) -> str | None:
    if not network.logo_hash:
        return None
    return url_for("look.network_logo", slug=network.slug, logo_hash=network.logo_hash)


def show_network(network) -> None:
    """This request's page belongs to `network`: the header shows its name, logo and colour."""
    g.network_look = HeaderLook(name=network.display_name, slug=network.slug, colour=network.colour,
                                logo_url=logo_url(network))


def network_look() -> HeaderLook | None:
    """The network this request's page belongs to, if it belongs to one (a template global)."""
    return g.get("network_look")
