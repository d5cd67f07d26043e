"""data.police.uk "neighbourhood priorities": /teams/<slug>/priorities.json out, a file importer in.

The format is a JSON list of objects with `issue` (HTML), `issue-date`, `action` (HTML or
null) and `action-date` (null when nothing was done yet); dates are "2027-01-12T00:00:00",
UK local, as police.uk writes them. What we emit, so consumers know what to expect:

- `issue`: the issue as `<p>` paragraphs (line breaks as `<br>`), text HTML-escaped.
- `action`: one `<p>` per action, oldest first, each starting with its date in words,
  "12 March 2027: 12 Speed Watch sessions held"; a closed priority ends with
  "Closed on 3 May 2027: <outcome>". `action-date` is the latest of those dates.
- Only `<p>` and `<br>` ever appear; the output passes through nh3 with just those two tags.
- Current priorities only, unless `?include=closed` (then closed ones follow, latest first).

Import (`flask teams import-police-uk-priorities`) reads the same shape. Incoming HTML is
sanitised with nh3 and stored as plain text; dated paragraphs like ours become separate
actions, anything else in `action` becomes one action on `action-date`. The whole file is
checked first and any problem rejects all of it; importing it again updates, not duplicates.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import nh3
from markupsafe import escape

from engagement.core import audit
from engagement.core.errors import DomainError
from engagement.core.markup import strip_tags
from engagement.extensions import db
from engagement.priorities.models import (
    ACTION_MAX,
    CLOSED,
    CURRENT,
    ISSUE_MAX,
    MAX_CURRENT,
    OTHER,
    OUTCOME_MAX,
    Priority,
    PriorityAction,
)
from engagement.priorities.services import ACTION_AHEAD, check_date, clean_text, current_count, today

MAX_BYTES = 1_000_000
MAX_ITEMS = 200
_DATED = re.compile(r"(Closed on )?(\d{1,2} [A-Z][a-z]+ \d{4}): (.+)", re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(?:p|div|li|h\d|blockquote)>|<(?:ul|ol)>|</(?:ul|ol)>", re.IGNORECASE)
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")
INCOMING_TAGS = {"p", "br", "div", "li", "ul", "ol", "strong", "em", "b", "i", "a", "span", "h3", "h4", "blockquote"}


# --- export -------------------------------------------------------------------------------


def words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def police_uk_date(day: date | None) -> str | None:
    return None if day is None else datetime.combine(day, datetime.min.time()).isoformat(timespec="seconds")


def paragraphs_html(parts: list[str]) -> str:
    """Plain-text paragraphs as police.uk-style HTML: escaped, `<p>` and `<br>` only (nh3 checks it)."""
    raw = "".join("<p>" + str(escape(part)).replace("\n", "<br>") + "</p>" for part in parts if part)
    return nh3.clean(raw, tags={"p", "br"}, attributes={})


def priority_item(priority: Priority) -> dict:
    lines = [f"{words(a.taken_on)}: {a.text}" for a in priority.actions]
    dates = [a.taken_on for a in priority.actions]
    if priority.status == CLOSED and priority.closed_on:
        lines.append(f"Closed on {words(priority.closed_on)}: {priority.outcome}")
        dates.append(priority.closed_on)
    return {
        "issue": paragraphs_html(priority.issue.split("\n\n")),
        "issue-date": police_uk_date(priority.set_on),
        "action": paragraphs_html(lines) if lines else None,
        "action-date": police_uk_date(max(dates)) if dates else None,
    }


def export(current: list[Priority], closed: list[Priority] | None = None) -> list[dict]:
    return [priority_item(p) for p in [*current, *(closed or [])]]


# --- import: reading the file ---------------------------------------------------------------


class ImportRejected(DomainError):
    """The file cannot be imported; nothing from it is kept. The message names the item."""

    status = 400


def item_where(index: int) -> str:
    return f"item {index + 1} (index {index})"


def load_list(raw: bytes | str, what: str) -> list:
    """The file's items: refused whole if it is too big, not JSON, nested past reason or not a list."""
    if len(raw) > MAX_BYTES:
        raise ImportRejected(f"The file is larger than {MAX_BYTES // 1000:,} KB; a team's {what} are far smaller.")
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise ImportRejected("The file is not UTF-8 text, so it cannot be JSON.") from None
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise ImportRejected("The file is not a police.uk file: its JSON is nested far too deeply.") from None
    if not isinstance(data, list):
        raise ImportRejected(f"The file must be a JSON list of {what} ([...]), not a JSON {type(data).__name__}.")
    if len(data) > MAX_ITEMS:
        raise ImportRejected(f"The file has {len(data):,} items; at most {MAX_ITEMS} can be imported at once.")
    return data


def html_paragraphs(value, key: str, index: int) -> list[str]:
    """Sanitised (nh3) HTML as plain-text paragraphs; null or "" is no paragraphs."""
    if value is None:
        return []
    if not isinstance(value, str):
        raise ImportRejected(f"{item_where(index)}: {key} must be text (HTML), not {json.dumps(value)[:40]}.")
    cleaned = nh3.clean(value, tags=INCOMING_TAGS, attributes={})
    text = _BLOCK_END.sub("\n\n", _BREAK.sub("\n", cleaned))
    text = strip_tags(text).replace("\r\n", "\n").replace("\xa0", " ")
    return [part.strip() for part in _PARAGRAPHS.split(text) if part.strip()]


def parse_day(value, key: str, index: int, *, required: bool) -> date | None:
    """'2027-01-12T00:00:00' or '2027-01-12' as a date (police.uk gives midnight UK time)."""
    if value in (None, "") and not required:
        return None
    text = value.strip() if isinstance(value, str) else ""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?", text):
            raise ValueError
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise ImportRejected(
            f"{item_where(index)}: {key} {json.dumps(value)[:40]} is not a date like 2027-01-12T00:00:00."
        ) from None


def _day_in_words(text: str, index: int) -> date:
    try:
        return datetime.strptime(text, "%d %B %Y").date()
    except ValueError:
        raise ImportRejected(f"{item_where(index)}: “{text}” in action is not a date.") from None


@dataclass
class Item:
    index: int
    issue: str
    set_on: date
    actions: list[tuple[date, str]] = field(default_factory=list)
    closed: tuple[date, str] | None = None

    @property
    def label(self) -> str:
        return f"item {self.index + 1} (“{self.issue[:60]}”)"


def _checked(text: str, index: int, label: str, limit: int) -> str:
    try:
        return clean_text(text, label=label, field="file", limit=limit)
    except DomainError as exc:
        raise ImportRejected(f"{item_where(index)}: {exc.message}.") from None


def parse_item(obj, index: int) -> Item:
    if not isinstance(obj, dict):
        raise ImportRejected(f"{item_where(index)} must be a JSON object ({{...}}), not {json.dumps(obj)[:40]}.")
    missing = [key for key in ("issue", "issue-date") if key not in obj]
    if missing:
        raise ImportRejected(f"{item_where(index)} has no {', '.join(missing)}.")
    issue = _checked("\n\n".join(html_paragraphs(obj["issue"], "issue", index)), index, "the issue", ISSUE_MAX)
    set_on = parse_day(obj["issue-date"], "issue-date", index, required=True)
    action_on = parse_day(obj.get("action-date"), "action-date", index, required=False) or set_on
    item, loose = Item(index=index, issue=issue, set_on=set_on), []
    for part in html_paragraphs(obj.get("action"), "action", index):
        dated = _DATED.fullmatch(part)
        if dated and dated.group(1):
            item.closed = (_day_in_words(dated.group(2), index), _checked(dated.group(3), index, "the outcome",
                                                                          OUTCOME_MAX))  # fmt: skip
        elif dated:
            item.actions.append((_day_in_words(dated.group(2), index), _checked(dated.group(3), index,
                                                                                "the action", ACTION_MAX)))  # fmt: skip
        else:
            loose.append(part)
    if loose:  # police.uk's own files: one block of text for everything done, dated action-date
        item.actions.append((action_on, _checked("\n\n".join(loose), index, "the action", ACTION_MAX)))
    for day, _text in item.actions:
        _in_range(day, item, "an action", earliest=item.set_on, latest=today() + ACTION_AHEAD)
    if item.closed:
        _in_range(item.closed[0], item, "the closing date", earliest=item.set_on, latest=today() + ACTION_AHEAD)
    _in_range(item.set_on, item, "issue-date", latest=today())
    return item


def _in_range(day: date, item: Item, label: str, *, latest: date, earliest: date | None = None) -> None:
    try:
        check_date(day, label=label, field="file", latest=latest, **({"earliest": earliest} if earliest else {}))
    except DomainError as exc:
        raise ImportRejected(f"{item.label}: {exc.message}.") from None


# --- import: writing ----------------------------------------------------------------------


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"Created {len(self.created)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
               f"skipped {len(self.skipped)}."]  # fmt: skip
        out += [f"  created: {label}" for label in self.created]
        out += [f"  updated: {label}" for label in self.updated]
        out += [f"  skipped: {label}: {reason}" for label, reason in self.skipped]
        return out


def import_key(team, item: Item) -> str:
    """Stable per team, issue text and date set, so a second import finds what the first one made."""
    text = " ".join(html.unescape(item.issue).split()).casefold()
    return hashlib.sha256(f"{team.slug}|{text}|{item.set_on.isoformat()}".encode()).hexdigest()[:40]


def import_priorities(team, raw: bytes | str, *, actor=None) -> ImportSummary:
    """Import a police.uk priorities file into `team`. Raises ImportRejected; the caller commits or rolls back."""
    items = [parse_item(obj, index) for index, obj in enumerate(load_list(raw, "priorities"))]
    keys = {item.index: import_key(team, item) for item in items}
    found = db.session.query(Priority).filter(Priority.import_key.in_(set(keys.values()))).all()
    existing = {p.import_key: p for p in found}
    foreign = [p for p in found if p.team_id != team.id]
    if foreign:
        raise ImportRejected("This file's priorities were imported into another team; import it there.")
    new_current = len({keys[i.index] for i in items if i.closed is None and keys[i.index] not in existing})
    if current_count(team) + new_current > MAX_CURRENT:
        raise ImportRejected(f"The team would have {current_count(team) + new_current} current priorities; at most "
                             f"{MAX_CURRENT} are allowed. Close some first, or import fewer.")  # fmt: skip
    summary, seen = ImportSummary(), set()
    for item in items:
        key = keys[item.index]
        if key in seen:
            summary.skipped.append((item.label, "the same issue and date as an earlier item"))
            continue
        seen.add(key)
        priority = existing.get(key)
        if priority is None:
            _create(team, item, key, actor)
            summary.created.append(item.label)
        elif _update(priority, item):
            summary.updated.append(item.label)
        else:
            summary.unchanged.append(item.label)
    audit.record("priority.import", actor=actor, target=team, summary=summary.lines()[0], source="police.uk")
    return summary


def _create(team, item: Item, key: str, actor) -> Priority:
    priority = Priority(team=team, team_id=team.id, issue=item.issue, set_on=item.set_on, how=OTHER,
                        how_detail="Imported from police.uk", status=CURRENT, import_key=key,
                        created_by_id=getattr(actor, "id", None))  # fmt: skip
    priority.actions = [PriorityAction(taken_on=day, text=text) for day, text in item.actions]
    if item.closed:
        priority.status, (priority.closed_on, priority.outcome) = CLOSED, item.closed
    db.session.add(priority)
    return priority


def _update(priority: Priority, item: Item) -> bool:
    """Add the file's actions we do not have; close it if the file says so. True if anything changed."""
    have = {(a.taken_on, a.text) for a in priority.actions}
    added = [PriorityAction(taken_on=day, text=text) for day, text in item.actions if (day, text) not in have]
    priority.actions.extend(added)
    closing = item.closed is not None and priority.status == CURRENT
    if closing:
        priority.status, (priority.closed_on, priority.outcome) = CLOSED, item.closed
    return bool(added) or closing
