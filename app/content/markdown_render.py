"""Markdown to safe HTML: callouts, course-relative URLs, and one sanitiser that every rendered string goes through.

Pipeline for a body: cut it into blocks, replace callout boundaries with marker paragraphs, convert the whole body
with Python-Markdown in one pass (so footnotes and heading anchors work across callouts), swap the markers for
`<aside>` tags, sanitise, then rewrite URLs on the sanitised HTML. Facilitator notes and quiz texts are converted
together in a second pass (one conversion per module, not one per option: conversions have a fixed cost).
"""

from __future__ import annotations

import bisect
import html
import posixpath
import re
import secrets
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode

from .blocks import CALLOUT_KINDS, Callout, Prose, QuizBlock, scan_blocks
from .frontmatter import split_lines
from .model import Problem, StandardsRegistry, TocEntry

MODULE_FILENAME = re.compile(r"(\d+)-([a-z0-9]+(?:-[a-z0-9]+)*)\.md")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp")
EXTERNAL_REL = "noopener noreferrer nofollow"

CALLOUT_LABELS = {
    "standard": "Standard",
    "case-study": "Case study",
    "discussion": "Discussion",
    "tip": "Tip",
    "warning": "Warning",
    "facilitator": "Facilitator notes",
}

# --- Sanitiser -----------------------------------------------------------------------------------------------------

ALLOWED_TAGS = {
    "a", "abbr", "aside", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul",
}  # fmt: skip
# Removed together with everything inside them, rather than unwrapped into text.
DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "svg", "math", "template", "noscript", "textarea", "select",
    "title", "xmp", "noembed", "noframes", "frameset", "applet",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "aside": {"aria-label"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    # Heading anchors and footnotes.
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "li": {"id"},
    "sup": {"id"},
}
ALLOWED_CLASSES = {
    "aside": {"callout", *(f"callout-{kind}" for kind in CALLOUT_KINDS)},
    "p": {"callout-title"},
    "ul": {"callout-standards"},
    "div": {"footnote"},
    "a": {"footnote-ref", "footnote-backref"},
}

_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes=ALLOWED_CLASSES,
    url_schemes={"http", "https", "mailto"},
    strip_comments=True,
    link_rel=None,  # added after URL checks, on external links only
)


def sanitize(untrusted_html: str) -> str:
    return _CLEANER.clean(untrusted_html)


# --- Markdown ------------------------------------------------------------------------------------------------------

_thread = threading.local()


def markdown_converter() -> markdown.Markdown:
    """One Markdown instance per thread (they are not thread-safe), built once and reset between documents."""
    converter = getattr(_thread, "markdown", None)
    if converter is None:
        converter = markdown.Markdown(
            extensions=["tables", "footnotes", "def_list", "fenced_code", "toc", "sane_lists"],
            extension_configs={
                "toc": {"permalink": False, "slugify": slugify_unicode},
                "tables": {"use_align_attribute": True},  # Python-Markdown's default is a style attribute
            },
            output_format="html",
        )
        _thread.markdown = converter
    converter.reset()
    return converter


def discard_markdown_converter() -> None:
    _thread.markdown = None


def unexpected_error_message(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "the text is nested too deeply to render (lists, quotes or emphasis inside each other)"
    return f"internal error while checking this file: {error!r}"


# Placeholder paragraphs: letters and digits only so Markdown leaves them alone; random so no author can type one.
MARKER = "a26" + secrets.token_hex(8)
MARKER_PARAGRAPH = re.compile(rf"<p>{MARKER}(open|close|facilitator|separator)(\d+)</p>")
LEFTOVER_MARKER = re.compile(rf"{MARKER}[a-z]+\d+")


def marker_lines(name: str, number: int) -> list[str]:
    return ["", f"{MARKER}{name}{number}", ""]


# --- Rendering context and URLs --------------------------------------------------------------------------------------


@dataclass
class RenderContext:
    """What rendering needs to know about the course, and where it records problems and images."""

    course_slug: str
    path: str
    lines: list[str]  # the file's lines, to find the line of a URL
    first_line: int
    registry: StandardsRegistry | None = None
    known_modules: Collection[str] = ()
    asset_exists: Callable[[str], bool] = lambda path: True
    problems: list[Problem] = field(default_factory=list)
    _images: dict[str, None] = field(default_factory=dict)  # a dict keeps first-seen order and finds fast
    _reported: set[tuple[int, str]] = field(default_factory=set)
    _source: str | None = None
    _line_starts: list[int] = field(default_factory=list)
    _cursor: int = 0

    def report(self, line: int, message: str, severity: str = "error") -> None:
        if (line, message) not in self._reported:
            self._reported.add((line, message))
            self.problems.append(Problem(self.path, line, message, severity))

    def line_of(self, text: str) -> int:
        """The file line where `text` (a URL) appears. URLs are met roughly in document order, so the search goes
        on from the previous match before starting again from the top: linear, not quadratic, in the usual case."""
        if self._source is None:
            self._source = "\n".join(self.lines)
            self._line_starts = [0]
            for line in self.lines[:-1]:
                self._line_starts.append(self._line_starts[-1] + len(line) + 1)
        position = self._source.find(text, self._cursor)
        if position == -1:
            position = self._source.find(text)
        if position == -1 or not text:
            return self.first_line
        self._cursor = position + len(text)
        return self.first_line + bisect.bisect_right(self._line_starts, position) - 1

    def add_image(self, path: str) -> None:
        self._images[path] = None

    @property
    def images(self) -> list[str]:
        return list(self._images)

    def check_standard(self, code: str, line: int) -> bool:
        if self.registry is None or code in self.registry:
            return True
        self.report(line, f"unknown standard code '{code}' (not in standards.yaml)")
        return False

    def finish(self, raw_html: str) -> str:
        """Sanitise converted HTML, then make its URLs point at the site."""
        return rewrite_urls(sanitize(raw_html), self)


_URL_TAG = re.compile(r"<(a|img)((?:\s+[^\s=>/\"]+(?:=\"[^\"]*\")?)*)\s*/?>")
_ATTRIBUTE = re.compile(r"([^\s=>/\"]+)(?:=\"([^\"]*)\")?")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f]")


def rewrite_urls(clean_html: str, context: RenderContext) -> str:
    """Check and rewrite href/src on sanitised HTML; a second line of defence after the sanitiser's scheme check."""

    def rewrite_tag(match: re.Match) -> str:
        tag = match.group(1)
        url_attribute = "href" if tag == "a" else "src"
        attributes = []
        external = False
        for name, value in _ATTRIBUTE.findall(match.group(2)):
            if name == url_attribute:
                url, external = _resolve(tag, html.unescape(value), context)
                if url is None:
                    continue
                value = html.escape(url)
            attributes.append(f'{name}="{value}"')
        if external and tag == "a":
            attributes.append(f'rel="{EXTERNAL_REL}"')
        return f"<{tag}{''.join(' ' + attribute for attribute in attributes)}>"

    return _URL_TAG.sub(rewrite_tag, clean_html)


def _resolve(tag: str, url: str, context: RenderContext) -> tuple[str | None, bool]:
    """The URL to publish (None drops the attribute) and whether it leaves the site."""
    compact = _INVISIBLE.sub("", url)
    scheme = _SCHEME.match(compact)
    if scheme:
        name = scheme.group(1).lower()
        if tag == "a" and name in ("http", "https", "mailto"):
            return url.strip(), True
        if tag == "img" and name in ("http", "https"):
            context.report(
                context.line_of(url), f"image '{url.strip()}' must be a file in the course folder, not a web address"
            )
        return None, False
    if compact.startswith(("//", "\\", "/\\")):  # scheme-relative: another site, in disguise
        return None, False
    if compact.startswith("/") or compact.startswith(("#", "?")) or not compact:
        return url.strip(), False
    return _resolve_course_path(tag, url.strip(), context), False


def _resolve_course_path(tag: str, url: str, context: RenderContext) -> str | None:
    parts = urlsplit(url)
    suffix = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    path = posixpath.normpath(unquote(parts.path))
    line = context.line_of(parts.path)
    if path == ".." or path.startswith("../") or path.startswith("/"):
        context.report(line, f"'{url}' points outside the course folder")
        return None
    course_root = f"/courses/{quote(context.course_slug)}"
    if tag == "a" and path.lower().endswith(".md"):
        if path == "course.md":
            return course_root + suffix
        module = MODULE_FILENAME.fullmatch(path)
        if module is None:
            context.report(line, f"link to a module that does not exist: '{url}' (module files are named NN-slug.md)")
            return None
        slug = module.group(2)
        if context.known_modules and slug not in context.known_modules:
            context.report(line, f"link to a module that does not exist: '{url}'")
        return f"{course_root}/m/{slug}{suffix}"
    if tag == "img":
        if not path.lower().endswith(IMAGE_EXTENSIONS):
            context.report(line, f"image type not allowed: '{path}' (use PNG, JPEG, GIF or WebP)")
            return None
        context.add_image(path)
    if not context.asset_exists(path):
        what = "image" if tag == "img" else "linked file"
        context.report(line, f"{what} not found: '{path}'")
    return f"{course_root}/assets/{quote(path)}{suffix}"


# --- Bodies --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    toc: tuple[TocEntry, ...]
    problems: tuple[Problem, ...]
    images: tuple[str, ...] = ()
    standards: tuple[str, ...] = ()  # codes cited by `:::standard` callouts
    word_count: int = 0


class FragmentBatch:
    """Small Markdown texts (quiz prompts, options, facilitator notes) converted in one Markdown pass."""

    def __init__(self) -> None:
        self.sources: list[str] = []
        self.results: list[str] = []

    def add(self, text: str) -> int:
        self.sources.append(text)
        return len(self.sources) - 1

    def convert(self) -> list[str]:
        """Raw (unsanitised) HTML for each fragment, in order."""
        results = [_plain_paragraph(source) for source in self.sources]
        pending = [index for index, result in enumerate(results) if result is None]
        if pending:
            joined = "\n\n".join(f"{self.sources[index]}\n\n{MARKER}separator{index}" for index in pending)
            output = markdown_converter().convert(joined)
            pieces = MARKER_PARAGRAPH.split(output)
            # split() yields [piece, "separator", "0", piece, "separator", "1", ..., tail]
            converted = pieces[0::3][: len(pending)]
            if pieces[2::3] != [str(index) for index in pending] or 'class="footnote"' in output:
                # An unclosed fence or HTML block swallowed a separator, or footnotes would pool at the end:
                # convert one by one.
                converted = [markdown_converter().convert(self.sources[index]) for index in pending]
            for index, html_piece in zip(pending, converted, strict=True):
                results[index] = html_piece.strip()
        self.results = results
        return results


# Most quiz texts are one plain paragraph. Markdown's inline pass is the expensive part of a module, so text with no
# Markdown syntax at all skips it. Anything that might be syntax (a special character anywhere, a list, heading,
# quote, code or definition marker at a line start, a hard line break) goes through Markdown.
_PLAIN_TEXT = re.compile(r"(?![\s\d:=+-])[^\\`*_\[\]!<>&#|~{}]+(?<! )", re.DOTALL)
_LINE_START_SYNTAX = re.compile(r"\n(?:[\s\d:=+-]|$)|  \n")


def _plain_paragraph(text: str) -> str | None:
    if not text:
        return ""
    if _PLAIN_TEXT.fullmatch(text) and not _LINE_START_SYNTAX.search(text):
        return f"<p>{text}</p>"
    return None


@dataclass
class BodyDraft:
    """A converted body waiting for its facilitator notes (converted with the quiz in a FragmentBatch)."""

    html: str  # sanitised, with facilitator marker paragraphs still in place
    toc: tuple[TocEntry, ...]
    word_count: int
    standards: tuple[str, ...]
    facilitator_fragments: dict[int, tuple[Callout, int]]  # marker number -> (callout, fragment index)

    def learner_html(self) -> str:
        return LEFTOVER_MARKER.sub("", MARKER_PARAGRAPH.sub("", self.html))

    def trainer_html(self, fragments: list[str], context: RenderContext) -> str:
        if not self.facilitator_fragments:
            return self.learner_html()

        def facilitator_aside(match: re.Match) -> str:
            callout, index = self.facilitator_fragments[int(match.group(2))]
            return context.finish(callout_opening(callout, context) + "\n" + fragments[index] + "\n</aside>")

        return LEFTOVER_MARKER.sub("", MARKER_PARAGRAPH.sub(facilitator_aside, self.html))


def convert_body(blocks: Iterable, context: RenderContext, batch: FragmentBatch) -> BodyDraft:
    lines: list[str] = []
    openings: dict[int, str] = {}
    facilitator: dict[int, tuple[Callout, int]] = {}
    standards: list[str] = []
    for number, block in enumerate(blocks):
        if isinstance(block, Prose):
            lines.extend(block.lines)
        elif isinstance(block, QuizBlock):
            continue
        elif block.kind == "facilitator":
            facilitator[number] = (block, batch.add("\n".join(block.lines)))
            lines.extend(marker_lines("facilitator", number))
        elif block.kind in CALLOUT_KINDS:
            if block.kind == "standard":
                standards.extend(callout_codes(block, context))
            openings[number] = callout_opening(block, context)
            lines.extend(marker_lines("open", number))
            lines.extend(block.lines)
            lines.extend(marker_lines("close", number))
        else:  # unknown kind, already reported: keep its text
            lines.extend(block.lines)

    converter = markdown_converter()
    raw_html = converter.convert("\n".join(lines))
    toc = tuple(_flatten_toc(converter.toc_tokens))
    word_count = count_words(LEFTOVER_MARKER.sub(" ", raw_html))

    def callout_boundary(match: re.Match) -> str:
        kind, number = match.group(1), int(match.group(2))
        if kind == "open":
            return openings[number]
        if kind == "close":
            return "</aside>"
        return match.group(0)  # facilitator markers stay until trainer_html()

    html_with_asides = MARKER_PARAGRAPH.sub(callout_boundary, raw_html)
    return BodyDraft(
        html=context.finish(html_with_asides),
        toc=toc,
        word_count=word_count,
        standards=tuple(standards),
        facilitator_fragments=facilitator,
    )


def callout_codes(callout: Callout, context: RenderContext) -> list[str]:
    codes = [code for code in re.split(r"[\s,;]+", callout.argument) if code]
    if not codes:
        context.report(callout.line, "':::standard' needs at least one standard code, e.g. ':::standard ICCPR-9'")
    return [code for code in codes if context.check_standard(code, callout.line)]


def callout_opening(callout: Callout, context: RenderContext) -> str:
    label = CALLOUT_LABELS[callout.kind]
    if callout.kind == "standard":
        codes = [code for code in re.split(r"[\s,;]+", callout.argument) if code]
        items = "".join(f'<li><a href="/standards#{quote(code)}">{html.escape(_standard_label(code, context))}</a></li>'
                        for code in codes)
        return (
            f'<aside class="callout callout-standard" aria-label="{label}">'
            f'<p class="callout-title">{label}</p><ul class="callout-standards">{items}</ul>'
        )
    if callout.argument:
        label = f"{label}: {callout.argument}"
    label = html.escape(label)
    return f'<aside class="callout callout-{callout.kind}" aria-label="{label}"><p class="callout-title">{label}</p>'


def _standard_label(code: str, context: RenderContext) -> str:
    standard = context.registry.get(code) if context.registry is not None else None
    return standard.label if standard is not None else code


def _flatten_toc(tokens: list[dict]) -> Iterable[TocEntry]:
    for token in tokens:
        yield TocEntry(level=token["level"], anchor=token["id"], title=html.unescape(token["name"]))
        yield from _flatten_toc(token["children"])


_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def count_words(some_html: str) -> int:
    return len(_WORD.findall(html.unescape(_TAG.sub(" ", some_html))))


def render_markdown(
    text: str,
    *,
    course_slug: str,
    include_facilitator: bool = False,
    registry: StandardsRegistry | None = None,
    known_modules: Collection[str] = (),
    asset_exists: Callable[[str], bool] = lambda path: True,
    path: str = "",
    first_line: int = 1,
) -> RenderedMarkdown:
    """Render a Markdown body (callouts included) to sanitised HTML. A `:::quiz` block here is an error:
    quizzes are parsed by parse_module_source. Never raises: a failure is returned as a problem."""
    try:
        return _render_markdown(text, course_slug, include_facilitator, registry, known_modules, asset_exists, path,
                                first_line)
    except Exception as error:
        discard_markdown_converter()
        return RenderedMarkdown(html="", toc=(), problems=(Problem(path, first_line, unexpected_error_message(error)),))


def _render_markdown(text, course_slug, include_facilitator, registry, known_modules, asset_exists, path, first_line):
    lines = split_lines(text)
    context = RenderContext(
        course_slug=course_slug,
        path=path,
        lines=lines,
        first_line=first_line,
        registry=registry,
        known_modules=known_modules,
        asset_exists=asset_exists,
    )
    blocks, problems = scan_blocks(lines, first_line, path)
    context.problems.extend(problems)
    for block in blocks:
        if isinstance(block, QuizBlock):
            context.report(block.line, "a quiz is only allowed in a module file")
    batch = FragmentBatch()
    body = convert_body(blocks, context, batch)
    trainer_html = body.trainer_html(batch.convert(), context)  # always built: it checks the notes' links too
    return RenderedMarkdown(
        html=trainer_html if include_facilitator else body.learner_html(),
        toc=body.toc,
        problems=tuple(context.problems),
        images=tuple(context.images),
        standards=body.standards,
        word_count=body.word_count,
    )


def inline_html(fragment_html: str) -> str:
    """A one-paragraph fragment without its <p>, for text that sits inside a label (quiz options)."""
    if fragment_html.startswith("<p>") and fragment_html.endswith("</p>") and fragment_html.count("<p>") == 1:
        return fragment_html[3:-4]
    return fragment_html
