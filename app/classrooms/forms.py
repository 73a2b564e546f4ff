from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.auth.forms import audience_choices
from app.classrooms.services import MAX_ACCOUNTS_AT_ONCE


class ClassroomForm(FlaskForm):
    name = StringField(_l("Class name"), validators=[DataRequired(), Length(max=120)])
    audience = SelectField(_l("Audience"), choices=audience_choices)
    starts_on = DateField(_l("Starts on (optional)"), validators=[Optional()])
    ends_on = DateField(_l("Ends on (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Create class"))

    def validate_ends_on(self, field: DateField) -> None:
        # Also checked by the service; here the message lands under the field it is about.
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The class cannot end before it starts."))


class JoinForm(FlaskForm):
    code = StringField(_l("Class code"), validators=[DataRequired(), Length(max=20)],
                       description=_l("The code your teacher gave you, for example ABCD-EFGH."),
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})
    submit = SubmitField(_l("Join the class"))


class LiveCodeForm(FlaskForm):
    code = StringField(_l("Session code"),
                       validators=[DataRequired(_l("Type the session code shown on the board.")), Length(max=12)],
                       description=_l("The six characters on the board."),
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})
    submit = SubmitField(_l("Join the session"))


class AddTrainerForm(FlaskForm):
    username = StringField(_l("Trainer's username"), validators=[DataRequired(), Length(max=64)])
    submit = SubmitField(_l("Add co-trainer"))


class AccountsForm(FlaskForm):
    username_prefix = StringField(
        _l("Username prefix"), validators=[DataRequired(), Length(max=41)],
        description=_l("Usernames will be the prefix, a hyphen and a number: class5b-01, class5b-02 …"))
    count = IntegerField(_l("Number of accounts"), validators=[Optional(), NumberRange(1, MAX_ACCOUNTS_AT_ONCE)],
                         description=_l("Up to %(n)d at once. Leave empty when you list names below.",
                                        n=MAX_ACCOUNTS_AT_ONCE))
    display_names = TextAreaField(
        _l("Display names (optional)"), validators=[Optional(), Length(max=8000)],
        description=_l("One per line; one account per name. First names or nicknames are enough."))
    once = HiddenField()  # a reload of the cards page re-posts the form: this makes the second post create nothing
    submit = SubmitField(_l("Create accounts"))

    def validate_count(self, field: IntegerField) -> None:
        names = [line for line in (self.display_names.data or "").splitlines() if line.strip()]
        if field.data and names and field.data != len(names):
            raise ValidationError(_l("You listed %(names)d names: leave the number empty, or make it %(names)d.",
                                     names=len(names)))


class AssignmentForm(FlaskForm):
    # The view loads the chosen course or module and checks it may be read: no need to rebuild the list to validate.
    target = SelectField(_l("Course or module"), validators=[DataRequired()], validate_choice=False)
    due_at = DateTimeLocalField(_l("Due (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    submit = SubmitField(_l("Assign"))


class DueForm(FlaskForm):
    due_at = DateTimeLocalField(_l("Due"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    submit = SubmitField(_l("Change due date"))


class StartLiveForm(FlaskForm):
    module_id = SelectField(_l("Module"), coerce=int, validators=[DataRequired()], validate_choice=False)
    submit = SubmitField(_l("Start live session"))


class LiveControlForm(FlaskForm):
    """Every control carries the version the presenter saw, so a double click moves one step, not two. "Go to a
    step" also carries the step's number (0-based)."""

    version = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
    step = HiddenField(validators=[Optional(), Regexp(r"^\d{1,4}$")])


class AnotherAttemptForm(FlaskForm):
    """One more quiz attempt for a learner; `allowed_before` is how many extra attempts the trainer saw allowed."""

    allowed_before = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,6}$")])


class HiddenAnswerForm(FlaskForm):
    """One typed answer to take off the presenter's screen, or to put back."""

    question = HiddenField(validators=[DataRequired()])
    text = HiddenField(validators=[DataRequired()])
