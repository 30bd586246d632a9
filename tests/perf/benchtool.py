"""Helpers for scripts/bench.sh: log in, list and check the pages, and write the report.

    python tests/perf/benchtool.py login BASE EMAIL PASSWORD       -> the Cookie header value
    python tests/perf/benchtool.py pages SUMMARY.json              -> "label<TAB>path<TAB>login" lines
    python tests/perf/benchtool.py check BASE COOKIE SUMMARY.json  -> every page answers 200 (and warms up)
    python tests/perf/benchtool.py warm BASE PATH                  -> PATH answers 200 (and warms up)
    python tests/perf/benchtool.py report RESULTS.tsv META.json OUT.md

A later issue adds its main pages to PAGES (with placeholders filled from build_data's summary).
"""

from __future__ import annotations

import http.client
import json
import re
import sys
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

USER_AGENT = "netapp-bench"

# (label, path, as whom): "coordinator" pages use the logged-in session, "anonymous" none.
PAGES = [
    ("Start page", "/", "coordinator"),
    ("Registry list", "/registry/", "coordinator"),
    ("Registry search", "/registry/?q={search}", "coordinator"),
    ("Person page", "/registry/persons/{person_id}", "coordinator"),
    ("Public network page", "/n/{network_slug}", "anonymous"),
    ("Coverage", "/registry/coverage", "coordinator"),
    ("Events", "/events/", "coordinator"),
    ("Event page", "/events/{event_id}", "coordinator"),
    ("Evaluations", "/evaluations/", "coordinator"),
    ("Evaluation results", "/evaluations/{questionnaire_id}/results", "coordinator"),
]
BASELINE = ("Baseline: minimal Flask + SQLAlchemy, 56 rows", "/", "anonymous")

MIN_RATIO = 0.5  # of the baseline's throughput, with the demo data
MAX_P95_MS = 100.0  # at national scale, on each database, cached and uncached


def pages(summary: dict) -> list[tuple[str, str, str]]:
    values = {k: quote(str(v)) for k, v in summary.items() if not isinstance(v, dict)}
    return [(label, path.format(**values), who) for label, path, who in PAGES]


# ---------------------------------------------------------------- http

def _request(base: str, method: str, path: str, cookies: dict, body: str | None = None):
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"User-Agent": USER_AGENT}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read().decode("utf-8", "replace")
    changed = False
    # The Secure flag (production) is for browsers; we keep the cookie ourselves on plain http.
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        if "01 Jan 1970" in header or not value:
            cookies.pop(name.strip(), None)
        else:
            cookies[name.strip()] = value
        changed = True
    conn.close()
    return response.status, data, changed


def login(base: str, email: str, password: str) -> str:
    """Log in through the form (CSRF token scraped from it) and return the Cookie header value.
    Pages are fetched until no new cookie comes back (the flash message is used up), so the
    measured requests make the server write no session."""
    cookies: dict[str, str] = {}
    status, page, _ = _request(base, "GET", "/auth/login", cookies)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    if status != 200 or not match:
        raise SystemExit(f"login form not found at {base}/auth/login (status {status})")
    body = urlencode({"csrf_token": match.group(1), "email": email, "password": password})
    status, _, _ = _request(base, "POST", "/auth/login", cookies, body)
    if status != 302:
        raise SystemExit(f"login as {email} failed: status {status}")
    for _ in range(5):
        status, _, changed = _request(base, "GET", "/dashboard", cookies)
        if status != 200:
            raise SystemExit(f"/dashboard answered {status} after logging in as {email}")
        if not changed:
            break
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def check(base: str, cookie: str, summary: dict) -> None:
    """Every page answers 200 (not a redirect to the login) and sets no cookie; a few requests
    each also warm up both workers (templates compiled, connections opened)."""
    jar = dict(part.split("=", 1) for part in cookie.split("; ") if part)
    for label, path, who in pages(summary):
        for _ in range(6):
            cookies = dict(jar) if who == "coordinator" else {}
            status, page, changed = _request(base, "GET", path, cookies)
            if status != 200:
                raise SystemExit(f"{label} ({path}) answered {status}")
            if "<h1" not in page:
                raise SystemExit(f"{label} ({path}) has no <h1>: not the page meant")
        if changed and who == "coordinator":
            print(f"warning: {label} ({path}) sets a cookie on every request", file=sys.stderr)


def warm(base: str, path: str) -> None:
    """A page answers 200, a few times, so both workers have loaded everything before wrk starts."""
    for _ in range(6):
        status, _, _ = _request(base, "GET", path, {})
        if status != 200:
            raise SystemExit(f"{base}{path} answered {status}")


# ---------------------------------------------------------------- report

def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}".replace(",", " ")


DATABASE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _read_results(results_path: str) -> dict[tuple[str, str], dict]:
    """results.tsv -> {(run, label): {"path": ..., "load": {...}, "latency": {...}}}; a run is
    "demo", "<database>" or "<database>-uncached"."""
    rows: dict[tuple[str, str], dict] = {}
    for line in Path(results_path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        run, label, path, kind, fields = line.split("\t")
        values = dict(item.split("=") for item in fields.split())
        result = rows.setdefault((run, label), {"path": path})
        seconds = int(values["duration_us"]) / 1e6
        errors = sum(int(v) for k, v in values.items() if k.startswith("errors_"))
        done = int(values["requests"])
        # A run in which no request finished has no percentiles (wrk reports 0): count it as failed.
        result[kind] = {
            "rps": done / seconds if seconds else 0.0,
            "p50": int(values["p50_us"]) / 1000 if done else None,
            "p95": int(values["p95_us"]) / 1000 if done else None,
            "errors": errors if done else max(errors, 1),
        }
    return rows


def report(results_path: str, meta_path: str, out_path: str) -> int:
    """Turn the wrk results into two markdown tables (the demo data's throughput, the national
    data's latency on each database); print them and write them to out_path."""
    meta = json.loads(Path(meta_path).read_text(encoding="utf-8"))
    rows = _read_results(results_path)
    databases = meta["databases"]
    labels = [BASELINE[0]] + [label for label, _, _ in PAGES]
    misses = []

    def baseline_rps(run: str) -> float | None:
        return rows.get((run, BASELINE[0]), {}).get("load", {}).get("rps")

    national = meta["national"][databases[0]] if databases else {}
    built = "; ".join(
        f"on {DATABASE_NAMES[db]} in {meta['national'][db].get('build_seconds', '?')} s "
        f"(migrations and build: {meta['build_wall_seconds'][db]} s)" for db in databases)
    lines = [
        f"# netapp benchmark, {meta['started']}",
        "",
        f"Machine: {meta['machine']}. Server: gunicorn {meta['gunicorn']}, {meta['workers']} sync workers, "
        f"NETAPP_ENV=production. Databases: demo data on {meta['versions']['sqlite']}; national data on "
        + ", and on ".join(meta["versions"][db] for db in databases) + ". "
        f"Client: {meta['wrk']} on the same machine (loopback). Load average before the run: {meta['load']}.",
        f"Throughput: `wrk -t{meta['threads']} -c{meta['connections']} -d{meta['duration']}s`. "
        f"Latency: `wrk -t2 -c2 -d{meta['latency_duration']}s` (one connection per worker, so no request "
        "waits in the queue); the p95 under the throughput load is shown too.",
        f"Demo data: {meta['demo']['counts']['person']} persons. National data set: "
        f"{national.get('counts', {}).get('person', '?')} persons, {national.get('counts', {}).get('membership', '?')} "
        f"memberships, {national.get('counts', {}).get('network', '?')} networks, 357 municipalities, "
        f"{national.get('counts', {}).get('event_registration', '?')} event registrations, "
        f"{national.get('counts', {}).get('answer', '?')} answers; built {built}.",
        "",
        "Pages keep their content in each worker's fragment cache between changes to the data "
        "(netapp/cache.py), as in production; the *uncached* columns measure the national data again with "
        "FRAGMENT_CACHE=0, so that every request renders its page, as the first request after a change does.",
        "",
        f"Targets: with the demo data every page serves at least {MIN_RATIO}× the baseline's requests per second; "
        f"at national scale every page's p95 is under {MAX_P95_MS:.0f} ms on "
        + " and ".join(DATABASE_NAMES[db] for db in databases) + ", cached and uncached.",
        "",
        "## Demo data (SQLite)",
        "",
        f"| Page | Path | req/s | × baseline | p50 ms | p95 ms | ≥ {MIN_RATIO}× |",
        "|---|---|--:|--:|--:|--:|:-:|",
    ]
    for label in labels:
        demo = rows.get(("demo", label), {})
        load, lat = demo.get("load", {}), demo.get("latency", {})
        base = baseline_rps("demo")
        ratio = load.get("rps") / base if load.get("rps") and base else None
        errors = sum(run.get("errors", 0) for run in (load, lat))
        ok = ""
        if label != BASELINE[0]:
            ok = "PASS" if ratio is not None and ratio >= MIN_RATIO and not errors else "**MISS**"
            if ratio is None or ratio < MIN_RATIO:
                misses.append(f"{label}: {_fmt(ratio, 2)}× the baseline with the demo data")
            if errors:
                misses.append(f"{label}: {errors} failed requests with the demo data")
        lines.append(f"| {label} | `{demo.get('path', '')}` | {_fmt(load.get('rps'))} | {_fmt(ratio, 2)} | "
                     f"{_fmt(lat.get('p50'))} | {_fmt(lat.get('p95'))} | {ok} |")
    lines += [
        "",
        "## National data",
        "",
        "| Page | Path | Database | req/s | × baseline | p50 ms | p95 ms | "
        f"p95 ms at {meta['connections']} conn. | Uncached req/s | Uncached p50 ms | Uncached p95 ms | "
        f"p95 < {MAX_P95_MS:.0f} ms |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|:-:|",
    ]
    for label in labels:
        for db in databases:
            cached, uncached = rows.get((db, label), {}), rows.get((f"{db}-uncached", label), {})
            c_load, c_lat = cached.get("load", {}), cached.get("latency", {})
            u_load, u_lat = uncached.get("load", {}), uncached.get("latency", {})
            base = baseline_rps(db)
            ratio = c_load.get("rps") / base if c_load.get("rps") and base else None
            errors = sum(run.get("errors", 0) for run in (c_load, c_lat, u_load, u_lat))
            ok = ""
            if label != BASELINE[0]:
                missed = [f"p95 {_fmt(p95)} ms on {DATABASE_NAMES[db]}{', uncached' if kind == 'uncached' else ''}"
                          for kind, p95 in (("cached", c_lat.get("p95")), ("uncached", u_lat.get("p95")))
                          if p95 is None or p95 >= MAX_P95_MS]
                if errors:
                    missed.append(f"{errors} failed requests on {DATABASE_NAMES[db]}")
                ok = "**MISS**" if missed else "PASS"
                misses += [f"{label}: {m}" for m in missed]
            lines.append(
                f"| {label} | `{cached.get('path', uncached.get('path', ''))}` | {DATABASE_NAMES[db]} | "
                f"{_fmt(c_load.get('rps'))} | {_fmt(ratio, 2)} | {_fmt(c_lat.get('p50'))} | {_fmt(c_lat.get('p95'))} | "
                f"{_fmt(c_load.get('p95'))} | {_fmt(u_load.get('rps'))} | {_fmt(u_lat.get('p50'))} | "
                f"{_fmt(u_lat.get('p95'))} | {ok} |"
            )
    lines.append("")
    if misses:
        lines.append(f"**{len(misses)} target(s) missed:**")
        lines += [f"- {m}" for m in misses]
    else:
        lines.append("All targets met.")
    text = "\n".join(lines) + "\n"
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    Path(out_path).write_text(text, encoding="utf-8")
    print(text)
    return 0


def main(argv: list[str]) -> int:
    command, args = argv[0], argv[1:]
    if command == "login":
        print(login(*args))
    elif command == "pages":
        summary = json.loads(Path(args[0]).read_text(encoding="utf-8"))
        for label, path, who in pages(summary):
            print(f"{label}\t{path}\t{who}")
    elif command == "check":
        check(args[0], args[1], json.loads(Path(args[2]).read_text(encoding="utf-8")))
    elif command == "warm":
        warm(*args)
    elif command == "report":
        return report(*args)
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
