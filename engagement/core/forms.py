"""Glue between DomainError and WTForms: put the service's message next to the right field."""

from engagement.core.errors import DomainError, DomainErrors


def apply_domain_error(form, exc: DomainError, *, only_new: bool = False) -> None:
    """Each message next to its field (or at the top of the form); DomainErrors puts all of them.

    only_new: add a message only to a field that has no error yet (the form's own checks came first),
    and drop messages that name no field.
    """
    for error in exc.errors if isinstance(exc, DomainErrors) else [exc]:
        field = getattr(form, error.field, None) if error.field else None
        if field is not None and hasattr(field, "errors"):
            if only_new and field.errors:
                continue
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            if error.message not in field.errors:
                field.errors.append(error.message)
        elif not only_new and error.message not in form.form_errors:
            form.form_errors.append(error.message)
