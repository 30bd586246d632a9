"""Security headers and cookie settings."""

from netapp import create_app


def test_security_headers_on_every_page(client):
    for url in ("/", "/auth/login", "/healthz", "/finnes-ikke"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "object-src 'none'" in csp and "base-uri 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in response.headers  # only in production, over HTTPS


def test_production_sets_hsts_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test")
    monkeypatch.setenv("BASE_URL", "https://netapp.kommune.example")
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_inline_styles_or_scripts_that_the_policy_would_block(client, demo, login):
    login("koordinator@demo.example")
    for url in ("/", "/dashboard", "/registry/", "/registry/coverage", "/n/barnepalliasjon-sor-rogaland"):
        page = client.get(url).get_data(as_text=True)
        assert 'style="' not in page, url
        assert "<script>" not in page, url
