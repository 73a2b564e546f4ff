"""Rate limits on the forms that check a password: sign-in, and the account forms that ask for it again."""

from flask import current_app, g, request
from flask_login import current_user

from app.auth import services
from app.extensions import limiter


def failed_signin(response) -> bool:
    return response.status_code != 302


def signin_account_key() -> str:
    return "signin-account:" + services.normalise_username(request.form.get("username", ""))[:64]


def password_was_wrong(_response) -> bool:
    return g.get("password_rejected", False)


def signed_in_account_key() -> str:
    return f"password-check:{getattr(current_user, 'id', None)}"


# The forms that ask a signed-in person for their password (change it, delete the account) are limited like
# sign-in, per account and together: an unlocked phone must not become a way to guess the password. Only a wrong
# password counts; a typo in the new one or an unticked box does not.
password_check_limit = limiter.shared_limit(lambda: current_app.config["SIGNIN_LIMIT_PER_ACCOUNT"],
                                            scope="password-check", key_func=signed_in_account_key,
                                            methods=["POST"], deduct_when=password_was_wrong)


def note_wrong_password(error: Exception) -> None:
    """Called where a password form's error is caught: only a wrong password counts against the limit."""
    g.password_rejected = isinstance(error, services.WrongPassword)
