"""Domain errors: raised by services with a message a resident or officer can read."""


class DomainError(Exception):
    """A rule was broken. `status` is the HTTP status a view should answer with."""

    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class PermissionDenied(DomainError):
    status = 403
