"""Every user-facing string is in every catalogue, translated and compiled, with the same placeholders as the
English; a person reads the interface in their language (their account's, else their browser's), right to left in
Arabic."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.auth.models import User
from app.extensions import db
from tests.conftest import main_of, sign_in, translated

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
METHODS = [("app/**.py", "python"), ("app/**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
LANGUAGES = ("en", "fr", "es", "ar")
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[-#0 +]*\d*(?:\.\d+)?[sdif%]")
UPDATE = "run: pybabel extract -F babel.cfg -k _l -o /tmp/messages.pot . && pybabel update -i /tmp/messages.pot " \
         "-d app/translations && pybabel compile -d app/translations (then translate what is new)"


def extracted_messages() -> set[str]:
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=METHODS, keywords=KEYWORDS, options_map={"app/**/templates/**.html": {}}):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def forms_of(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string,)


def catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po_file:
        return read_po(po_file, locale=language)


def test_the_configured_languages_are_the_catalogues(app):
    assert tuple(app.config["LANGUAGES"]) == LANGUAGES
    assert {folder.name for folder in TRANSLATIONS.iterdir() if folder.is_dir()} == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogue_holds_every_string_and_is_compiled(language):
    messages = [message for message in catalogue(language) if message.id]
    ids = {message.id if isinstance(message.id, str) else message.id[0] for message in messages}
    missing = extracted_messages() - ids
    assert not missing, f"{UPDATE} ({sorted(missing)[:5]})"
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo", "rb") as mo_file:
        compiled = read_mo(mo_file)
    if language == "en":
        return  # English strings translate to themselves
    untranslated = [message.id for message in messages if message.fuzzy or not all(forms_of(message))]
    assert not untranslated, f"{language}: not translated, or fuzzy: {untranslated[:5]}"
    stale = [message.id for message in messages if compiled.get(message.id) is None
             or forms_of(compiled.get(message.id)) != forms_of(message)]
    assert not stale, f"{language}: messages.mo is older than messages.po: {UPDATE} ({stale[:3]})"


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != "en"])
def test_each_translation_keeps_the_english_placeholders_and_tags(language):
    problems = []
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = {found for text in ids for found in PLACEHOLDER.findall(text)}
        for form in forms_of(message):
            if {found for found in PLACEHOLDER.findall(form)} != expected or \
                    form.count("<") != ids[0].count("<"):
                problems.append((ids[0], form))
    assert not problems, f"{language}: {problems[:3]}"


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_a_learner_reads_the_interface_in_their_account_s_language(app, client, make, language):
    sign_in(client, make.user(username=f"reader-{language}", language=language))
    html = client.get("/learning").text
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html
    assert translated(language, "My learning") in main_of(html)
    assert ">My learning<" not in html


def test_a_visitor_reads_it_in_their_browser_s_language_and_a_new_account_keeps_it(app, client):
    page = client.get("/signup", headers={"Accept-Language": "es-CO,es;q=0.9,en;q=0.5"}).text
    assert '<html lang="es"' in page and translated("es", "Create an account") in page
    assert '<option lang="es" selected value="es">Español</option>' in page
    assert '<html lang="en"' in client.get("/signup", headers={"Accept-Language": "de, en;q=0.5"}).text


def test_accounts_a_teacher_makes_for_a_class_take_the_teacher_s_language(app, client, make, people):
    with app.app_context():
        db.session.get(User, people.trainer.id).language = "fr"
        db.session.commit()
    classroom = make.classroom(people.trainer)
    sign_in(client, people.trainer)
    client.post(f"/classes/{classroom.id}/accounts", data={"username_prefix": "cm1", "count": "2"})
    with app.app_context():
        made = db.session.scalars(db.select(User.language).where(User.username.startswith("cm1"))).all()
    assert made == ["fr", "fr"]


ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}


def test_every_page_offers_its_languages_at_its_foot_each_named_in_itself(client):
    footer = client.get("/courses?audience=police", headers=ENGLISH_BROWSER).text.split('<footer', 1)[1]
    assert '<input type="hidden" name="next" value="/courses?audience=police">' in footer
    assert '<option value="en" lang="en" selected>English</option>' in footer
    assert '<option value="ar" lang="ar">العربية</option>' in footer


def test_a_visitor_chooses_a_language_at_the_foot_of_a_page_and_keeps_it(client):
    response = client.post("/language", data={"language": "fr", "next": "/courses?audience=police"})
    assert response.status_code == 302 and response.headers["Location"] == "/courses?audience=police"
    for path in ("/courses", "/signin", "/privacy"):
        page = client.get(path, headers=ENGLISH_BROWSER).text  # the choice outranks the browser's language
        assert '<html lang="fr" dir="ltr">' in page, path
    assert '<option lang="fr" selected value="fr">Français</option>' in client.get("/signup").text


def test_an_account_s_language_outranks_a_visitor_s_choice_and_outlives_signing_out(client, make):
    client.post("/language", data={"language": "fr"})
    sign_in(client, make.user(username="reader-es", language="es"))
    assert '<html lang="es"' in client.get("/learning").text
    signed_out = client.post("/signout", follow_redirects=True).text
    assert '<html lang="es"' in signed_out and translated("es", "You are signed out.") in signed_out


def test_a_signed_in_person_s_choice_at_the_foot_of_a_page_is_saved_in_their_profile(app, client, make):
    reader = make.user(username="reader", language="en")
    sign_in(client, reader)
    assert client.post("/language", data={"language": "ar", "next": "/learning"}).headers["Location"] == "/learning"
    assert '<html lang="ar" dir="rtl">' in client.get("/learning").text
    with app.app_context():
        assert db.session.get(User, reader.id).language == "ar"


@pytest.mark.parametrize("form", [{"language": "de"}, {"language": "fr", "next": "https://elsewhere.example/"},
                                  {"language": "fr", "next": "//elsewhere.example/"}])
def test_an_unknown_language_changes_nothing_and_no_choice_leads_off_the_site(client, form):
    response = client.post("/language", data=form)
    assert response.headers["Location"] == "/"
    page = client.get("/", headers=ENGLISH_BROWSER).text
    if form["language"] == "de":
        assert '<html lang="en"' in page and "Choose one of the languages offered." in page
    else:
        assert '<html lang="fr"' in page
