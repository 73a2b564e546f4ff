"""Codes people type: class join codes, live-session codes and passphrases for accounts made by a trainer.

Join and session codes use an alphabet without the characters people confuse when copying from a board or a
projector (0/O, 1/I/L), and are compared after removing spaces and hyphens and upper-casing.
"""

import secrets
from functools import cache
from importlib import resources

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8
LIVE_CODE_LENGTH = 6
PASSPHRASE_WORDS = 3


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(typed: str) -> str:
    return "".join(char for char in (typed or "").upper() if char not in " -\t")


def plausible_code(code: str, length: int) -> bool:
    return len(code) == length and set(code) <= set(CODE_ALPHABET)


def format_join_code(code: str) -> str:
    """ABCD-EFGH: two groups of four are easier to read aloud and to copy."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


@cache
def passphrase_words() -> tuple[str, ...]:
    text = resources.files("app.classrooms").joinpath("passphrase_words.txt").read_text(encoding="utf-8")
    return tuple(word for word in (line.strip() for line in text.splitlines()) if word)


def new_passphrase() -> str:
    """Three short common words and two digits, e.g. "maple-tiger-cloud-42": easy for a child to type (about
    35 bits, enough behind the rate-limited sign-in)."""
    words = [secrets.choice(passphrase_words()) for _ in range(PASSPHRASE_WORDS)]
    return "-".join([*words, f"{secrets.randbelow(100):02d}"])
