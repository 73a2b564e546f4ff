"""Front matter: split it from the body, read its YAML keeping every key's line, and check field types.

YAML is composed into nodes (never constructed into arbitrary objects), so each value keeps the line it came from
and no tag can instantiate anything. Text fields take the scalar exactly as written, so `title: 1984` or
`title: yes` stay the strings the author typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .model import Problem

# libyaml when PyYAML was built with it: about ten times faster, same nodes and marks. Its error messages differ,
# so a file that fails is composed again by the pure-Python loader, whose messages are the ones authors see.
FAST_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
NULL_TAG = "tag:yaml.org,2002:null"
INT_TAG = "tag:yaml.org,2002:int"
STR_TAG = "tag:yaml.org,2002:str"


def split_lines(text: str) -> list[str]:
    """Lines without their endings; "\\r\\n" and lone "\\r" count as line breaks, as in every editor."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


@dataclass
class Document:
    """A source file cut in two: the YAML between the `---` lines and the Markdown after them."""

    yaml_text: str
    yaml_first_line: int  # file line number of the first YAML line
    body_lines: list[str]
    body_first_line: int  # file line number of body_lines[0]
    closing_line: int  # file line number of the closing `---`


def split_document(text: str, path: str) -> tuple[Document | None, list[Problem]]:
    lines = split_lines(text.removeprefix("\ufeff"))
    if not lines or lines[0].rstrip() != "---":
        return None, [Problem(path, 1, "front matter missing: the file must start with a '---' line")]
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            document = Document(
                yaml_text="\n".join(lines[1:index]),
                yaml_first_line=2,
                body_lines=lines[index + 1 :],
                body_first_line=index + 2,
                closing_line=index + 1,
            )
            return document, []
    return None, [Problem(path, 1, "front matter is not closed: add a '---' line after it")]


@dataclass
class Entry:
    key: str
    line: int
    node: Node


class FrontMatter:
    """The top-level keys of a front matter block, each with its value node and line."""

    def __init__(self, entries: dict[str, Entry], path: str, first_line: int):
        self.entries = entries
        self.path = path
        self.first_line = first_line
        self.problems: list[Problem] = []

    def line_of(self, node: Node) -> int:
        return node.start_mark.line + self.first_line

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def check_keys(self, required: Collection[str], optional: Collection[str]) -> None:
        for entry in self.entries.values():
            if entry.key not in required and entry.key not in optional:
                allowed = ", ".join([*required, *optional])
                self.error(entry.line, f"unknown key '{entry.key}' (allowed: {allowed})")
        for key in required:
            if key not in self.entries:
                self.error(self.first_line - 1, f"missing required key '{key}'")

    # Typed readers: each returns the value, or None after recording why it is missing or wrong.

    def text(self, key: str) -> str | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        return read_text(entry.node, key, self)

    def positive_int(self, key: str) -> int | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        node = entry.node
        if isinstance(node, ScalarNode) and node.tag == INT_TAG and re.fullmatch(r"[0-9]+", node.value):
            value = int(node.value)
            if value > 0:
                return value
        self.error(self.line_of(node), f"'{key}' must be a positive whole number of minutes, not {describe(node)}")
        return None

    def choice(self, key: str, choices: Collection[str]) -> str | None:
        value = self.text(key)
        if value is not None and value not in choices:
            entry = self.entries[key]
            self.error(self.line_of(entry.node), f"'{key}' must be one of {', '.join(choices)}, not '{value}'")
            return None
        return value

    def text_list(self, key: str, item_check: Callable[[str, int], bool] | None = None) -> list[str] | None:
        """A YAML list of strings; `item_check(value, line)` may record its own problem and return False."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        return read_text_list(entry.node, key, self, item_check)


def read_text(node: Node, key: str, owner: FrontMatter) -> str | None:
    if isinstance(node, ScalarNode) and node.tag == NULL_TAG and node.value in ("", "~", "null", "Null", "NULL"):
        owner.error(owner.line_of(node), f"'{key}' is empty")
        return None
    if isinstance(node, ScalarNode):
        value = node.value.strip()
        if value:
            return value
        owner.error(owner.line_of(node), f"'{key}' is empty")
        return None
    owner.error(owner.line_of(node), f"'{key}' must be text, not {describe(node)}")
    return None


def read_text_list(
    node: Node, key: str, owner: FrontMatter, item_check: Callable[[str, int], bool] | None = None
) -> list[str] | None:
    if not isinstance(node, SequenceNode):
        owner.error(owner.line_of(node), f"'{key}' must be a list, e.g. [a, b] or one '- item' per line")
        return None
    values = []
    for item in node.value:
        line = owner.line_of(item)
        if isinstance(item, MappingNode):
            owner.error(line, f"an item of '{key}' contains ': ', which YAML reads as a key; put the item in quotes")
            continue
        if not isinstance(item, ScalarNode) or item.tag == NULL_TAG or not item.value.strip():
            owner.error(line, f"each item of '{key}' must be non-empty text, not {describe(item)}")
            continue
        value = item.value.strip()
        if item_check is None or item_check(value, line):
            values.append(value)
    return values


def describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL_TAG:
        return "nothing"
    return f"'{node.value}'"


def parse_front_matter(
    document: Document,
    path: str,
    *,
    where: str = "front matter",
    not_a_mapping: str = "front matter must be 'key: value' lines",
) -> tuple[FrontMatter | None, list[Problem]]:
    """Compose the YAML and index its top-level keys. Returns None when the YAML itself is unusable."""
    first_line = document.yaml_first_line
    try:
        try:
            root = yaml.compose(document.yaml_text, Loader=FAST_YAML_LOADER)
        except yaml.YAMLError:
            root = yaml.compose(document.yaml_text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + first_line if mark is not None else first_line
        reason = error.problem or error.context or "cannot be read"
        context_mark = error.context_mark
        if error.problem and error.context and context_mark is not None and context_mark.line != mark.line:
            reason += f" ({error.context} that starts on line {context_mark.line + first_line})"
        return None, [Problem(path, line, f"invalid YAML in {where}: {reason}")]
    except yaml.reader.ReaderError as error:
        line = document.yaml_text.count("\n", 0, error.position) + first_line
        return None, [Problem(path, line, f"invalid YAML in {where}: character #x{error.character:04x} is not allowed")]
    except yaml.YAMLError as error:
        return None, [Problem(path, first_line, f"invalid YAML in {where}: {' '.join(str(error).split())}")]
    if root is None:
        return FrontMatter({}, path, first_line), []
    if not isinstance(root, MappingNode):
        line = root.start_mark.line + first_line
        return None, [Problem(path, line, not_a_mapping)]
    entries, problems = index_mapping(root, path, first_line)
    front_matter = FrontMatter(entries, path, first_line)
    return front_matter, problems


def index_mapping(node: MappingNode, path: str, first_line: int) -> tuple[dict[str, Entry], list[Problem]]:
    entries: dict[str, Entry] = {}
    problems = []
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + first_line
        if not isinstance(key_node, ScalarNode):
            problems.append(Problem(path, line, "a key must be plain text"))
            continue
        key = key_node.value
        if key in entries:
            problems.append(Problem(path, line, f"duplicate key '{key}' (first on line {entries[key].line})"))
            continue
        entries[key] = Entry(key, line, value_node)
    return entries, problems
