"""HTML templates to PDF with WeasyPrint: no network, fonts from the system, cached by data version.

WeasyPrint may fetch images and stylesheets a document names. Ours never needs to (the QR
code is inline SVG, the stylesheet is inlined by the template), so the URL fetcher refuses
everything: a link that slipped into a newsletter can never make the server fetch it.
The import is deferred because loading WeasyPrint costs about a second, which the web
workers and the CLI should not pay until someone first prints something.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Response, current_app, g, render_template, request

from engagement.core.http_cache import BodyCache, make_etag
from engagement.core.i18n import SOURCE, current_language

RTL_LANGUAGES = {"ar", "ur", "fa", "he", "ps", "sd", "ug", "yi", "dv", "ckb"}  # scripts written right to left


_fetcher = None


def refusing_fetcher():
    """WeasyPrint's URL fetcher for us: printed pages are self-contained, so nothing is ever fetched."""
    global _fetcher
    if _fetcher is None:
        from weasyprint.urls import URLFetcher

        class RefuseAll(URLFetcher):
            def fetch(self, url, headers=None):
                raise ValueError(f"printing does not fetch {url[:80]}")

        _fetcher = RefuseAll(allowed_protocols=set(), allow_redirects=False)
    return _fetcher


def page_language() -> tuple[str, str]:
    """(lang, dir) for the printed page: the page's language, right to left for Urdu or Arabic.

    The language is the resident's (`?lang=` on a poster link, core.i18n); the direction follows
    it, so a translated poster mirrors without template changes."""
    from engagement.core.i18n import html_lang

    lang = g.get("page_lang") or html_lang()  # the resident's language (core.i18n); g.page_lang overrides
    return lang, "rtl" if lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def render_document(template: str, **context):
    """The laid-out WeasyPrint document (its pages can be counted before anything is written)."""
    from weasyprint import HTML  # deferred: see the module docstring

    lang, direction = page_language()
    html = render_template(template, lang=lang, dir=direction, **context)
    return HTML(string=html, base_url=current_app.config["BASE_URL"], url_fetcher=refusing_fetcher()).render()


def render_pdf(template: str, **context) -> bytes:
    started = time.perf_counter()
    pdf = render_document(template, **context).write_pdf()
    g.print_seconds = time.perf_counter() - started  # read by tests and the benchmark
    return pdf


def rows_on_first_page(document) -> int:
    """How many `data-row` elements (dates) the layout placed on the first page."""
    placed = {box.element.get("data-row") for box in document.pages[0]._page_box.descendants()
              if getattr(box, "element", None) is not None and box.element.get("data-row") is not None}  # fmt: skip
    return len(placed)


def render_fitted(template: str, context: Callable[[int], dict], most: int, *, measure_as: dict | None = None) -> bytes:
    """A one-sheet PDF with as many dates (up to `most`) as fit on its one page.

    Long venue names or five long priorities take room that dates would have used, so the
    layout is measured rather than guessed. The sheet puts its fixed parts in the page margin
    (a running footer) and the dates last in the flow, so one layout shows how many dates fit:
    the ones on page 1. A second layout with that many (one fewer if the "and N more" line
    then spills) is the answer. `measure_as` adds context for the measuring layout (the two-up
    leaflet is measured as one A5 copy, then laid out twice on A4). At most five layouts, usually one or two.
    """
    started = time.perf_counter()
    rows = most
    measured = render_document(template, **context(rows), **(measure_as or {}))
    if len(measured.pages) > 1:
        rows = min(rows_on_first_page(measured), most - 1)
    fits_as_measured = measure_as is None and rows == most
    document = measured if fits_as_measured else render_document(template, **context(rows))
    for _attempt in range(3):  # the "and N more" line, or the real two-up layout, may still spill
        if len(document.pages) == 1 or rows == 0:
            break
        rows -= 1
        document = render_document(template, **context(rows))
    pdf = document.write_pdf()
    g.print_seconds = time.perf_counter() - started
    return pdf


def _cache() -> BodyCache:
    return current_app.extensions.setdefault("print_cache", BodyCache(size=64))


def pdf_response(*, key: tuple, version, build: Callable[[], bytes], filename: str, public: bool = True) -> Response:
    """The PDF (built once per data version), inline, with an ETag so a reload costs nothing.

    Posters are printed in the reader's language: each language is its own cache entry and ETag
    (English keys unchanged), so a Polish reader never gets the Urdu poster built a minute earlier."""
    if (language := current_language()) != SOURCE:
        key = (*key, language)
    etag = make_etag("print", *key, version)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        body = _cache().get_or_build((*key, version), build) if public else build()
        response = Response(body, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response
