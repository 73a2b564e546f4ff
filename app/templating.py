"""What templates call on every page (translations and url_for), with the same results and less work per call.

A page calls `_()` and `url_for()` a few dozen times each.
- Jinja's newstyle gettext wrappers resolve the function through the context, wrap the result in Markup and
  %-format it on every call, and Flask-Babel looks the catalogue up each time. Here the catalogue is looked up once
  per render, and a message without variables is formatted once per process: the result depends only on the
  translated text.
- url_for walks the URL map for every link. Here a link is built once per process for the same endpoint, values
  and script root. That holds because the app registers no url_defaults callbacks and no host or subdomain rules;
  anything unusual (relative endpoints, `_external`, `_anchor` ...) goes to Flask's url_for as it is.
"""

from functools import lru_cache

import flask
from flask import Flask, g
from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup

TRANSLATIONS = "_translations"  # the request's catalogue, in the template context and in g


def request_translations():
    translations = g.get(TRANSLATIONS)
    if translations is None:
        translations = g._translations = get_translations()
    return translations


def _translations_for(context):
    # Macros imported without context do not see the context processor's values: they fall back to g.
    return context.get(TRANSLATIONS) or request_translations()


def _trusted(translated: str) -> Markup:
    # A message from the app's own catalogue, trusted as Jinja's newstyle gettext trusts it; the variables
    # %-formatted into it are escaped by Markup's % operator.
    return Markup(translated)  # nosec B704


@lru_cache(maxsize=4096)
def _markup_without_variables(translated: str) -> Markup:
    # Newstyle gettext always %-formats, so "%%" in a message becomes "%" even with no variables.
    return _trusted(translated) % {}


@pass_context
def gettext(context, message: str, **variables) -> str:
    translated = _translations_for(context).ugettext(message)
    if not context.eval_ctx.autoescape:
        return translated % variables
    return _trusted(translated) % variables if variables else _markup_without_variables(translated)


@pass_context
def ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    translated = _translations_for(context).ungettext(singular, plural, num)
    return (_trusted(translated) if context.eval_ctx.autoescape else translated) % variables


@pass_context
def pgettext(context, message_context: str, message: str, **variables) -> str:
    translated = _translations_for(context).upgettext(message_context, message)
    return (_trusted(translated) if context.eval_ctx.autoescape else translated) % variables


@pass_context
def npgettext(context, message_context: str, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    translated = _translations_for(context).unpgettext(message_context, singular, plural, num)
    return (_trusted(translated) if context.eval_ctx.autoescape else translated) % variables


@lru_cache(maxsize=16384)
def _built_url(script_root: str, endpoint: str, values: tuple) -> str:
    return flask.url_for(endpoint, **{name: value for name, value, _type in values})


def url_for(endpoint: str, **values) -> str:
    if endpoint.startswith(".") or not flask.has_request_context():
        return flask.url_for(endpoint, **values)
    try:
        # The type is part of the key: True == 1, but they build different URLs.
        key = tuple(sorted((name, value, type(value)) for name, value in values.items()))
        if any(name.startswith("_") for name, _value, _type in key):
            return flask.url_for(endpoint, **values)
        return _built_url(flask.request.script_root, endpoint, key)
    except TypeError:  # an unhashable value (a list of query arguments)
        return flask.url_for(endpoint, **values)


RTL_LANGUAGES = {"ar", "fa", "he", "ur"}


def direction(language: str) -> str:
    return "rtl" if language.split("_")[0].split("-")[0] in RTL_LANGUAGES else "ltr"


def language_attributes(language: str) -> Markup:
    """`lang` and `dir` for a course's words: a screen reader switches voice for them, and an English course in the
    Arabic interface (or the reverse) keeps its own direction, full stops and all."""
    return Markup('lang="{}" dir="{}"').format(language, direction(language))


def in_language(text: str, language: str) -> Markup:
    """A course's words inside one of the interface's sentences ("Quiz: <title>"), marked with their language."""
    return Markup("<span {}>{}</span>").format(language_attributes(language), text)


def install(app: Flask) -> None:
    """After Flask-Babel's init_app, which adds Jinja's i18n extension."""
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext, pgettext=pgettext,
                                 npgettext=npgettext, url_for=url_for, language_attributes=language_attributes)

    @app.context_processor
    def inject_translations():
        return {TRANSLATIONS: request_translations()}
