"""An import file kept between its preview and its confirmation, so any worker can finish it, and
the confirmation itself: claimed once, planned again, applied. Functions flush, never commit."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from netapp.blueprints.registry.import_apply import apply_import
from netapp.blueprints.registry.import_parse import parse_file
from netapp.blueprints.registry.import_plan import ImportPlan, plan_import
from netapp.blueprints.registry.models import ImportUpload, Network
from netapp.extensions import db
from netapp.timeutil import utcnow

log = logging.getLogger(__name__)

UPLOAD_TTL = timedelta(days=1)


def accept_upload(content: bytes, filename: str, network: Network | None, user) -> ImportUpload:
    """Check that the file can be read (ImportFileError says why not) and keep it for the preview."""
    parse_file(content, filename)
    return store_upload(content, filename, network, user)


def store_upload(content: bytes, filename: str, network: Network | None, user) -> ImportUpload:
    """Keep an uploaded file until the coordinator confirms it; uploads older than a day go."""
    db.session.execute(delete(ImportUpload).where(ImportUpload.created_at < utcnow() - UPLOAD_TTL))
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1][:255] or "import"
    upload = ImportUpload(token=secrets.token_urlsafe(32), filename=name, content=content,
                          network=network, created_by_id=getattr(user, "id", None))
    db.session.add(upload)
    db.session.flush()
    return upload


def find_upload(token: str, user) -> ImportUpload | None:
    """The user's own upload with this token, while it is fresh."""
    return db.session.scalar(select(ImportUpload).where(
        ImportUpload.token == token, ImportUpload.created_by_id == user.id,
        ImportUpload.created_at >= utcnow() - UPLOAD_TTL,
    ))


def plan_upload(upload: ImportUpload, coordinated_ids: frozenset[int] | None, changeable=None) -> ImportPlan:
    parsed = parse_file(upload.content, upload.filename)
    return plan_import(parsed, network=upload.network, coordinated_ids=coordinated_ids, changeable=changeable)


class AlreadyImported(Exception):
    """Another request claimed the upload first: the import is done (or being done) there."""


def claim_upload(upload: ImportUpload) -> None:
    """Take the upload for this transaction, or raise AlreadyImported.

    One conditional DELETE, and the transaction's first write: of concurrent confirmations one
    deletes the row and goes on, the others wait for it and then find nothing to delete (on
    SQLite the write lock, on PostgreSQL the row lock, orders them). A rollback puts the row back."""
    claimed = db.session.execute(
        delete(ImportUpload).where(ImportUpload.id == upload.id).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise AlreadyImported(upload.id)


def import_upload(upload: ImportUpload, coordinated_ids: frozenset[int] | None, user=None,
                  changeable=None) -> tuple[ImportPlan, dict | None]:
    """Claim the upload, plan it again (the registry may have changed since the preview) and, when
    no row is rejected, import it. Returns the plan and the counts (None if refused: the caller
    rolls back, and the upload is kept). Raises AlreadyImported when another request claimed it."""
    content, filename, network = upload.content, upload.filename, upload.network
    claim_upload(upload)
    plan = plan_import(parse_file(content, filename), network=network, coordinated_ids=coordinated_ids,
                       changeable=changeable)
    if not plan.ok:
        return plan, None
    counts = apply_import(plan)
    log.info("user %s imported %s: %s", getattr(user, "email", None), filename, counts)
    db.session.flush()
    return plan, counts

