"""The audit log as people read it: a label for each action code, and each event's details as labelled values.

The codes stay what is stored and what the filter sends; only the page shows labels. Details are stored as the
services wrote them (titles as they were then, role codes, naive UTC times as ISO text); here None is left out,
times are shown in the installation's zone and roles by their labels.
"""

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from app.auth.forms import ROLE_LABELS
from app.local_time import local_time

# In the filter's order: what trainers do in their classes, then what admins do to accounts.
ACTION_LABELS = {
    "class_created": _l("Class created"),
    "join_code_rotated": _l("Join code changed"),
    "co_trainer_added": _l("Co-trainer added"),
    "co_trainer_removed": _l("Co-trainer removed"),
    "accounts_created": _l("Class accounts created"),
    "learner_joined": _l("Learner joined the class"),
    "learner_removed": _l("Learner removed from the class"),
    "learner_left": _l("Learner left the class"),
    "class_account_erased": _l("Class account erased"),
    "password_reset": _l("New passphrase given"),
    "assignment_created": _l("Work assigned"),
    "assignment_changed": _l("Due date changed"),
    "assignment_removed": _l("Assignment removed"),
    "attempt_allowed": _l("Another quiz attempt allowed"),
    "live_session_started": _l("Live session started"),
    "live_session_ended": _l("Live session ended"),
    "account_created": _l("Account created"),
    "account_deactivated": _l("Account deactivated"),
    "account_reactivated": _l("Account reactivated"),
    "role_changed": _l("Role changed"),
}

# In the order they are shown; a key not listed here comes after these, under its own name.
DETAIL_LABELS = {
    "name": _l("Name"),
    "username": _l("Username"),
    "role_before": _l("Previous role"),
    "role": _l("Role"),
    "count": _l("Accounts"),
    "usernames": _l("Usernames"),
    "course": _l("Course"),
    "module": _l("Module"),
    "due_before": _l("Previous due date"),
    "due_at": _l("Due"),
    "code": _l("Session code"),
    "answers": _l("Answers stored"),
}
TIMES = {"due_at", "due_before"}
ROLES = {"role", "role_before"}
INTERNAL = {"course_id"}  # a database id means nothing to a reader; the module's name is shown beside it


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def _readable(key: str, value: Any) -> str:
    if key in TIMES and isinstance(value, str):
        try:
            return local_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    if key in ROLES and value in ROLE_LABELS:
        return str(ROLE_LABELS[value])
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def readable_details(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, text) for each detail worth showing."""
    order = list(DETAIL_LABELS)
    keys = sorted((details or {}), key=lambda key: (order.index(key) if key in order else len(order), key))
    return [(str(DETAIL_LABELS.get(key, key)), _readable(key, details[key])) for key in keys
            if key not in INTERNAL and details[key] not in (None, "", [])]
