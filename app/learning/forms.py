from functools import lru_cache

from babel import Locale, UnknownLocaleError
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, SubmitField
from wtforms.validators import DataRequired

from app.auth.forms import LANGUAGE_CHOICES
from app.auth.passwords import MAX_PASSWORD_LENGTH

AUDIENCE_LABELS = {
    "student": _l("Students"),
    "police": _l("Police"),
    "judge": _l("Judges"),
    "prosecutor": _l("Prosecutors"),
    "lawyer": _l("Lawyers"),
    "defender": _l("Human rights defenders"),
    "general": _l("Everyone"),
    "other": _l("Other"),
}
LANGUAGE_LABELS = {choice.value: choice.label for choice in LANGUAGE_CHOICES}


def audience_label(code: str) -> str:
    return str(AUDIENCE_LABELS.get(code, code))


@lru_cache(maxsize=256)
def language_label(code: str) -> str:
    """The language's own name ("Français (Canada)" for fr-CA), as language pickers show them; the code itself if
    Babel does not know it."""
    if code in LANGUAGE_LABELS:
        return LANGUAGE_LABELS[code]
    try:
        locale = Locale.parse(code, sep="-")
    except (ValueError, UnknownLocaleError):
        return code
    name = locale.get_display_name(locale) or code
    return name[:1].upper() + name[1:]


class CatalogFilterForm(FlaskForm):
    """A GET form: it changes nothing, so it carries no CSRF token and works without JavaScript."""

    audience = SelectField(_l("Audience"), choices=[], validate_choice=False)
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Show courses"))

    def set_choices(self, audiences: list[str], languages: list[str]) -> None:
        self.audience.choices = [SelectChoice("", _l("All audiences"))] + [
            SelectChoice(code, audience_label(code)) for code in audiences]
        self.language.choices = [SelectChoice("", _l("All languages"))] + [
            SelectChoice(code, language_label(code)) for code in languages]


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password", "maxlength": MAX_PASSWORD_LENGTH})
    understood = BooleanField(_l("I understand that my progress and certificates will be deleted for good."),
                              validators=[DataRequired()])
    submit = SubmitField(_l("Delete my account"))
