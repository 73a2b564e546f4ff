from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from app.auth.forms import acceptable_password, audience_choices, plausible_email, valid_username
from app.auth.models import Role


class CreateUserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), valid_username])
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=120)])
    email = StringField(_l("E-mail (optional)"), validators=[Optional(), plausible_email, Length(max=254)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(Role.TRAINER.value, _l("Trainer")), SelectChoice(Role.ADMIN.value, _l("Administrator")),
                 SelectChoice(Role.LEARNER.value, _l("Learner"))],
        default=Role.TRAINER.value,
    )
    audience = SelectField(_l("Audience"), choices=audience_choices)
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), acceptable_password],
                             render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Create account"))
