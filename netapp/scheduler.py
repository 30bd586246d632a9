"""PLACEHOLDER: the scheduler process (being built)."""


def run() -> None:
    raise SystemExit("not built yet")
