"""Lists that cost one page: the page's ids first (an indexed LIMIT/OFFSET), then its rows by id.

Flask-SQLAlchemy's paginate runs the list statement with every join and an exact COUNT(*) over
all matching rows, so a page of 20 costs more as the table grows and depends on the planner's
statistics. Here the id statement selects only ids in index order, so PostgreSQL walks an index
and stops after the page; the count rides in the same statement as a capped subquery (it stops
after `offset + COUNT_AHEAD` rows), so "page 3 of 12" is exact for any list a resident pages
through, and a list longer than that says "more than ..." instead of counting it all.
`Page` has the attributes the `pagination` macro in templates/_macros.html reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select

from engagement.extensions import db

COUNT_AHEAD = 200  # rows counted beyond the page's offset before the count gives up (ten pages of 20)


@dataclass
class Page:
    """One page of a list; `total` is None when the list is longer than the count looks."""

    page: int
    per_page: int
    ids: list[int]
    has_next: bool
    total: int | None
    counted_up_to: int = 0
    items: list = field(default_factory=list)

    @property
    def pages(self) -> int | None:
        """The number of pages, or None when the total is not known (a list longer than counted)."""
        if self.total is None:
            return None
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def more_than(self) -> int:
        """For 'more than 1,000 events': how many rows the capped count saw."""
        return self.counted_up_to

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def beyond_end(self) -> bool:
        """A page number past the last page (a stale bookmark, or a hand-typed 999)."""
        return not self.ids and self.page > 1

    @property
    def last_page(self) -> int:
        return self.pages or self.page


def page_of_ids(id_query: Select, *, page: int, per_page: int, count_ahead: int = COUNT_AHEAD) -> Page:
    """One statement: the page's ids (plus one, to know whether a next page exists) and a capped count.

    `id_query` selects exactly one column (the id) with the list's filters and full ORDER BY.
    """
    page = max(1, page)
    offset = (page - 1) * per_page
    cap = offset + count_ahead
    # The ORDER BY stays: with it the count walks the same index as the page and stops at the cap.
    counted = select(func.count()).select_from(id_query.limit(cap + 1).subquery()).scalar_subquery()
    statement = id_query.add_columns(counted.label("counted")).offset(offset).limit(per_page + 1)
    rows = db.session.execute(statement).all()
    if not rows:
        if page == 1:
            return Page(page, per_page, [], False, 0)
        # Past the end: count up to this page's offset (all there is), so the caller can show the last page.
        total = db.session.scalar(select(func.count()).select_from(id_query.limit(offset + 1).subquery()))
        return Page(page, per_page, [], False, total, counted_up_to=total)
    counted_rows = rows[0][1]
    ids = [row[0] for row in rows[:per_page]]
    total = counted_rows if counted_rows <= cap else None
    return Page(page, per_page, ids, len(rows) > per_page, total, counted_up_to=min(counted_rows, cap))


def in_id_order(rows, ids: list[int]) -> list:
    """Rows loaded by `WHERE id IN (...)` put back in the order the id statement gave."""
    position = {row_id: n for n, row_id in enumerate(ids)}
    return sorted(rows, key=lambda row: position[row.id])
