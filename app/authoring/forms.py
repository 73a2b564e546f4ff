import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.content import AUDIENCES, LANGUAGE_TAG
from app.learning.forms import audience_label

SLUG_RULE = Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and single hyphens."))


def stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def one_line(value: str | None) -> str | None:
    """Text for one line of course.md: line breaks, tabs and invisible control characters (a pasted document can
    carry them, and YAML refuses most) become single spaces."""
    if not isinstance(value, str):
        return value
    return " ".join("".join(" " if unicodedata.category(char) == "Cc" else char for char in value).split())


def language_tag(form, field) -> None:
    if field.data and not LANGUAGE_TAG.fullmatch(field.data):
        raise ValidationError(_l("Use a language tag such as en, fr or es-419."))


def at_least_one_chosen(form, field) -> None:
    """DataRequired for a list of tick boxes, without its `required` flag: rendered on every box, that told screen
    reader users each box must be ticked."""
    if not field.data:
        raise StopValidation(_l("Choose at least one audience."))


class WholeNumberField(IntegerField):
    """An IntegerField whose range rule alone explains a refused value: text that is not a number is refused once,
    by that rule, not also with "Not a valid integer value."."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


class NewCourseForm(FlaskForm):
    slug = StringField(_l("Address (slug)"), filters=[stripped],
                       validators=[DataRequired(), Length(max=100), SLUG_RULE],
                       description=_l("Part of the course's web address and its folder name, e.g. fair-trial-basics."))
    title = StringField(_l("Title"), filters=[one_line], validators=[DataRequired(), Length(max=200)])
    summary = StringField(_l("Summary"), filters=[one_line], validators=[DataRequired(), Length(max=500)])
    audiences = SelectMultipleField(_l("Audiences"), choices=[],
                                    validators=[at_least_one_chosen],
                                    widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    language = StringField(_l("Language (BCP 47 tag)"), default="en", filters=[stripped],
                           validators=[DataRequired(), Length(max=35), language_tag])
    estimated_minutes = WholeNumberField(
        _l("Estimated time (minutes)"), default=60,
        validators=[InputRequired(), NumberRange(min=1, max=10_000, message=_l(
            "Enter a whole number of minutes, at least 1 and at most 10000."))])
    submit = SubmitField(_l("Create course"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As the catalog names them, with the code that course.md uses.
        self.audiences.choices = [SelectChoice(code, f"{audience_label(code)} ({code})") for code in AUDIENCES]


class SourceForm(FlaskForm):
    """Editing a file's Markdown. `version` is the version the editor opened (optimistic locking)."""

    source = TextAreaField(_l("Markdown"), validators=[Length(max=1024 * 1024)])
    version = HiddenField()
    save = SubmitField(_l("Save"))
    preview = SubmitField(_l("Preview"))


class NewModuleForm(FlaskForm):
    slug = StringField(_l("Address (slug)"), validators=[DataRequired(), Length(max=100), SLUG_RULE])
    source = TextAreaField(_l("Markdown"), validators=[DataRequired(), Length(max=1024 * 1024)])
    save = SubmitField(_l("Create module"))
    preview = SubmitField(_l("Preview"))


class ImageUploadForm(FlaskForm):
    image = FileField(_l("Image (PNG, JPEG, GIF or WebP, at most 2 MB)"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload"))


class RestoreForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField(_l("Restore this revision"))


NEW_MODULE_TEMPLATE = """---
title: {title}
estimated_minutes: 20
objectives:
  - What learners will be able to do after this module.
standards: []
---
## Introduction

Start writing here.
"""
