"""Comment-preserving edits of ``project.yml``, validated before they are written.

The commands behind ``cxsite set-health``, ``milestone``, ``disruption`` and
``decision``. Each edit is a small change to the data of one project file;
the point of this module is that the *file* changes just as little: ``git
diff`` shows the touched lines and nothing else.

How the file keeps its look
    The file is loaded with ruamel.yaml's round-trip loader (comments, key
    order, quoting, flow style and blank lines are kept with the data) and
    dumped with the indentation detected in the file, the one of the list
    being edited first, and no line wrapping. ruamel still normalises a few
    things on lines nobody touched (spaces before a comment, a second list
    indentation style in the same file), so the result is *spliced*: the
    unedited document is dumped too, and only the regions where the two
    dumps differ are taken from the new dump; every other line is copied
    from the original file byte for byte (:func:`splice`). A new key is
    placed after its nearest predecessor in the schema's order, directly
    below that line (comments and blank lines that followed it move down).

How an edit is validated
    In memory. The loader reads the edited file's text instead of the file
    (:func:`validate_overlay`, through
    :func:`cxsite.source.layout.read_portfolio`'s overlay), which runs the complete
    validation (every cross-reference, the project's updates against its
    milestones, ...) on the portfolio *as it would be*, without copying the
    tree (which may hold large images) or touching the disk, and reports
    diagnostics with the file's real path. Only errors the edit introduces
    block it: an unrelated broken file elsewhere does not stop the team from
    recording a decision. The file is then replaced atomically (temporary
    file in the same folder, fsync, :func:`os.replace`), and only if nobody
    changed it meanwhile.

What "today" is
    The default of ``announced`` and ``changed`` is the customer's date at
    ``now``, else at ``SOURCE_DATE_EPOCH``, else by the clock, as for
    ``cxsite check`` and ``build`` (:func:`cxsite.authoring.scaffold.customer_now`).
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import io
import os
import re
import stat
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import ScalarString
from ruamel.yaml.tokens import CommentToken

from ..diagnostics import Diagnostic, Severity, display_path, sort_key
from ..source.layout import PROJECT_FILE, read_portfolio
from ..source.schema import DECISION, DISRUPTION, MILESTONE, PROJECT, WINDOW, Record
from .scaffold import AuthoringError, check_slug, customer_now, did_you_mean, portfolio_root, project_folder

HEALTHS: tuple[str, ...] = PROJECT.field("health").kind.values
IMPACTS: tuple[str, ...] = DISRUPTION.field("impact").kind.values
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class InvalidEdit(AuthoringError):
    """The edit would make the portfolio invalid; nothing was written."""

    def __init__(self, path: Path, diagnostics: tuple[Diagnostic, ...], diff: str = ""):
        self.diagnostics, self.diff = diagnostics, diff
        super().__init__(f"{display_path(path)} was not changed: the edit would make the portfolio invalid",
                         "see the errors above; their line numbers are those of the edited file")


# ------------------------------------------------------------ validation


def validate_overlay(projects_dir: Path | str, overlay: dict[Path, str] | None = None) -> tuple[Diagnostic, ...]:
    """Every diagnostic for the portfolio as it would be with ``overlay``
    (path -> text) written: :func:`cxsite.model.load.load_portfolio` without the disk."""
    from ..diagnostics import Collector
    from ..model.validate import Builder

    raw, found = read_portfolio(Path(projects_dir), {Path(os.path.abspath(p)): t for p, t in (overlay or {}).items()})
    diagnostics = Collector()
    diagnostics.extend(found)
    Builder(diagnostics).portfolio(raw)
    return tuple(sorted(diagnostics.items, key=sort_key))


def _new(after: tuple[Diagnostic, ...], before: tuple[Diagnostic, ...]) -> tuple[Diagnostic, ...]:
    """What ``after`` reports that ``before`` did not (line numbers aside:
    an inserted line moves every later diagnostic of the file)."""
    seen = Counter((d.location.path, d.severity, d.message, d.hint) for d in before)
    fresh = []
    for d in after:
        key = (d.location.path, d.severity, d.message, d.hint)
        if seen[key]:
            seen[key] -= 1
        else:
            fresh.append(d)
    return tuple(fresh)


# --------------------------------------------------------- round trip


@dataclass(frozen=True)
class Indent:
    """ruamel's three numbers: mapping indent; for lists, the item's content
    column (``sequence``) and the dash column (``offset``), both relative to
    the parent key."""

    mapping: int = 2
    sequence: int = 4
    offset: int = 2


def detect_indent(text: str, data: Any, focus: str | None = None) -> Indent:
    """The file's indentation: the most common one, but for lists the style
    of the top-level list ``focus`` when it has one (the lines that change)."""
    lines = text.split("\n")
    maps: Counter[int] = Counter()
    seqs: Counter[tuple[int, int]] = Counter()
    focused: tuple[int, int] | None = None

    def block(value: Any) -> bool:
        return isinstance(value, (CommentedMap, CommentedSeq)) and len(value) > 0 and not value.fa.flow_style()

    def walk(node: Any) -> None:
        nonlocal focused
        if isinstance(node, CommentedSeq):
            for item in node:
                walk(item)
        if not isinstance(node, CommentedMap):
            return
        for key, value in node.items():
            if not block(value):
                continue
            key_col = node.lc.key(key)[1]
            if isinstance(value, CommentedMap):
                maps[value.lc.key(next(iter(value)))[1] - key_col] += 1
            else:
                line, col = value.lc.item(0)
                dash = lines[line].rfind("-", 0, col) if line < len(lines) else -1
                style = (col - key_col, dash - key_col)
                if dash >= key_col and style[0] - style[1] >= 2:
                    seqs[style] += 1
                    if node is data and key == focus:
                        focused = style
            walk(value)

    walk(data)
    mapping = maps.most_common(1)[0][0] if maps else 2
    mapping = mapping if mapping >= 1 else 2
    sequence, offset = focused or (seqs.most_common(1)[0][0] if seqs else (mapping + 2, mapping))
    return Indent(mapping, sequence, offset)


def _yaml(indent: Indent) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 20  # never re-wrap a line
    yaml.indent(mapping=indent.mapping, sequence=indent.sequence, offset=indent.offset)
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def splice(original: str, before: str, after: str) -> str:
    """Apply the change ``before`` -> ``after`` (two dumps) to ``original``.

    Each changed stretch of ``before`` is located in ``original`` by the
    unchanged lines around it and replaced there; every other line keeps its
    original bytes, also where ruamel would have reformatted it. A stretch
    whose neighbour ruamel reformatted grows until its neighbours are found
    verbatim. Returns ``after`` when the change cannot be located.
    """
    o, a, b = original.splitlines(True), before.splitlines(True), after.splitlines(True)
    in_o: dict[int, int] = {}
    for tag, i1, i2, j1, _ in difflib.SequenceMatcher(None, a, o, autojunk=False).get_opcodes():
        if tag == "equal":
            in_o.update((i, j1 + i - i1) for i in range(i1, i2))

    def left(cut: int) -> int | None:  # where in `original` the line after a[cut - 1] goes
        return 0 if cut == 0 else in_o[cut - 1] + 1 if cut - 1 in in_o else None

    def right(cut: int) -> int | None:  # where in `original` a[cut] is
        return len(o) if cut == len(a) else in_o.get(cut)

    def locate(i1: int, i2: int) -> tuple[int, int] | None:
        """Where a[i1:i2] is in `original`: the lines themselves, else the neighbours."""
        if i1 == i2:
            at = left(i1) if left(i1) is not None else right(i2)
            return None if at is None else (at, at)
        if all(i in in_o for i in range(i1, i2)) and in_o[i2 - 1] - in_o[i1] == i2 - 1 - i1:
            return in_o[i1], in_o[i2 - 1] + 1
        start, end = left(i1), right(i2)
        return None if start is None or end is None else (start, end)

    changes = [[i1, i2, j1, j2] for tag, i1, i2, j1, j2
               in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if tag != "equal"]
    hunks: list[tuple[int, int, int, int]] = []
    k = 0
    while k < len(changes):
        i1, i2, j1, j2 = changes[k]
        k += 1
        while True:
            if hunks and hunks[-1][1] >= i1:  # reaches the previous one: merge
                i1, _, j1, _ = hunks.pop()
            elif k < len(changes) and changes[k][0] <= i2:  # reaches the next one: merge
                i2, j2 = changes[k][1], changes[k][3]
                k += 1
            elif locate(i1, i2) is not None:
                break
            elif left(i1) is None:  # a[i1 - 1] was reformatted: take it along
                i1, j1 = i1 - 1, j1 - 1
            else:
                i2, j2 = i2 + 1, j2 + 1
        hunks.append((i1, i2, j1, j2))
    result, position = [], 0
    for i1, i2, j1, j2 in hunks:
        start, end = locate(i1, i2)  # type: ignore[misc]
        if not position <= start <= end:
            return after
        result += o[position:start] + b[j1:j2]
        position = end
    return "".join(result + o[position:])


# ------------------------------------------------ placing keys and items


def _holder(container: Any, key: Any) -> tuple[Any, Any]:
    """Where ruamel keeps the comments that follow ``container[key]``: on
    the last scalar inside it when the value is a block collection."""
    value = container[key]
    if isinstance(value, (CommentedMap, CommentedSeq)) and len(value) and not value.fa.flow_style():
        return _holder(value, list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1)
    return container, key


def _slot(container: Any) -> int:
    return 2 if isinstance(container, CommentedMap) else 0


def _move_trailing_comment(source: tuple[Any, Any], target: tuple[Any, Any]) -> None:
    """Move the comment lines and blank lines after ``source`` below
    ``target``, so that a key or item inserted after ``source`` lands
    directly below its line; an end-of-line comment stays where it is."""
    container, key = source
    if getattr(container.fa, "flow_style", lambda: False)():
        return
    entry = container.ca.items.get(key)
    token = entry[_slot(container)] if entry and len(entry) > _slot(container) else None
    if not isinstance(token, CommentToken):
        return
    head, newline, rest = token.value.partition("\n")
    if not newline or not rest:
        return
    if head.strip():
        token.value = head + "\n"
    else:
        entry[_slot(container)] = None
    target_container, target_key = target
    slots = target_container.ca.items.setdefault(target_key, [None, None, None, None])
    slots[_slot(target_container)] = CommentToken("\n" + rest, CommentMark(0), None)


def _styled(old: Any, new: Any) -> Any:
    """``new`` written like ``old``: 'single', "double", | or >- stay."""
    if isinstance(old, ScalarString) and isinstance(new, (str, dt.date)) and not isinstance(new, ScalarString):
        return type(old)(new if isinstance(new, str) else new.isoformat())
    return new


def set_key(mapping: CommentedMap, key: str, value: Any, record: Record) -> None:
    """Set ``mapping[key]``. A new key goes after the keys that precede it
    in ``record``'s order (or, when the file orders them differently, after
    its nearest predecessor), directly below that key's line."""
    if key in mapping:
        mapping[key] = _styled(mapping[key], value)
        return
    order = [f.key for f in record.fields]
    keys = list(mapping)
    earlier = [k for k in order[:order.index(key)] if k in mapping]
    later = [keys.index(k) for k in order[order.index(key) + 1:] if k in mapping]
    anchor = max(earlier, key=keys.index, default=None)
    if anchor is not None and later and keys.index(anchor) > min(later):
        anchor = earlier[-1]
    previous = _holder(mapping, anchor) if anchor is not None else None
    mapping.insert(keys.index(anchor) + 1 if anchor is not None else 0, key, value)
    if previous is not None:
        _move_trailing_comment(previous, _holder(mapping, key))


def append_item(mapping: CommentedMap, key: str, item: CommentedMap, record: Record) -> None:
    """Append ``item`` to the list ``mapping[key]`` (created when missing),
    styled like the items already there."""
    items = mapping.get(key)
    if not isinstance(items, CommentedSeq) or not items:
        items = CommentedSeq([item])
        items.fa.set_block_style()
        replaced = key in mapping  # `key: []` or `key:`: its comments now follow the new item
        set_key(mapping, key, items, record)
        if replaced:
            _move_trailing_comment((mapping, key), _holder(mapping, key))
        return
    last = items[-1]
    if isinstance(last, CommentedMap) and last.fa.flow_style():
        item.fa.set_flow_style()
    previous = _holder(items, len(items) - 1)
    items.append(item)
    _move_trailing_comment(previous, _holder(items, len(items) - 1))


def find_item(project: CommentedMap, key: str, item_id: str, what: str, ref: str, create: str = "") -> CommentedMap:
    """The item of ``project[key]`` with id ``item_id``. When there is none,
    the hint suggests the closest id, and ``create`` (how to add it)."""
    items = project.get(key)
    items = items if isinstance(items, list) else []
    for item in items:
        if isinstance(item, dict) and str(item.get("id")) == item_id:
            return item
    known = [str(item.get("id")) for item in items if isinstance(item, dict)]
    hint = did_you_mean(item_id, known, f"{what}s")
    if create:
        hint += f" Or {create}" if hint.endswith("?") else f"; {create}"
    raise AuthoringError(f"project {ref} has no {what} '{item_id}'", hint)


def date_value(text: str) -> Any:
    """A real date becomes a date (written plain); anything else stays text,
    for the validator to explain what is wrong with it."""
    text = text.strip()
    if _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    return text


def _record(values: dict[str, Any], record: Record) -> CommentedMap:
    """A new item with ``values`` in the schema's key order, None left out."""
    order = [f.key for f in record.fields]
    return CommentedMap((k, values[k]) for k in sorted(values, key=order.index) if values[k] is not None)


def _audiences(audiences: tuple[str, ...]) -> CommentedSeq | None:
    """``[a, b]`` on one line, or None for "all audiences"."""
    if not audiences:
        return None
    listed = CommentedSeq(audiences)
    listed.fa.set_flow_style()
    return listed


def _existing(project: CommentedMap, key: str) -> list[str]:
    return [str(item.get("id")) for item in project.get(key) or [] if isinstance(item, dict)]


# ------------------------------------------------------------ edit flow


@dataclass(frozen=True)
class Edit:
    """A validated change to one file, not yet written (see :func:`write`)."""

    path: Path
    original: bytes
    before: str
    after: str
    summary: str
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        name = display_path(self.path)
        old, new = (name, name) if os.path.isabs(name) else (f"a/{name}", f"b/{name}")
        return "".join(difflib.unified_diff(self.before.splitlines(True), self.after.splitlines(True), old, new))


def _decode(raw: bytes, path: Path) -> tuple[str, bool, bool]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise AuthoringError(f"{display_path(path)} is not UTF-8 text", "run `cxsite check`") from None
    bom = text.startswith("\ufeff")
    text = text.removeprefix("\ufeff")
    crlf = "\r\n" in text
    return text.replace("\r\n", "\n"), bom, crlf


def _encode(text: str, bom: bool, crlf: bool) -> bytes:
    return (("\ufeff" if bom else "") + (text.replace("\n", "\r\n") if crlf else text)).encode("utf-8")


def _same_data(text: str, other: str) -> bool:
    safe = YAML(typ="safe", pure=True)
    try:
        return safe.load(text) == safe.load(other)
    except YAMLError:
        return False


def edit_project(projects_dir: Path | str, ref: str, change: Callable[[CommentedMap, dt.date], str],
                 focus: str | None = None, today: dt.date | None = None, now: dt.datetime | None = None) -> Edit:
    """Apply ``change(project_data, today)`` to CUSTOMER/PROJECT's project.yml;
    ``today`` defaults to the customer's date at ``now`` (:func:`customer_now`).

    ``change`` mutates the round-trip data and returns a one-line summary.
    Returns the validated :class:`Edit`; raises :class:`InvalidEdit` with
    the new errors when the portfolio would be invalid.
    """
    root = portfolio_root(projects_dir)
    folder = project_folder(root, ref)
    path = folder / PROJECT_FILE
    raw = path.read_bytes()
    text, bom, crlf = _decode(raw, path)
    try:
        data = _yaml(Indent()).load(text)
    except YAMLError as exc:
        raise AuthoringError(f"{display_path(path)} is not valid YAML: {getattr(exc, 'problem', exc)}",
                             "run `cxsite check` and fix it first") from None
    if not isinstance(data, CommentedMap):
        raise AuthoringError(f"{display_path(path)} does not hold a mapping of keys", "run `cxsite check`")
    yaml = _yaml(detect_indent(text, data, focus))
    before = _dump(yaml, yaml.load(text))
    summary = change(data, today or customer_now(folder.parent, now).date())
    edited = _dump(yaml, data)
    after = splice(text, before, edited)
    if not _same_data(after, edited):
        after = edited  # the splice went wrong somewhere: trust ruamel's dump
    diagnostics = validate_overlay(root, {path: after})
    fresh = diagnostics
    if diagnostics:
        fresh = _new(diagnostics, validate_overlay(root))
    edit = Edit(path, raw, text, after, summary, tuple(d for d in fresh if d.severity is Severity.WARNING))
    errors = tuple(d for d in fresh if d.severity is Severity.ERROR)
    if errors:
        raise InvalidEdit(path, errors, edit.diff())
    return edit


def write(edit: Edit) -> None:
    """Replace the file atomically; refuse if it changed since it was read."""
    target = Path(os.path.realpath(edit.path))
    if target.read_bytes() != edit.original:
        raise AuthoringError(f"{display_path(edit.path)} changed while it was being edited", "run the command again")
    _, bom, crlf = _decode(edit.original, edit.path)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(_encode(edit.after, bom, crlf))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ------------------------------------------------------------ the edits


def set_health(projects_dir: Path | str, ref: str, health: str, reason: str, **kw: Any) -> Edit:
    def change(project: CommentedMap, today: dt.date) -> str:
        set_key(project, "health", health, PROJECT)
        set_key(project, "health_reason", reason.strip(), PROJECT)
        return f"health {health}"

    return edit_project(projects_dir, ref, change, **kw)


def milestone(projects_dir: Path | str, ref: str, milestone_id: str, *, done: str | None = None,
              forecast: str | None = None, **kw: Any) -> Edit:
    if done is None and forecast is None:
        raise AuthoringError("nothing to change", "give --done DATE or --forecast DATE")

    def change(project: CommentedMap, today: dt.date) -> str:
        item = find_item(project, "milestones", milestone_id, "milestone", ref, f"add it with {ADD_MILESTONE}")
        said = []
        for key, value in (("forecast", forecast), ("done", done)):
            if value is not None:
                set_key(item, key, date_value(value), MILESTONE)
                said.append(f"{key} {value}")
        return f"milestone '{milestone_id}': {', '.join(said)}"

    return edit_project(projects_dir, ref, change, focus="milestones", **kw)


ADD_MILESTONE = '--add --title "..." --planned YYYY-MM-DD'


def add_milestone(projects_dir: Path | str, ref: str, milestone_id: str, *, title: str, planned: str,
                  forecast: str | None = None, done: str | None = None, description: str | None = None,
                  audiences: tuple[str, ...] = (), **kw: Any) -> Edit:
    """Append a milestone to the project's list (created when missing)."""
    check_slug(milestone_id, "milestone id")

    def change(project: CommentedMap, today: dt.date) -> str:
        if milestone_id in _existing(project, "milestones"):
            raise AuthoringError(f"project {ref} already has a milestone '{milestone_id}'",
                                 "ids are stable: record progress with --done or --forecast, or pick a new id")
        item = _record({"id": milestone_id, "title": title.strip(), "planned": date_value(planned),
                        "forecast": date_value(forecast) if forecast else None,
                        "done": date_value(done) if done else None,
                        "description": description.strip() if description else None,
                        "audiences": _audiences(audiences)}, MILESTONE)
        append_item(project, "milestones", item, PROJECT)
        return f"milestone '{milestone_id}' added"

    return edit_project(projects_dir, ref, change, focus="milestones", **kw)


def schedule_disruption(projects_dir: Path | str, ref: str, disruption_id: str, *, title: str, start: str,
                        end: str, affects: str, impact: str, description: str | None = None,
                        audiences: tuple[str, ...] = (), announced: str | None = None, **kw: Any) -> Edit:
    """Add a disruption. ``announced`` defaults to today: the site that
    shows it is how the customer is told (the notice rule counts from it)."""
    check_slug(disruption_id, "disruption id")

    def change(project: CommentedMap, today: dt.date) -> str:
        if disruption_id in _existing(project, "disruptions"):
            raise AuthoringError(f"project {ref} already has a disruption '{disruption_id}'",
                                 "ids are stable: use --reschedule to move it, or pick a new id")
        item = _record({"id": disruption_id, "title": title.strip(), "start": start.strip(), "end": end.strip(),
                        "affects": affects.strip(), "impact": impact,
                        "description": description.strip() if description else None,
                        "announced": date_value(announced) if announced else today,
                        "audiences": _audiences(audiences)}, DISRUPTION)
        append_item(project, "disruptions", item, PROJECT)
        return f"disruption '{disruption_id}' scheduled"

    return edit_project(projects_dir, ref, change, focus="disruptions", **kw)


def _open_disruption(project: CommentedMap, ref: str, disruption_id: str, verb: str) -> CommentedMap:
    item = find_item(project, "disruptions", disruption_id, "disruption", ref)
    status = str(item.get("status") or "scheduled")
    if status in ("completed", "cancelled"):
        raise AuthoringError(f"disruption '{disruption_id}' is {status} and cannot be {verb}",
                             "schedule a new one with a new id")
    return item


def reschedule_disruption(projects_dir: Path | str, ref: str, disruption_id: str, *, start: str | None = None,
                          end: str | None = None, changed: str | None = None, **kw: Any) -> Edit:
    """Move a disruption: the old window is appended to ``previous_windows``
    (oldest first; calendars count them for SEQUENCE), ``changed`` is today."""
    if start is None and end is None:
        raise AuthoringError("nothing to change", "give --start and/or --end")

    def change(project: CommentedMap, today: dt.date) -> str:
        item = _open_disruption(project, ref, disruption_id, "rescheduled")
        old = {"start": item.get("start"), "end": item.get("end")}
        new = {key: (value.strip() if value else str(old[key])) for key, value in (("start", start), ("end", end))}
        if new == {key: str(value) for key, value in old.items()}:
            raise AuthoringError(f"disruption '{disruption_id}' already has that window", "nothing to do")
        window = _record(copy.deepcopy(old), WINDOW)  # a copy: a shared value would be dumped as an alias
        windows = item.get("previous_windows")
        if isinstance(windows, CommentedSeq) and windows and getattr(windows[-1], "fa", None) \
                and windows[-1].fa.flow_style():
            window.fa.set_flow_style()
        for key, value in (("start", start), ("end", end)):
            if value:
                set_key(item, key, value.strip(), DISRUPTION)
        new_start, new_end = new["start"], new["end"]
        set_key(item, "changed", date_value(changed) if changed else today, DISRUPTION)
        append_item(item, "previous_windows", window, DISRUPTION)
        return f"disruption '{disruption_id}' rescheduled to {new_start} - {new_end}"

    return edit_project(projects_dir, ref, change, focus="disruptions", **kw)


def cancel_disruption(projects_dir: Path | str, ref: str, disruption_id: str, *, changed: str | None = None,
                      **kw: Any) -> Edit:
    def change(project: CommentedMap, today: dt.date) -> str:
        item = _open_disruption(project, ref, disruption_id, "cancelled")
        set_key(item, "status", "cancelled", DISRUPTION)
        set_key(item, "changed", date_value(changed) if changed else today, DISRUPTION)
        return f"disruption '{disruption_id}' cancelled"

    return edit_project(projects_dir, ref, change, focus="disruptions", **kw)


def decide(projects_dir: Path | str, ref: str, decision_id: str, *, outcome: str | None = None,
           status: str = "decided", **kw: Any) -> Edit:
    """Record a decision as ``decided`` (with its outcome) or ``withdrawn``."""
    if status == "decided" and not (outcome or "").strip():
        raise AuthoringError("a decided decision needs its outcome", 'give --outcome "what was decided"')

    def change(project: CommentedMap, today: dt.date) -> str:
        item = find_item(project, "decisions", decision_id, "decision", ref)
        set_key(item, "status", status, DECISION)
        if outcome:
            set_key(item, "outcome", outcome.strip(), DECISION)
        return f"decision '{decision_id}' {status}"

    return edit_project(projects_dir, ref, change, focus="decisions", **kw)


def add_decision(projects_dir: Path | str, ref: str, decision_id: str, *, title: str, owner: str, due: str,
                 description: str | None = None, **kw: Any) -> Edit:
    check_slug(decision_id, "decision id")

    def change(project: CommentedMap, today: dt.date) -> str:
        if decision_id in _existing(project, "decisions"):
            raise AuthoringError(f"project {ref} already has a decision '{decision_id}'", "pick a new id")
        item = _record({"id": decision_id, "title": title.strip(), "owner": owner.strip(), "due": date_value(due),
                        "status": "open", "description": description.strip() if description else None}, DECISION)
        append_item(project, "decisions", item, PROJECT)
        return f"decision '{decision_id}' added"

    return edit_project(projects_dir, ref, change, focus="decisions", **kw)
