"""Translation functions for templates, with Jinja's "newstyle" gettext semantics and less work per call.

A page calls `_()` a few dozen times. Jinja's newstyle wrappers resolve the function through the context, wrap the
result in Markup and %-format it on every call, and Flask-Babel looks the catalogue up again each time. Here the
catalogue is looked up once per request, and a message without variables is formatted once per process (the
formatted Markup depends only on the translated text).
"""

from functools import lru_cache

from flask import Flask, g
from flask_babel import get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup


def request_translations():
    translations = g.get("_translations")
    if translations is None:
        translations = g._translations = get_translations()
    return translations


@lru_cache(maxsize=4096)
def _markup_without_variables(translated: str) -> Markup:
    # Newstyle gettext always %-formats, so "%%" in a message becomes "%" even with no variables.
    return Markup(translated) % {}


@pass_eval_context
def gettext(eval_context, message: str, **variables) -> str:
    translated = request_translations().ugettext(message)
    if not eval_context.autoescape:
        return translated % variables
    return Markup(translated) % variables if variables else _markup_without_variables(translated)


@pass_eval_context
def ngettext(eval_context, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    translated = request_translations().ungettext(singular, plural, num)
    return (Markup(translated) if eval_context.autoescape else translated) % variables


@pass_eval_context
def pgettext(eval_context, context: str, message: str, **variables) -> str:
    translated = request_translations().upgettext(context, message)
    return (Markup(translated) if eval_context.autoescape else translated) % variables


@pass_eval_context
def npgettext(eval_context, context: str, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    translated = request_translations().unpgettext(context, singular, plural, num)
    return (Markup(translated) if eval_context.autoescape else translated) % variables


def install(app: Flask) -> None:
    """After Flask-Babel's init_app, which adds Jinja's i18n extension."""
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext, pgettext=pgettext,
                                 npgettext=npgettext)
