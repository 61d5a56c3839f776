"""The one error tree of Muse Coord.

Every error carries the exit code the CLI returns and the HTTP status the hub
answers with, so both shells map errors in exactly one place::

    MuseError                      exit 3  http 500  (internal)
    ├── UsageError                 exit 2  http 400
    │   └── NotARepository         exit 2  http 400
    ├── UserError                  exit 1  http 400
    │   ├── InvalidId              exit 1  http 400
    │   ├── InvalidRecord          exit 1  http 422
    │   ├── ConflictError          exit 1  http 409  (holder named)
    │   ├── DependencyCycle        exit 1  http 409
    │   ├── TooLarge               exit 1  http 413  (over a per-request limit)
    │   └── StaleToken             exit 1  http 409  (fencing)
    ├── NotFound                   exit 4  http 404
    └── RemoteError                exit 5  http 502
        ├── HubUnreachable         exit 5
        ├── HubAuthError           exit 5  (hub said 401/403)
        └── HubResponseError       exit 5  (5xx, malformed body)
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar


__all__ = [
    "ConflictError",
    "DependencyCycle",
    "HubAuthError",
    "HubResponseError",
    "HubUnreachable",
    "InvalidId",
    "InvalidRecord",
    "MuseError",
    "NotARepository",
    "NotFound",
    "RemoteError",
    "StaleToken",
    "TooLarge",
    "UsageError",
    "UserError",
]


class MuseError(Exception):
    """Root of every error Muse raises on purpose."""

    exit_code: ClassVar[int] = 3
    http_status: ClassVar[int] = 500
    code: ClassVar[str] = "internal"
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class UsageError(MuseError):
    exit_code = 2
    http_status = 400
    code = "usage"


class NotARepository(UsageError):
    code = "not_a_repository"


class UserError(MuseError):
    exit_code = 1
    http_status = 400
    code = "user_error"


class InvalidId(UserError):
    code = "invalid_id"


class InvalidRecord(UserError):
    http_status = 422
    code = "invalid_record"


class ConflictError(UserError):
    """A symbol or task is held by someone else; ``details`` names the holder."""

    http_status = 409
    code = "conflict"
    retryable = True


class DependencyCycle(UserError):
    http_status = 409
    code = "dependency_cycle"


class StaleToken(UserError):
    """A fencing token no longer matches the current lease holder."""

    http_status = 409
    code = "stale_token"


class TooLarge(UserError):
    """A request over a per-request limit (symbols, tasks, body size)."""

    http_status = 413
    code = "payload_too_large"


class NotFound(MuseError):
    exit_code = 4
    http_status = 404
    code = "not_found"


class RemoteError(MuseError):
    exit_code = 5
    http_status = 502
    code = "remote_error"
    retryable = True


class HubUnreachable(RemoteError):
    code = "hub_unreachable"


class HubAuthError(RemoteError):
    code = "hub_auth"
    retryable = False


class HubResponseError(RemoteError):
    code = "hub_response"
