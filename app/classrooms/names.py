"""Names as a class sees them: two children called Zoé must not read as one."""

from collections import Counter
from collections.abc import Iterable


def told_apart(people: Iterable[tuple[int, str, str]]) -> dict[int, str]:
    """(id, display name, username) -> {id: the name to show}: the display name, with the username beside it
    wherever another person in the list has the same display name (unless the display name is the username)."""
    people = list(people)
    counts = Counter(name.casefold() for _id, name, _username in people)
    return {person_id: f"{name} ({username})" if counts[name.casefold()] > 1 and name != username else name
            for person_id, name, username in people}


def repeated(names: Iterable[str]) -> list[str]:
    """The names that occur more than once (ignoring case), each as written, sorted."""
    names = list(names)
    counts = Counter(name.casefold() for name in names)
    return sorted({name for name in names if counts[name.casefold()] > 1})
