"""PLACEHOLDER: `flask registry import|export` (being built)."""

from flask.cli import AppGroup

registry_cli = AppGroup("registry", help="Import og eksport av registeret.")
