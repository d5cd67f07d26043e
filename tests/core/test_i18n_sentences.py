"""Issue 15, the resident-side sweep: sentences with values or links are whole gettext messages.

Why these checks: a translator can only word a sentence well if it reaches them whole ("%(name)s is
the neighbourhood team for %(postcode)s."), with the link inside it; a template that glues English
pieces round a value cannot be translated at all. The extraction test reads the templates as
`flask translate extract` does (babel.cfg: jinja2, trimmed), so it fails if a sentence is unwrapped.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import render_template_string
from jinja2.ext import babel_extract

from engagement.core.i18n import _, force_language

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
KEYWORDS = ("_", "gettext", "ngettext")


def messages_of(template: str) -> set[str]:
    with open(TEMPLATES / template, "rb") as f:
        found = babel_extract(f, KEYWORDS, [], {"trimmed": "true"})
        return {msg if isinstance(msg, str) else msg[0] for _line, _func, msg, _comments in found}


@pytest.mark.parametrize(
    ("template", "msgid"),
    [
        ("teams/team.html", "%(name)s is the neighbourhood team for %(postcode)s."),
        ("teams/home.html", "postcodes starting %(prefixes)s"),
        ("events/occurrence.html", 'You can also join online: <a href="%(url)s" rel="nofollow noopener">join the event online</a>.'),
        ("events/list.html", "%(count)s upcoming event, page %(num)s of %(pages)s."),
        ("events/embed.html", "%(team)s Neighbourhood Team: coming up"),
        ("signups/manage.html", "Saved. We will send your reminder and any changes by email to %(email)s."),
        ("signups/done.html", "We've emailed you at <strong>%(email)s</strong>"),
        ("newsletter/verify.html", "We have not sent a newsletter with the reference %(code)s"),
        ("news/post.html", "Published %(when)s"),
        ("surveys/page.html", "Page %(number)s of %(total)s"),
        ("surveys/start.html", "%(count)s question, on %(pages)s short pages."),
        ("privacy/self_data.html", "We hold %(count)s record:"),
        ("privacy/notice.html", "How %(controller)s uses the personal data you give us on %(site)s. Last updated %(updated)s."),
        ("speedwatch/apply_done.html", "A member of the %(team)s team rings you to talk it through."),
        ("priorities/page.html", "Priorities: %(team)s Neighbourhood Team"),
        ("printing/_contact.html", "Crimestoppers, anonymously: <strong>%(number)s</strong>"),
    ],
)  # fmt: skip
def test_resident_sentences_reach_the_catalogue_whole(template, msgid):
    assert msgid in messages_of(template)


def test_no_resident_message_carries_template_line_breaks():
    """`{% trans %}` blocks are trimmed (babel.cfg and the Jinja policy agree): one line, single spaces."""
    ids = set().union(*(messages_of(str(p.relative_to(TEMPLATES))) for p in (TEMPLATES / "signups").glob("*.html")))
    assert ids and not [m for m in ids if "\n" in m or "  " in m]


def test_a_trans_block_escapes_its_values_and_keeps_ltr_isolation(app):
    with app.test_request_context("/"):
        html = render_template_string(
            "{% trans name=name, postcode=postcode|ltr %}{{ name }} is the neighbourhood team for\n"
            "  {{ postcode }}.{% endtrans %}",
            name="<b>Ladywood</b>",
            postcode="B16 8QT",
        )
    assert html == '&lt;b&gt;Ladywood&lt;/b&gt; is the neighbourhood team for <bdi dir="ltr">B16 8QT</bdi>.'


def test_a_trans_block_and_a_gettext_call_share_one_translation(app):
    """The same msgid, whichever way a template marks it: one translation serves both."""
    with app.test_request_context("/"), force_language("pl"):
        block = render_template_string("{% trans number='999'|ltr %}In an emergency, call {{ number }}.{% endtrans %}")
        call = render_template_string("{{ _('In an emergency, call %(number)s.', number='999'|ltr) }}")
        polish = _("In an emergency, call %(number)s.", number="999")
    assert block == call and "999" in block and polish != "In an emergency, call 999."
