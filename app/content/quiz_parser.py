"""The `:::quiz` block: settings, scenarios, questions, options, feedback, accepted answers and explanations."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .blocks import FenceTracker, QuizBlock
from .markdown_render import FragmentBatch, RenderContext, inline_html
from .model import Option, Question, Quiz, Scenario

DEFAULT_PASS_MARK = 70
MAX_OPTIONS = 26
ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

QUESTION_HEADING = re.compile(r"###(?!#)[ \t]*(.*?)\s*")
SCENARIO_HEADING = re.compile(r"##(?!#)[ \t]*(.*?)\s*")
HEADING_BRACES = re.compile(r"(.*?)\s*\{([^{}]*)\}")
OPTION = re.compile(r"[-*+][ \t]+\[([ xX])\][ \t]*(.*?)\s*")
FEEDBACK = re.compile(r"([ \t]*)>[ \t]?(.*?)\s*")
KEYWORD = re.compile(r"(accept|explanation|standards)[ \t]*:[ \t]*(.*?)\s*", re.IGNORECASE)
CODE_SEPARATOR = re.compile(r"[\s,;]+")


def normalise_answer(text: str) -> str:
    """How short answers are compared: case-insensitive, runs of whitespace reduced to one space, hyphens, dashes and
    full stops taken for spaces, and punctuation at either end ignored ("Article 1." and "«article 1»" match
    "Article 1"; "34/169" keeps its slash). NFKC
    first, so that full-width digits and letters typed on some phones match their usual forms; digits of every
    script become 0-9, so "١٨" (an Arabic keyboard's 18) and "۱۸" match "18"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    # Hyphens, dashes and full stops inside an answer separate words as a space does: "CCLEO-5", "Art.5" and
    # "non-refoulement" match "ccleo 5", "art 5" and "non refoulement". A slash stays ("34/169").
    folded = " ".join("".join(" " if char == "." or unicodedata.category(char) == "Pd" else char
                              for char in folded).split())
    if not folded.isascii():
        folded = "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in folded)
    start, end = 0, len(folded)
    while start < end and unicodedata.category(folded[start]).startswith("P"):
        start += 1
    while end > start and unicodedata.category(folded[end - 1]).startswith("P"):
        end -= 1
    return folded[start:end].strip()


@dataclass
class DraftOption:
    correct: bool
    line: int
    text_lines: list[str]
    feedback_lines: list[str] = field(default_factory=list)
    text_fragment: int = -1
    feedback_fragment: int | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.text_lines).strip()


@dataclass
class DraftQuestion:
    heading: str
    line: int
    id: str
    scenario_id: str | None
    multiple: bool = False
    prompt_lines: list[str] = field(default_factory=list)
    options: list[DraftOption] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    explanation_lines: list[str] | None = None
    standards: list[str] = field(default_factory=list)
    type: str = "single"
    prompt_fragment: int = -1
    explanation_fragment: int | None = None


@dataclass
class DraftScenario:
    id: str
    title: str
    line: int
    text_lines: list[str] = field(default_factory=list)
    question_count: int = 0
    text_fragment: int = -1


@dataclass
class QuizDraft:
    """A parsed quiz whose Markdown is queued in a FragmentBatch; build() assembles the Quiz once it is converted."""

    line: int
    pass_mark: int = DEFAULT_PASS_MARK
    max_attempts: int | None = None
    shuffle: bool = False
    questions: list[DraftQuestion] = field(default_factory=list)
    scenarios: list[DraftScenario] = field(default_factory=list)

    def build(self, fragments: list[str], context: RenderContext) -> Quiz:
        def block_html(index: int | None) -> str:
            return context.finish(fragments[index]) if index is not None else ""

        questions = tuple(
            Question(
                id=question.id,
                type=question.type,
                prompt_html=block_html(question.prompt_fragment),
                options=tuple(
                    Option(
                        id=option_id(position),
                        html=inline_html(block_html(option.text_fragment)),
                        correct=option.correct,
                        feedback_html=block_html(option.feedback_fragment),
                    )
                    for position, option in enumerate(question.options)
                ),
                accepted_answers=tuple(question.accepted),
                explanation_html=block_html(question.explanation_fragment),
                standards=tuple(dict.fromkeys(question.standards)),
                scenario_id=question.scenario_id,
                line=question.line,
            )
            for question in self.questions
        )
        scenarios = tuple(
            Scenario(id=scenario.id, title=scenario.title, text_html=block_html(scenario.text_fragment))
            for scenario in self.scenarios
        )
        return Quiz(
            pass_mark=self.pass_mark,
            max_attempts=self.max_attempts,
            shuffle=self.shuffle,
            questions=questions,
            scenarios=scenarios,
        )


def option_id(position: int) -> str:
    return chr(ord("a") + position)


def parse_quiz(block: QuizBlock, *, module_slug: str, context: RenderContext, batch: FragmentBatch) -> QuizDraft:
    draft = QuizDraft(line=block.line)
    _read_settings(block.settings, block.line, draft, context)
    QuizReader(draft, module_slug, context).read(block.lines, block.first_line)
    for question in draft.questions:
        _check_question(question, context)
        _queue_fragments(question, batch)
    for scenario in draft.scenarios:
        if not "".join(scenario.text_lines).strip():
            context.report(scenario.line, f"scenario '{scenario.id}' has no text: write the case after its heading")
        if not scenario.question_count:
            context.report(scenario.line, f"scenario '{scenario.id}' has no questions: add '### question' headings")
        scenario.text_fragment = batch.add("\n".join(scenario.text_lines).strip())
    if not draft.questions:
        context.report(block.line, "quiz has no questions: start each one with a '### question' heading")
    return draft


def _read_settings(settings: str, line: int, draft: QuizDraft, context: RenderContext) -> None:
    seen: set[str] = set()
    for word in settings.split():
        name, _, value = word.partition("=")
        if name in seen:
            context.report(line, f"quiz setting '{name}' is given twice")
            continue
        seen.add(name)
        if name == "pass" and value.isdigit() and 0 <= int(value) <= 100:
            draft.pass_mark = int(value)
        elif name == "pass":
            context.report(line, f"quiz setting 'pass' must be a percentage from 0 to 100, not '{value}'")
        elif name == "attempts" and value.isdigit() and int(value) >= 1:
            draft.max_attempts = int(value)
        elif name == "attempts":
            context.report(line, f"quiz setting 'attempts' must be a whole number of at least 1, not '{value}'")
        elif word == "shuffle":
            draft.shuffle = True
        elif name == "shuffle":
            context.report(line, "quiz setting 'shuffle' takes no value: write just 'shuffle'")
        else:
            context.report(line, f"unknown quiz setting '{word}' (use pass=N, attempts=N, shuffle)")


class QuizReader:
    """Reads a quiz line by line. A question's lines go to its prompt, then its options, then its explanation."""

    def __init__(self, draft: QuizDraft, module_slug: str, context: RenderContext):
        self.draft = draft
        self.module_slug = module_slug
        self.context = context
        self.question: DraftQuestion | None = None
        self.scenario: DraftScenario | None = None
        self.section = "prompt"  # prompt | options | explanation
        self.ids: dict[str, int] = {}
        self.reported_stray_text = False
        # The line of a '>' quotation right above the first option, with no blank line between: meant as that
        # option's feedback (unindented by mistake), it would be shown before the learner answers.
        self.quote_ends_prompt: int | None = None

    def read(self, lines: list[str], first_line: int) -> None:
        fences = FenceTracker()
        for offset, line in enumerate(lines):
            number = first_line + offset
            if fences.feed(line):
                self._text(line, number, in_code=True)
                continue
            if match := QUESTION_HEADING.fullmatch(line):
                self._start_question(match.group(1), number)
            elif match := SCENARIO_HEADING.fullmatch(line):
                self._start_scenario(match.group(1), number)
            elif self.question is None:
                self._text(line, number)
            elif match := KEYWORD.fullmatch(line):
                self._keyword(match.group(1).lower(), match.group(2), number)
            elif match := OPTION.fullmatch(line):
                self._option(match.group(1) != " ", match.group(2), number)
            elif match := FEEDBACK.fullmatch(line):
                self._feedback(match.group(1), match.group(2), line, number)
            else:
                self._text(line, number)

    def _start_question(self, heading: str, line: int) -> None:
        text, words = _split_braces(heading)
        position = len(self.draft.questions) + 1
        question = DraftQuestion(
            heading=text,
            line=line,
            id=f"{self.module_slug}-q{position}",
            scenario_id=self.scenario.id if self.scenario else None,
        )
        explicit_id = None
        for word in words:
            if word.startswith("#") and explicit_id is None:
                explicit_id = word[1:]
            elif word == "multiple":
                question.multiple = True
            else:
                self.context.report(
                    line, f"unexpected '{word}' in question heading: use {{#some-id}} or {{#some-id multiple}}"
                )
        if explicit_id is None:
            self.context.report(
                line,
                f"question has no id: add {{#some-id}} to the heading so that reordering questions keeps learners' "
                f"answers (for now it is '{question.id}')",
                "warning",
            )
        elif not ID.fullmatch(explicit_id):
            self.context.report(line, f"question id '{explicit_id}' must be lower-case letters, digits and hyphens")
        else:
            question.id = explicit_id
        if question.id in self.ids:
            self.context.report(line, f"duplicate question id '{question.id}' (also on line {self.ids[question.id]})")
        else:
            self.ids[question.id] = line
        if not text:
            self.context.report(line, "question heading has no text: write the question after '###'")
        if self.scenario:
            self.scenario.question_count += 1
        self.draft.questions.append(question)
        self.question = question
        self.section = "prompt"
        self.quote_ends_prompt = None

    def _start_scenario(self, heading: str, line: int) -> None:
        title, words = _split_braces(heading)
        scenario_id = f"{self.module_slug}-s{len(self.draft.scenarios) + 1}"
        for word in words:
            if word.startswith("#") and ID.fullmatch(word[1:]):
                scenario_id = word[1:]
            else:
                self.context.report(line, f"unexpected '{word}' in scenario heading: use {{#scenario-id}}")
        if any(scenario.id == scenario_id for scenario in self.draft.scenarios):
            self.context.report(line, f"duplicate scenario id '{scenario_id}'")
        if not title:
            self.context.report(line, "scenario heading has no title: write it after '##'")
        self.scenario = DraftScenario(id=scenario_id, title=title, line=line)
        self.draft.scenarios.append(self.scenario)
        self.question = None

    def _keyword(self, keyword: str, value: str, line: int) -> None:
        question = self.question
        if keyword == "accept":
            if value and not normalise_answer(value):
                self.context.report(line, f"'Accept: {value}' is only punctuation, which answers are compared without")
            elif value:
                if normalise_answer(value) not in map(normalise_answer, question.accepted):
                    question.accepted.append(value)
            else:
                self.context.report(line, "'Accept:' needs an answer after it")
        elif keyword == "standards":
            codes = [code for code in CODE_SEPARATOR.split(value) if code]
            if not codes:
                self.context.report(line, "'Standards:' needs at least one standard code")
            question.standards.extend(code for code in codes if self.context.check_standard(code, line))
        elif question.explanation_lines is not None:
            self.context.report(line, "question has a second 'Explanation:'; keep one")
        else:
            question.explanation_lines = [value]
            self.section = "explanation"

    def _option(self, correct: bool, text: str, line: int) -> None:
        if self.section == "prompt" and self.quote_ends_prompt is not None:
            self.context.report(self.quote_ends_prompt, "this '>' quotation sits right on the options, so learners "
                                "see it before they answer: to make it an option's feedback, indent it under that "
                                "option; to keep it as a quotation, leave a blank line before the options", "warning")
        self.quote_ends_prompt = None
        if self.section == "explanation":
            self.context.report(line, "options must come before 'Explanation:'")
        if not text:
            self.context.report(line, "option has no text")
        self.question.options.append(DraftOption(correct=correct, line=line, text_lines=[text]))
        self.section = "options"

    def _feedback(self, indent: str, text: str, line: str, number: int) -> None:
        if self.section == "options":
            self.question.options[-1].feedback_lines.append(text)
        elif indent:
            self.context.report(number, "option feedback without an option: '>' lines go under an '- [ ]' option")
        else:  # a quotation in the prompt or the explanation
            self._text(line, number)
            if self.section == "prompt":
                self.quote_ends_prompt = number

    def _text(self, line: str, number: int, in_code: bool = False) -> None:
        question = self.question
        if question is None:
            if self.scenario is not None:
                self.scenario.text_lines.append(line)
            elif line.strip() and not self.reported_stray_text:
                self.reported_stray_text = True
                self.context.report(number, "text before the first question is not shown: start with '### question'")
            return
        if self.section == "prompt":
            question.prompt_lines.append(line)
            self.quote_ends_prompt = None  # text or a blank line: the quotation does not sit on the options
        elif self.section == "explanation":
            question.explanation_lines.append(line)
        elif not line.strip():
            return  # spacing between options
        elif line[:1].isspace() or in_code:
            option = question.options[-1]
            (option.feedback_lines if option.feedback_lines else option.text_lines).append(line.strip())
        else:
            self.context.report(
                number, "unindented text among the options belongs to no option: indent it to continue the option "
                        "above, or start 'Explanation:'"
            )


def _split_braces(heading: str) -> tuple[str, list[str]]:
    match = HEADING_BRACES.fullmatch(heading)
    if match is None:
        return heading.strip(), []
    return match.group(1).strip(), match.group(2).split()


def _check_question(question: DraftQuestion, context: RenderContext) -> None:
    line = question.line
    options = question.options
    correct = sum(option.correct for option in options)
    if options and question.accepted:
        context.report(line, "question has both options and 'Accept:' answers: a short answer question has no options")
    if options:
        for option in options[MAX_OPTIONS:]:
            context.report(option.line, f"a question may have at most {MAX_OPTIONS} options")
        if sorted(normalise_answer(option.text) for option in options) == ["false", "true"]:
            question.type = "true_false"
            if question.multiple:
                context.report(line, "a true/false question cannot be 'multiple'")
            if correct != 1:
                context.report(line,
                               "true/false question needs exactly one correct answer: mark True or False with [x]")
        else:
            question.type = "multiple" if question.multiple else "single"
            if len(options) < 2:
                context.report(line, "a choice question needs at least two options")
            if correct == 0:
                context.report(line, "question has no correct option: mark the right one with [x]")
            elif correct > 1 and not question.multiple:
                context.report(
                    line,
                    f"single-choice question has {correct} correct options: mark one, "
                    f"or make it multiple choice with {{#{question.id} multiple}}",
                )
    elif question.accepted:
        question.type = "short_answer"
        if question.multiple:
            context.report(line, "a short answer question cannot be 'multiple'")
    else:
        context.report(
            line, "question has no options and no 'Accept:' answers: add '- [x]' options or 'Accept: answer' lines"
        )
    explanation = "\n".join(question.explanation_lines or []).strip()
    if not explanation:
        context.report(line, f"question '{question.id}' has no explanation: add an 'Explanation:' line", "warning")


def _queue_fragments(question: DraftQuestion, batch: FragmentBatch) -> None:
    prompt = question.heading + "\n\n" + "\n".join(question.prompt_lines)
    question.prompt_fragment = batch.add(prompt.strip())
    for option in question.options:
        option.text_fragment = batch.add(option.text)
        if option.feedback_lines:
            option.feedback_fragment = batch.add("\n".join(option.feedback_lines).strip())
    explanation = "\n".join(question.explanation_lines or []).strip()
    if explanation:
        question.explanation_fragment = batch.add(explanation)
