"""Reading course files defensively: size limit, binary and encoding checks, no symlinks out of the courses folder."""

from __future__ import annotations

from pathlib import Path

from .model import Problem

MAX_FILE_BYTES = 1024 * 1024


def inside_root(path: Path, root: Path | None) -> bool:
    if root is None:
        return True
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False


def read_text_file(path: Path, shown: str, *, root: Path | None = None) -> tuple[str | None, list[Problem]]:
    """The file's text, or None and the reason. Never follows a symlink out of `root`, never raises."""
    try:
        if not path.exists() and not path.is_symlink():
            return None, []
        if not inside_root(path, root):
            return None, [Problem(shown, 1, "symlink points outside the courses folder; not read")]
        if not path.is_file():
            return None, [Problem(shown, 1, "not a regular file")]
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return None, [Problem(shown, 1, f"cannot read file: {error.strerror or error}")]
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(shown, 1, f"file is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB")]
    nul = data.find(b"\0")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        return None, [Problem(shown, line, "binary file (NUL byte on this line): course files must be UTF-8 text")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        return None, [Problem(shown, line, f"invalid UTF-8: byte 0x{byte:02x} on this line (save the file as UTF-8)")]
    return text.removeprefix("\ufeff"), []
