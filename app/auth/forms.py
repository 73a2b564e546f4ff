import re

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.auth.models import Audience, Role
from app.auth.passwords import MAX_PASSWORD_LENGTH, password_problem
from app.auth.services import MAX_USERNAME_LENGTH, username_problem
from app.local_time import installation_zone, offered_time_zones

# Each language named in itself, and marked as such for screen readers.
LANGUAGE_CHOICES = [SelectChoice(code, label, render_kw={"lang": code}) for code, label in
                    (("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية"))]


# The session key of the language a visitor chose in the footer (a signed-in person's is their profile's).
VISITOR_LANGUAGE = "language"


def page_language() -> str:
    """The language this page is shown in: a new account keeps what its owner was reading."""
    return str(get_locale() or "en")


def audience_choices():
    labels = {
        Audience.STUDENT: _l("Student"),
        Audience.POLICE: _l("Police"),
        Audience.JUDGE: _l("Judge"),
        Audience.PROSECUTOR: _l("Prosecutor"),
        Audience.LAWYER: _l("Lawyer"),
        Audience.DEFENDER: _l("Human rights defender"),
        Audience.OTHER: _l("Other"),
    }
    return [SelectChoice(audience.value, labels[audience]) for audience in Audience]


def time_zone_choices():
    """The installation's zone first, as the empty choice: a person who never chooses follows it if it changes."""
    own = SelectChoice("", _l("The site's time zone (%(zone)s)", zone=installation_zone().key))
    return [own, *(SelectChoice(name, name.replace("_", " ")) for name in offered_time_zones())]


# Role codes as people read them: the admin's users list, its filter and forms, and the audit log.
ROLE_LABELS = {Role.LEARNER: _l("Learner"), Role.TRAINER: _l("Trainer"), Role.ADMIN: _l("Administrator")}


def role_choices():
    """Least privilege first."""
    return [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def plausible_email(form, field):
    # Deliverability is not our business: e-mail is optional and never verified.
    if field.data and not EMAIL_PATTERN.match(field.data):
        raise ValidationError(_l("This does not look like an e-mail address."))


def valid_username(form, field):
    problem = username_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def acceptable_password(form, field):
    username = form.username.data if hasattr(form, "username") else None
    problem = password_problem(field.data or "", username)
    if problem:
        raise ValidationError(problem)


def matches_new_password(form, field):
    if field.data != form.new_password.data:
        raise ValidationError(_l("The two passwords are different."))


class SignInForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=MAX_USERNAME_LENGTH)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device for 14 days"),
                            description=_l("Leave this unticked on a shared or borrowed device: you are then signed "
                                           "out when the browser closes, or after 12 hours."))
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class SignUpForm(FlaskForm):
    # maxlength as on the sign-in form; the length rule itself is valid_username's (one message, not two).
    username = StringField(_l("Username"), validators=[DataRequired(), valid_username],
                           description=_l("3 to 64 characters: letters a–z, digits, dots, hyphens and underscores. "
                                          "You sign in with it; it never appears on your certificates."),
                           render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false",
                                      "maxlength": MAX_USERNAME_LENGTH})
    # Required: left blank it would have to fall back on the username, which the learner was told stays private.
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=120)],
                               description=_l("Shown to your teachers and on your certificates. A pseudonym is "
                                              "fine."))
    email = EmailField(_l("E-mail (optional)"), validators=[Optional(), plausible_email, Length(max=254)],
                       description=_l("Only used if you choose to give it. Not needed to learn."))
    audience = SelectField(_l("I am"), choices=audience_choices, default=Audience.OTHER,
                           description=_l("Courses made for you come first in the catalog; every course stays open "
                                          "to you. A school student chooses Student. You can change it later."))
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES, default=page_language,
                           description=_l("Courses in this language come first in the catalog, and the site's "
                                          "pages use it where a translation exists."))
    password = PasswordField(_l("Password"), validators=[DataRequired(), acceptable_password],
                             description=_l("8 to 128 characters. A few unusual words make a strong password."),
                             render_kw={"autocomplete": "new-password", "maxlength": MAX_PASSWORD_LENGTH})
    submit = SubmitField(_l("Create account"))


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=120)],
                               description=_l("Shown to your teachers and on certificates issued from now on. "
                                              "A certificate keeps the name it was issued with."))
    email = EmailField(_l("E-mail (optional)"), validators=[Optional(), plausible_email, Length(max=254)])
    audience = SelectField(_l("I am"), choices=audience_choices,
                           description=_l("Courses made for you come first in the catalog; every course stays open "
                                          "to you."))
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES,
                           description=_l("Courses in this language come first in the catalog, and the site's "
                                          "pages use it where a translation exists."))
    time_zone = SelectField(_l("Time zone"), choices=time_zone_choices,
                            description=_l("Dates and times on the site (due dates, attempts) are shown in it, and "
                                           "the times you type are read in it. Certificates keep the site's date."))
    submit = SubmitField(_l("Save profile"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.data = self.time_zone.data or ""  # no zone chosen (None) is the site's, the empty choice


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired()],
                                 render_kw={"autocomplete": "new-password"})
    confirm_password = PasswordField(_l("New password again"), validators=[DataRequired(), matches_new_password],
                                     render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Change password"))

    def validate_new_password(self, field):
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class SiteLanguageForm(FlaskForm):
    """The footer's language choice, on every page: a visitor's is kept in the session, an account's in its
    profile. Rendered by base.html itself (a form object per page would cost every page); validated here."""

    language = SelectField(_l("Site language"), choices=LANGUAGE_CHOICES)
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state."""

    submit = SubmitField(_l("Confirm"))
