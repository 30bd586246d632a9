"""Every model, imported in one place so Alembic and the app see the whole schema."""

from netapp.audit import AuditEvent  # noqa: F401
from netapp.blueprints.auth.models import LoginAttempt, OneTimeToken, User  # noqa: F401
from netapp.blueprints.evaluations.models import (  # noqa: F401
    Answer,
    HeldResponse,
    Question,
    Questionnaire,
    Response,
    ResponseReceipt,
)
from netapp.blueprints.gatherings.models import Event, EventRegistration  # noqa: F401
from netapp.blueprints.joining.models import Invitation, Registration  # noqa: F401
from netapp.blueprints.registry.models import (  # noqa: F401
    Assignment,
    ImportUpload,
    Membership,
    Network,
    Organisation,
    Person,
    Workplace,
)
from netapp.cache import DataState  # noqa: F401
from netapp.mail import OutboxMessage  # noqa: F401
