"""QR codes for posters and leaflets, made on the server with segno (no network, no JavaScript).

The SVG is drawn from segno's module matrix as one path of horizontal runs: small,
crisp at any print size, and with a <title> so screen readers announce what it is.
"""

from __future__ import annotations

import segno
from markupsafe import Markup, escape


def qr_svg(url: str, title: str, *, size: str = "100%", element_id: str = "qr") -> Markup:
    """The QR code for `url` as a standalone SVG element (medium error correction survives a crease)."""
    code = segno.make(url, error="m", micro=False)
    rows = list(code.matrix_iter(scale=1, border=4))
    path = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                path.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    n = len(rows)
    return Markup(  # noqa: S704 - the only text is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{size}" '
        f'shape-rendering="crispEdges" role="img" aria-labelledby="{element_id}-title" class="qr-code">'
        f'<title id="{element_id}-title">{escape(title)}</title>'
        f'<rect width="{n}" height="{n}" fill="#fff"/><path fill="#000" d="{"".join(path)}"/></svg>'
    )
