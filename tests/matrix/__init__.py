"""The route x role matrix, one module per domain.

Each module defines ROUTES, a list of `Route`. A route names its endpoint, method, how to build
its URL from the matrix context, and the status each role gets. Roles:

- anonymous: not logged in (protected pages redirect to login: 302)
- resource_person: ressurs@demo.example
- manager: leder@demo.example (manages ressurs@demo.example and others)
- coordinator: koordinator@demo.example (coordinator of both demo networks)
- admin: admin@demo.example
- other_coordinator: coordinator of the Stavanger resource group only
- other_manager: a manager of other staff (none of the persons in the context)

The context `ctx` (see tests/test_route_matrix.py) holds ids and slugs of demo objects:
person (a resource person in the regional network only, managed by leder@), network
(regional slug), other_network (Stavanger group slug), workplace, registration (awaiting the
coordinator), registration_awaiting_manager, manager_token (valid manager confirmation token),
password_token (valid set-password token), invitation_token (valid invitation token).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("anonymous", "resource_person", "manager", "coordinator", "admin", "other_coordinator", "other_manager")


@dataclass
class Route:
    endpoint: str
    method: str
    url: Callable[[dict], str]
    expect: dict[str, int]
    data: Callable[[dict], dict] | None = None
    fresh: bool = False  # the request changes state: run it against a fresh demo per role
    note: str = ""
    extra: dict = field(default_factory=dict)

    def expected(self, role: str) -> int:
        if role in self.expect:
            return self.expect[role]
        if role == "other_coordinator" and "coordinator" in self.expect:
            return self.expect["coordinator"]
        if role == "other_manager" and "manager" in self.expect:
            return self.expect["manager"]
        if "*" in self.expect:
            return self.expect["*"]
        raise KeyError(f"{self.method} {self.endpoint}: no expected status for role {role}")


def everyone(status: int) -> dict[str, int]:
    return {role: status for role in ROLES}


def login_required(ok: int, *, allowed=("resource_person", "manager", "coordinator", "admin",
                                          "other_coordinator", "other_manager"), denied: int = 403) -> dict[str, int]:
    """anonymous -> 302 to login; allowed roles -> ok; others -> 403."""
    result = {"anonymous": 302}
    for role in ROLES[1:]:
        result[role] = ok if role in allowed else denied
    return result


COORDINATORS = ("coordinator", "admin", "other_coordinator")
