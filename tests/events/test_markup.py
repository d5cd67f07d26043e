"""core.markup: officer-written Markdown cleaned on the way in and sanitised on the way out."""

from __future__ import annotations

from engagement.core.hooks import register_team_section, team_sections
from engagement.core.markup import clean_source, has_tags, plain_text, render_markdown, strip_tags


def test_clean_source_removes_tags_but_keeps_markdown_readable():
    source = "> Bring ID & a friend\r\n\r\nFish & chips, a < b, 5 > 3 <b>bold</b><script>alert(1)</script>"
    assert clean_source(source) == "> Bring ID & a friend\n\nFish & chips, a < b, 5 > 3 bold"
    assert clean_source("&lt;script&gt;alert(1)&lt;/script&gt;Hi") == "Hi"  # escaped tags cannot come back later
    assert (
        clean_source("See <https://example.org/a?b=1&c=2>")
        == "See [https://example.org/a?b=1&c=2](https://example.org/a?b=1&c=2)"
    )
    assert (
        clean_source("* tea\n* cake\n\n**bold** [link](https://x.org)")
        == "* tea\n* cake\n\n**bold** [link](https://x.org)"
    )


def test_render_markdown_allows_a_small_safe_set():
    html = str(
        render_markdown(
            "# Title\n\n> Quote & more\n\n[ok](https://a.org) [bad](javascript:alert(1)) "
            "<img src=x onerror=alert(1)><script>x()</script>"
        )
    )
    assert html.startswith("<h3>Title</h3>\n<blockquote>\n<p>Quote &amp; more</p>\n</blockquote>")
    assert '<a href="https://a.org" rel="nofollow noopener">ok</a>' in html
    assert '<a rel="nofollow noopener">bad</a>' in html
    assert "<img" not in html and "<script" not in html and "onerror" not in html and "x()" not in html


def test_plain_text_for_calendars_and_email():
    text = plain_text("# Title\n\nSee [the map](https://a.org) or <https://b.org>.\n\n* one\n* two\n\nFish & chips")
    assert text == "Title\n\nSee the map (https://a.org) or https://b.org.\n\n- one\n- two\n\nFish & chips"


def test_tag_detection_for_titles():
    assert [has_tags(t) for t in ("Fish & chips", "a < b", "<b>x</b>", "x<y")] == [False, False, True, True]
    assert strip_tags("<i>Cuppa</i> & cake") == "Cuppa & cake"


def test_sections_are_registered_by_name_and_ordered(app, make_team):
    from engagement.core import hooks

    team = make_team(name="Ladywood", coverage=["B1"])
    register_team_section("zz-test", lambda t: f"<p>last for {t.name}</p>", order=999)
    register_team_section("aa-test", lambda t: "", order=1)  # empty sections are dropped
    try:
        sections = [str(s) for s in team_sections(team)]
        assert "Coming up" in sections[0] and sections[-1] == "<p>last for Ladywood</p>" and "" not in sections
        register_team_section("zz-test", lambda t: "<p>replaced</p>", order=999)  # same name: replaced, not added
        again = [str(s) for s in team_sections(team)]
        assert len(again) == len(sections) and again[-1] == "<p>replaced</p>"
    finally:
        hooks._team_sections.pop("zz-test", None)
        hooks._team_sections.pop("aa-test", None)
