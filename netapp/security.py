"""Security headers on every response."""

from flask import Flask, request
from werkzeug.datastructures import ImmutableMultiDict

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
    def drop_nul_characters():
        """NUL is never typed by a person, and PostgreSQL refuses it in text: remove it from input
        so that such a request is handled like any other instead of failing in the database."""
        if request.view_args:
            request.view_args = {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in request.view_args.items()}
        for name in ("args", "form"):
            values = getattr(request, name)
            if any("\x00" in v for v in values.values()):
                cleaned = ImmutableMultiDict([(k, v.replace("\x00", "")) for k, v in values.items(multi=True)])
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
