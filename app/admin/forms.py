from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from app.auth.forms import (
    acceptable_password,
    audience_choices,
    plausible_email,
    role_choices,
    valid_username,
)
from app.auth.models import Role
from app.auth.passwords import MAX_PASSWORD_LENGTH
from app.auth.services import MAX_USERNAME_LENGTH


class CreateUserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), valid_username],
                           render_kw={"autocapitalize": "none", "spellcheck": "false",
                                      "maxlength": MAX_USERNAME_LENGTH})
    # Required, as on sign-up: left blank it would fall back on the username, which is meant to stay private.
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=120)])
    email = StringField(_l("E-mail (optional)"), validators=[Optional(), plausible_email, Length(max=254)])
    role = SelectField(_l("Role"), choices=role_choices, default=Role.LEARNER.value)  # least privilege
    audience = SelectField(_l("Audience"), choices=audience_choices)
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), acceptable_password],
                             render_kw={"autocomplete": "new-password", "maxlength": MAX_PASSWORD_LENGTH})
    submit = SubmitField(_l("Create account"))


class ChangeRoleForm(FlaskForm):
    """One per row of the users list, written out by the template (ids must differ from row to row)."""

    role = SelectField(_l("Role"), choices=role_choices)
