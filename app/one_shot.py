"""One-shot tokens, for the forms whose answer shows passphrases: creating class accounts, a trainer's or an admin's
"new passphrase". That answer is the only time the passphrases exist in clear, and reloading it posts the form
again. Each such form carries a one-shot token, and the tokens already used are kept in the session, so a repeated
post creates and resets nothing. This guards against a reload, not an attacker (CSRF protection and the permission
checks do that): a post without a token, which our pages never send, is not refused.
"""

import secrets

from flask import session

USED_ONE_SHOT_TOKENS = "used_one_shot_tokens"


def one_shot_token() -> str:
    return secrets.token_urlsafe(16)


def already_used(token: str | None) -> bool:
    return bool(token) and token in session.get(USED_ONE_SHOT_TOKENS, [])


def mark_used(token: str | None) -> None:
    """Only once the accounts or the passphrase exist: a form refused for a typo must work when corrected."""
    if token:
        session[USED_ONE_SHOT_TOKENS] = [*session.get(USED_ONE_SHOT_TOKENS, []), token][-20:]
