"""YAML text to a node tree whose every node knows its line and column.

ruamel.yaml's safe composer (YAML 1.2) builds the nodes; nothing is
constructed, so no value is interpreted here. Before anything walks the
tree, what no portfolio needs is refused: alias bombs, deep nesting,
custom tags and merge keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from ..diagnostics import Collector, Location

MAX_NODES = 50_000              # after alias expansion: refuses "billion laughs"
MAX_DEPTH = 32
ALLOWED_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp",
                                                         "seq", "map")}


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML document: its root node and where it came from."""

    path: str             # absolute (see cxsite.source.files.here)
    root: Node
    line_offset: int = 0  # lines before the YAML text (front matter)


def parse_yaml(path: str, text: str, diagnostics: Collector, line_offset: int = 0) -> YamlDoc | None:
    """The one document of ``text`` (from the file ``path``, starting after
    ``line_offset`` lines), or None with a diagnostic."""
    try:
        documents = list(YAML(typ="safe", pure=True).compose_all(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else 0
        column = mark.column + 1 if mark else 0
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        if exc.context_mark and mark and exc.context_mark.line != mark.line:
            context += f" that starts at line {exc.context_mark.line + 1 + line_offset}"
        hint = "check indentation, colons and closing brackets or quotes"
        if "mapping values are not allowed" in problem:
            hint = "a value containing ': ' must be quoted, e.g. title: \"Week 12: testing done\""
        diagnostics.error(Location(path, line, column), f"YAML syntax error: {problem}{context}", hint)
        return None
    except YAMLError as exc:
        diagnostics.error(Location(path, 1 + line_offset, 1), f"YAML error: {exc}", "remove special characters")
        return None
    except RecursionError:
        # ruamel's composer recurses once per level: so deep a file is found
        # here, and only then scanned (flat) for where it gets too deep.
        line, column = _too_deep(text)
        diagnostics.error(Location(path, line + line_offset, column), f"nested more than {MAX_DEPTH} levels deep",
                          "flatten the structure")
        return None
    documents = [doc for doc in documents if doc is not None]
    if not documents:
        diagnostics.error(Location(path, 1 + line_offset, 1), "no YAML content", "fill it in")
        return None
    if len(documents) > 1:
        mark = documents[1].start_mark
        diagnostics.error(Location(path, mark.line + 1 + line_offset, 1),
                          "more than one YAML document in this file", "remove the second '---'")
        return None
    root = documents[0]
    if not _check_nodes(path, root, line_offset, diagnostics):
        return None
    _slim(root)
    return YamlDoc(path, root, line_offset)


def _check_nodes(path: str, root: Node, line_offset: int, diagnostics: Collector) -> bool:
    """Refuse alias bombs, deep nesting, custom tags and merge keys
    before anything walks the tree: the walk counts aliased nodes each
    time they are reached, so expansion cost is bounded, not memory."""
    count = 0
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        here = Location(path, node.start_mark.line + 1 + line_offset, node.start_mark.column + 1)
        if count > MAX_NODES:
            diagnostics.error(Location(path, 1 + line_offset, 1),
                              f"more than {MAX_NODES} values once aliases are expanded",
                              "remove the anchors (&) and aliases (*) that repeat each other")
            return False
        if depth > MAX_DEPTH:
            diagnostics.error(here, f"nested more than {MAX_DEPTH} levels deep", "flatten the structure")
            return False
        if node.tag not in ALLOWED_TAGS:
            diagnostics.error(here, f"YAML tag '{node.tag.replace('tag:yaml.org,2002:', '!!')}' is not "
                              "allowed", "remove the tag; cxsite reads plain values only")
            return False
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if key.tag == "tag:yaml.org,2002:merge":
                    kmark = key.start_mark
                    diagnostics.error(Location(path, kmark.line + 1 + line_offset, kmark.column + 1),
                                      "merge keys ('<<') are not supported", "write the keys out in full")
                    return False
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
    return True


def _too_deep(text: str) -> tuple[int, int]:
    """The 1-based line and column where ``text`` first nests more than
    :data:`MAX_DEPTH` collections, by its tokens (the scanner does not recurse)."""
    from ruamel.yaml.tokens import (BlockEndToken, BlockMappingStartToken, BlockSequenceStartToken,
                                    FlowMappingEndToken, FlowMappingStartToken, FlowSequenceEndToken,
                                    FlowSequenceStartToken)

    opening = (BlockMappingStartToken, BlockSequenceStartToken, FlowMappingStartToken, FlowSequenceStartToken)
    closing = (BlockEndToken, FlowMappingEndToken, FlowSequenceEndToken)
    depth = 0
    try:
        for token in YAML(typ="safe", pure=True).scan(text):
            if isinstance(token, opening):
                depth += 1
                if depth > MAX_DEPTH:
                    return token.start_mark.line + 1, token.start_mark.column + 1
            elif isinstance(token, closing):
                depth -= 1
    except YAMLError:
        pass
    return 1, 1


class Mark:
    """Where a node starts: all cxsite reads of ruamel's marks. ruamel's own
    marks hold the whole file text; these keep a document small."""

    __slots__ = ("line", "column")

    def __init__(self, line: int, column: int):
        self.line, self.column = line, column

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Mark, (self.line, self.column))


def _slim(root: Node) -> None:
    """Swap every node's marks for :class:`Mark` (in place; nodes shared by
    aliases are visited once)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        mark = node.start_mark
        node.start_mark = Mark(mark.line, mark.column)
        node.end_mark = None
        if isinstance(node, MappingNode):
            for key, item in node.value:
                stack += [key, item]
        elif isinstance(node, SequenceNode):
            stack += list(node.value)
