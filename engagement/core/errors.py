"""Domain errors: raised by services with a message a resident or officer can read."""


class DomainError(Exception):
    """A rule was broken. `status` is the HTTP status a view should answer with."""

    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class DomainErrors(DomainError):
    """Several problems found in one pass, so a form shows them all at once (not one per try).

    Behaves as its first error for code that reads `message`/`field`; `errors` holds them all.
    """

    def __init__(self, errors: list[DomainError]):
        super().__init__(errors[0].message, field=errors[0].field)
        self.errors = list(errors)


class FieldChecks:
    """Collects field errors from a run of checks so a service can report every field together.

        checks = FieldChecks()
        name = checks(clean_name, name)        # the cleaned value, or None if it was refused
        places = checks(check_places, row, places)
        checks.done()                          # raises DomainErrors (or the single error) if any failed

    Only errors that name a field are collected; any other DomainError (the event is closed, a
    permission) is raised at once, since the remaining answers are moot.
    """

    def __init__(self):
        self.errors: list[DomainError] = []

    def __call__(self, check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except DomainErrors as exc:
            self.errors.extend(exc.errors)
        except DomainError as exc:
            if exc.field is None or type(exc) is not DomainError:
                raise
            self.errors.append(exc)
        return None

    def add(self, message: str, field: str) -> None:
        self.errors.append(DomainError(message, field=field))

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def done(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise DomainErrors(self.errors)


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class PermissionDenied(DomainError):
    status = 403
