"""Placeholder: the owner of this module replaces it."""

from engagement.speedwatch.views import bp  # noqa: F401


def init_app(app) -> None:
    pass
