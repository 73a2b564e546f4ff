"""Every user-facing string is in the English catalogue, which is compiled: translators start from a complete list."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "app" / "translations" / "en" / "LC_MESSAGES"
METHODS = [("app/**.py", "python"), ("app/**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def extracted_messages() -> set[str]:
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=METHODS, keywords=KEYWORDS, options_map={"app/**/templates/**.html": {}}):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_the_catalogue_holds_every_string_and_is_compiled():
    with open(CATALOGUE / "messages.po", "rb") as po_file:
        catalogue = {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(po_file) if message.id}
    missing = extracted_messages() - catalogue
    assert not missing, f"run: pybabel extract -F babel.cfg -k _l -o messages.pot . && pybabel update ... ({sorted(missing)[:5]})"
    with open(CATALOGUE / "messages.mo", "rb") as mo_file:
        assert read_mo(mo_file) is not None  # compiled; English strings translate to themselves
