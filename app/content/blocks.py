"""Cut a Markdown body into prose, `:::kind` callouts and `:::quiz` blocks, keeping file line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Problem

CALLOUT_KINDS = ("standard", "case-study", "discussion", "tip", "warning", "facilitator")
QUIZ_KIND = "quiz"

# A fence line opens or closes fenced code; `:::` lines inside code are text.
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# `:::kind rest` at the start of a line; `:::` alone closes. Indented `:::` lines are text (code, list items).
MARKER = re.compile(r":::(?!:)[ \t]*(\S*)[ \t]*(.*?)\s*")


@dataclass
class Prose:
    lines: list[str]


@dataclass
class Callout:
    kind: str
    argument: str  # the rest of the opening line: codes for `standard`, an optional title otherwise
    line: int  # file line of the opening `:::kind`
    first_line: int  # file line of lines[0]
    lines: list[str] = field(default_factory=list)


@dataclass
class QuizBlock:
    settings: str
    line: int
    first_line: int
    lines: list[str] = field(default_factory=list)


Block = Prose | Callout | QuizBlock


class FenceTracker:
    """Knows whether a line is inside fenced code, so markers in code samples stay text."""

    def __init__(self) -> None:
        self.open_fence: str | None = None

    def feed(self, line: str) -> bool:
        """Returns True when `line` is code (a fence line or inside a fence)."""
        match = FENCE.match(line)
        if self.open_fence is None:
            if match:
                self.open_fence = match.group(1)
                return True
            return False
        if match and match.group(1)[0] == self.open_fence[0] and len(match.group(1)) >= len(self.open_fence):
            if not line[match.end() :].strip():
                self.open_fence = None
        return True


def scan_blocks(lines: list[str], first_line: int, path: str) -> tuple[list[Block], list[Problem]]:
    blocks: list[Block] = []
    problems: list[Problem] = []
    prose: list[str] = []
    current: Callout | QuizBlock | None = None
    nested_depth = 0  # openers seen inside the current block, each already reported
    fences = FenceTracker()

    for offset, line in enumerate(lines):
        number = first_line + offset
        in_code = fences.feed(line)
        match = None if in_code else MARKER.fullmatch(line)
        if match is None:
            (current.lines if current is not None else prose).append(line)
            continue
        kind, rest = match.group(1).lower(), match.group(2)
        if kind == "":  # a closing `:::`
            if current is None:
                problems.append(Problem(path, number, "':::' closes nothing: no callout or quiz is open"))
            elif nested_depth:
                nested_depth -= 1
            else:
                blocks.append(current)
                current = None
            continue
        if current is not None:
            opened = f":::{current.kind}" if isinstance(current, Callout) else ":::quiz"
            problems.append(
                Problem(path, number,
                        f"callouts cannot be nested: close '{opened}' (line {current.line}) with ':::' first")
            )
            nested_depth += 1
            continue
        if prose:
            blocks.append(Prose(prose))
            prose = []
        if kind == QUIZ_KIND:
            current = QuizBlock(settings=rest, line=number, first_line=number + 1)
        else:
            if kind not in CALLOUT_KINDS:
                problems.append(
                    Problem(path, number,
                            f"unknown callout kind '{kind}' (use one of: {', '.join(CALLOUT_KINDS)}, quiz)")
                )
            current = Callout(kind=kind, argument=rest, line=number, first_line=number + 1)

    if current is not None:
        opened = f":::{current.kind}" if isinstance(current, Callout) else ":::quiz"
        problems.append(Problem(path, current.line, f"'{opened}' is not closed: add a ':::' line after it"))
        blocks.append(current)
    if prose:
        blocks.append(Prose(prose))
    return blocks, problems
