"""No payload reaches a page: every rendered field of a module and a course goes through the one sanitiser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.content import parse_course_source, parse_module_source, render_markdown
from app.content.markdown_render import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=x:alert(1) onerror=eval(src)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">x</a>',
    '<a href=" \x01javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="//evil.example/">x</a>',
    '<a href="/\\evil.example/">x</a>',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<style>body{display:none}</style>",
    '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
    '<object data="evil.swf"></object>',
    '<embed src="evil.swf">',
    '<form action="https://evil.example"><input name="x"><button formaction="javascript:alert(1)">go</button></form>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<div onclick="alert(1)">click</div>',
    "<details open ontoggle=alert(1)>x</details>",
    '"><script>alert(1)</script>',
    "<!--<img src=x onerror=alert(1)>-->",
    "<scr<script>ipt>alert(1)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<template><script>alert(1)</script></template>",
    '<a href="https://ok.example" onmouseover="alert(1)">x</a>',
    "<body onload=alert(1)>",
    "<video><source onerror=alert(1)></video>",
]

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")


class StrictChecker(HTMLParser):
    """Fails on any tag or attribute outside the allow-list, and on any URL with a dangerous scheme."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.failures: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.failures.append(f"tag <{tag}>")
        for name, value in attrs:
            allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | {"class", "rel"}
            if name not in allowed:
                self.failures.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src"):
                compact = re.sub(r"[\x00-\x20\x7f-\x9f]", "", value or "").lower()
                if compact.startswith(DANGEROUS_SCHEMES) or compact.startswith(("//", "/\\", "\\")):
                    self.failures.append(f"{name}={value!r}")


def assert_safe(fragment: str) -> None:
    checker = StrictChecker()
    checker.feed(fragment)
    checker.close()
    assert checker.failures == [], fragment
    # Belt and braces for the parser above: as text, these could only appear escaped ("&lt;script").
    lowered = fragment.lower()
    for tag in ("<script", "<iframe", "<svg", "<math", "<object", "<embed", "<style", "<form", "<input", "<base",
                "<meta", "<link", "<template", "<noscript", "<video", "<source", "<body"):
        assert tag not in lowered, (tag, fragment)


def module_html_fields(module) -> list[str]:
    fields = [module.learner_html, module.trainer_html]
    if module.quiz:
        for scenario in module.quiz.scenarios:
            fields.append(scenario.text_html)
        for question in module.quiz.questions:
            fields += [question.prompt_html, question.explanation_html]
            for option in question.options:
                fields += [option.html, option.feedback_html]
    return fields


def module_with(payload: str) -> str:
    """The payload in every place a module takes author text, on one line where the syntax needs it."""
    one_line = payload.replace("\n", " ")
    quoted = one_line.replace("'", "''")
    return f"""\
---
title: '{quoted}'
objectives:
  - '{quoted}'
---
{payload}

:::case-study {one_line}
{payload}
:::

:::facilitator
{payload}
:::

:::quiz
### {one_line} {{#q1}}
{payload}

- [x] {one_line}
  > {one_line}
- [ ] Plain
Explanation: {payload}

## {one_line} {{#case}}
{payload}

### Short {{#q2}}
Accept: {one_line}
Explanation: Fine.
:::
"""


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives_in_a_module(payload, registry):
    module, problems = parse_module_source(
        module_with(payload), filename="01-m.md", course_slug="c", registry=registry
    )
    if module is None:  # a payload that is also a content error (e.g. an image URL): the rendering still ran
        return
    for fragment in module_html_fields(module):
        assert_safe(fragment)
    # Titles and plain-text fields are kept as written: escaping them is the template's job.
    assert module.title == payload.replace("\n", " ")
    assert module.objectives == (payload.replace("\n", " "),)
    assert module.quiz.scenarios[0].title.startswith(payload.replace("\n", " ").strip()[:5])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives_rendering(payload):
    rendered = render_markdown(f"{payload}\n\n:::tip {payload}\n{payload}\n:::\n", course_slug="c")
    assert_safe(rendered.html)
    trainer = render_markdown(f":::facilitator\n{payload}\n:::\n", course_slug="c", include_facilitator=True)
    assert_safe(trainer.html)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives_in_a_course_intro(payload, registry):
    one_line = payload.replace("\n", " ").replace("'", "''")
    text = (
        f"---\ntitle: '{one_line}'\nsummary: '{one_line}'\naudiences: [student]\nlanguage: en\n"
        f"estimated_minutes: 5\n---\n{payload}\n"
    )
    meta, problems = parse_course_source(text, course_slug="c", registry=registry)
    if meta is None:
        return
    assert_safe(meta.intro_html)
    assert meta.title == payload.replace("\n", " ")


def test_scheme_checks_also_apply_to_sanitised_output():
    rendered = render_markdown('<a href="https://ok.example/">ok</a> [mail](mailto:someone@example.org)', course_slug="c")
    assert '<a href="https://ok.example/" rel="noopener noreferrer nofollow">ok</a>' in rendered.html
    assert '<a href="mailto:someone@example.org" rel="noopener noreferrer nofollow">mail</a>' in rendered.html


def test_internal_links_get_no_rel():
    rendered = render_markdown("[a](/standards#ICCPR-9) [b](#top)", course_slug="c")
    assert '<a href="/standards#ICCPR-9">a</a>' in rendered.html
    assert '<a href="#top">b</a>' in rendered.html


def test_case_study_title_is_escaped():
    rendered = render_markdown(':::case-study <b onclick="x">Bold</b> & co\nText.\n:::\n', course_slug="c")
    assert 'aria-label="Case study: &lt;b onclick=&quot;x&quot;&gt;Bold&lt;/b&gt; &amp; co"' in rendered.html


def test_authors_cannot_use_site_classes():
    rendered = render_markdown('<p class="btn btn-danger callout-title">x</p>', course_slug="c")
    assert rendered.html == '<p class="callout-title">x</p>'
