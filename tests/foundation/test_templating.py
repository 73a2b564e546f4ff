"""Templates translate and build links through app.templating: Jinja's newstyle gettext semantics with the
request's catalogue, and the URLs Flask's url_for builds."""

import gettext
import re

import flask
import pytest
from flask import g, render_template_string
from markupsafe import escape


class Catalogue(gettext.NullTranslations):
    def __init__(self, messages: dict[str, str], plurals: dict[str, tuple[str, str]] | None = None):
        super().__init__()
        self.messages = messages
        self.plurals = plurals or {}

    def gettext(self, message):
        return self.messages.get(message, message)

    def ngettext(self, singular, plural, n):
        one, many = self.plurals.get(singular, (singular, plural))
        return one if n == 1 else many

    ugettext, ungettext = gettext, ngettext


@pytest.fixture
def render(app):
    def render_with(catalogue: Catalogue, source: str, **context) -> str:
        with app.test_request_context("/"):
            g._translations = catalogue
            return render_template_string(source, **context)
    return render_with


def test_a_message_is_translated_with_the_catalogue_of_the_request(render):
    french = Catalogue({"Courses": "Cours"})
    german = Catalogue({"Courses": "Kurse"})
    assert render(french, "{{ _('Courses') }}") == "Cours"
    assert render(german, "{{ _('Courses') }}") == "Kurse"
    assert render(Catalogue({}), "{{ gettext('Courses') }}") == "Courses"


def test_a_message_is_always_formatted_so_a_double_percent_is_one_percent(render):
    assert render(Catalogue({}), "{{ _('100%% of the marks') }}") == "100% of the marks"
    assert render(Catalogue({}), "{{ _('Pass mark: %(mark)d%%', mark=80) }}") == "Pass mark: 80%"


def test_variables_are_escaped_and_the_translated_text_is_trusted(render):
    catalogue = Catalogue({"Hello %(name)s": "<b>Bonjour</b> %(name)s"})
    assert render(catalogue, "{{ _('Hello %(name)s', name=who) }}", who="<script>") == "<b>Bonjour</b> &lt;script&gt;"


def test_without_autoescape_nothing_is_escaped(render):
    source = "{% autoescape false %}{{ _('Hello %(name)s', name=who) }} {{ _('a%%') }}{% endautoescape %}"
    assert render(Catalogue({}), source, who="<i>") == "Hello <i> a%"


def test_plurals_choose_the_form_and_receive_num(render):
    catalogue = Catalogue({}, {"%(num)d answer": ("%(num)d réponse", "%(num)d réponses")})
    source = "{{ ngettext('%(num)d answer', '%(num)d answers', n) }}"
    assert render(catalogue, source, n=1) == "1 réponse"
    assert render(catalogue, source, n=3) == "3 réponses"
    assert render(Catalogue({}), "{{ ngettext('%(num)d of %(what)s', '%(num)d of %(what)s', 2, what=w) }}",
                  w="<x>") == "2 of &lt;x&gt;"


def test_links_are_the_ones_flask_builds_for_each_script_root_and_value(app):
    source = ("{{ url_for('learning.module', slug=s, module_slug='m1') }} {{ url_for('learning.catalog', page=p) }} "
              "{{ url_for('learning.catalog', audience=['police', 'judge']) }} "
              "{{ url_for('learning.course', slug=s, _anchor='modules') }}")
    for script_root in ("", "/a26", ""):
        for slug, page in (("c1", 1), ("c2", True), ("c1", 1)):
            with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
                expected = " ".join((
                    flask.url_for("learning.module", slug=slug, module_slug="m1"),
                    flask.url_for("learning.catalog", page=page),
                    flask.url_for("learning.catalog", audience=["police", "judge"]),
                    flask.url_for("learning.course", slug=slug, _anchor="modules"),
                ))
                assert render_template_string(source, s=slug, p=page) == str(escape(expected))
                assert expected.startswith(f"{script_root}/courses/{slug}/m/m1 ")


def test_every_scrolling_table_box_can_be_scrolled_from_the_keyboard():
    # A box that scrolls sideways on a phone must take the focus (and say what it holds), or keyboard users
    # cannot reach its right-hand columns (axe: scrollable-region-focusable).
    from pathlib import Path

    import app as package

    boxes = [(path.name, tag) for path in Path(package.__file__).parent.rglob("*.html")
             for tag in re.findall(r'<div class="table-scroll[^"]*"[^>]*>', path.read_text())]
    assert boxes and [box for box in boxes if 'tabindex="0" role="region" aria-label' not in box[1]] == []
