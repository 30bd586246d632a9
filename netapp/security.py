"""Security headers on every response, input cleaned of characters no page can show, and the
one check of where a `next` address may lead."""

import re
from urllib.parse import urlsplit

from flask import Flask, request, url_for
from werkzeug.datastructures import ImmutableMultiDict

# C0 controls except tab, line feed and carriage return; DEL and C1 controls; non-characters.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "]"
)


def clean_text(value: str) -> str:
    return FORBIDDEN.sub("", value)


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed (after login, after choosing a language);
    anything else leads to the dashboard."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.dashboard")


CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def register(app: Flask) -> None:
    production = app.config.get("SESSION_COOKIE_SECURE", False)

    @app.before_request
    def drop_control_characters():
        """Control characters and non-characters are never typed by a person; HTML forbids them and
        PostgreSQL refuses NUL. Remove them from all input, so such a request is handled like any
        other and nothing unshowable is stored."""
        if request.view_args:
            request.view_args = {k: clean_text(v) if isinstance(v, str) else v for k, v in request.view_args.items()}
        for name in ("args", "form"):
            values = getattr(request, name)
            if any(FORBIDDEN.search(v) for v in values.values()):
                cleaned = ImmutableMultiDict([(k, clean_text(v)) for k, v in values.items(multi=True)])
                setattr(request, name, cleaned)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
