"""Issue 14's cross-feature checks (multi-line text, every error at once): the events fixtures
(a team, its officer, the event types, a venue, an event factory) serve every test here."""

from tests.events.conftest import make_event, officer, outsider, team, types, venue  # noqa: F401
