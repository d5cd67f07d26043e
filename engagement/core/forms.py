"""Glue between DomainError and WTForms: put the service's message next to the right field."""

from engagement.core.errors import DomainError


def apply_domain_error(form, exc: DomainError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(exc.message)
    else:
        form.form_errors.append(exc.message)
