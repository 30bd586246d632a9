"""Helpers for scripts/bench.sh: log in, list and check the pages, and write the report.

    python tests/perf/benchtool.py login BASE EMAIL PASSWORD       -> the Cookie header value
    python tests/perf/benchtool.py pages SUMMARY.json              -> "label<TAB>path<TAB>login" lines
    python tests/perf/benchtool.py check BASE COOKIE SUMMARY.json  -> every page answers 200 (and warms up)
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
MAX_P95_MS = 100.0  # at national scale


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


# ---------------------------------------------------------------- report

def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}".replace(",", " ")


def report(results_path: str, meta_path: str, out_path: str) -> int:
    """Turn the wrk results into the markdown table; print it and write it to out_path."""
    meta = json.loads(Path(meta_path).read_text(encoding="utf-8"))
    rows: dict[tuple[str, str], dict] = {}
    for line in Path(results_path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        dataset, label, path, kind, fields = line.split("\t")
        values = dict(item.split("=") for item in fields.split())
        result = rows.setdefault((dataset, label), {"path": path})
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
    labels = [BASELINE[0]] + [label for label, _, _ in PAGES]
    baseline = {ds: rows.get((ds, BASELINE[0]), {}).get("load", {}).get("rps") for ds in ("demo", "national", "uncached")}
    misses = []
    lines = [
        f"# netapp benchmark, {meta['started']}",
        "",
        f"Machine: {meta['machine']}. Server: gunicorn {meta['gunicorn']}, {meta['workers']} sync workers, "
        f"NETAPP_ENV=production; national data on {meta['database']}, demo data on SQLite. "
        f"Client: {meta['wrk']} on the same machine (loopback). Load average before the run: {meta['load']}.",
        f"Throughput: `wrk -t{meta['threads']} -c{meta['connections']} -d{meta['duration']}s`. "
        f"Latency: `wrk -t2 -c2 -d{meta['latency_duration']}s` (one connection per worker, so no request "
        "waits in the queue); the p95 under the throughput load is shown too.",
        f"Demo data: {meta['demo']['counts']['person']} persons. National data set: "
        f"{meta['national']['counts']['person']} persons, {meta['national']['counts']['membership']} memberships, "
        f"{meta['national']['counts']['network']} networks, 357 municipalities; built in "
        f"{meta['national'].get('build_seconds', '?')} s (migrations and build: {meta['build_wall_seconds']} s).",
        "",
        "Pages keep their content in each worker's fragment cache between changes to the data "
        "(netapp/cache.py), as in production; the *uncached* columns measure the national data again with "
        "FRAGMENT_CACHE=0, so that every request renders its page, as the first request after a change does.",
        "",
        f"Targets: with the demo data every page serves at least {MIN_RATIO}× the baseline's requests per second; "
        f"at national scale every page's p95 is under {MAX_P95_MS:.0f} ms, cached and uncached.",
        "",
        "| Page | Path (national) | Demo req/s | Demo p50 ms | Demo p95 ms | × baseline | "
        f"≥ {MIN_RATIO}× | National req/s | × baseline | p50 ms | p95 ms | p95 ms at {meta['connections']} conn. | "
        f"Uncached req/s | Uncached p50 ms | Uncached p95 ms | p95 < {MAX_P95_MS:.0f} ms |",
        "|---|---|--:|--:|--:|--:|:-:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|",
    ]
    for label in labels:
        demo = rows.get(("demo", label), {})
        national = rows.get(("national", label), {})
        uncached = rows.get(("uncached", label), {})
        d_load, d_lat = demo.get("load", {}), demo.get("latency", {})
        n_load, n_lat = national.get("load", {}), national.get("latency", {})
        u_load, u_lat = uncached.get("load", {}), uncached.get("latency", {})
        d_ratio = d_load.get("rps") / baseline["demo"] if d_load.get("rps") and baseline["demo"] else None
        n_ratio = n_load.get("rps") / baseline["national"] if n_load.get("rps") and baseline["national"] else None
        is_baseline = label == BASELINE[0]
        errors = sum(run.get("errors", 0) for run in (d_load, d_lat, n_load, n_lat, u_load, u_lat))
        worst_p95 = None if n_lat.get("p95") is None or u_lat.get("p95") is None else max(n_lat["p95"], u_lat["p95"])
        if is_baseline:
            ratio_ok = p95_ok = ""
        else:
            ratio_ok = "PASS" if d_ratio is not None and d_ratio >= MIN_RATIO and not errors else "**MISS**"
            p95_ok = "PASS" if worst_p95 is not None and worst_p95 < MAX_P95_MS and not errors else "**MISS**"
            if "MISS" in ratio_ok:
                misses.append(f"{label}: {_fmt(d_ratio, 2)}× the baseline with the demo data")
            if "MISS" in p95_ok:
                misses.append(f"{label}: p95 {_fmt(worst_p95)} ms at national scale")
            if errors:
                misses.append(f"{label}: {errors} failed requests")
        lines.append(
            f"| {label} | `{national.get('path', demo.get('path', ''))}` | {_fmt(d_load.get('rps'))} | "
            f"{_fmt(d_lat.get('p50'))} | {_fmt(d_lat.get('p95'))} | {_fmt(d_ratio, 2)} | {ratio_ok} | "
            f"{_fmt(n_load.get('rps'))} | {_fmt(n_ratio, 2)} | {_fmt(n_lat.get('p50'))} | {_fmt(n_lat.get('p95'))} | "
            f"{_fmt(n_load.get('p95'))} | {_fmt(u_load.get('rps'))} | {_fmt(u_lat.get('p50'))} | "
            f"{_fmt(u_lat.get('p95'))} | {p95_ok} |"
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
    elif command == "report":
        return report(*args)
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
