import re

import pytest
from sqlalchemy import func, select

from app.auth.models import LoginSession, User
from app.auth.passwords import MAX_PASSWORD_LENGTH
from app.auth.services import MAX_USERNAME_LENGTH
from app.extensions import db
from tests.conftest import main_of, sign_in
from tests.factories import DEFAULT_PASSWORD


def test_sign_up_creates_a_learner_without_email_and_signs_in(client, app):
    response = client.post("/signup", data={"display_name": "Amina A.", "username": "Amina", "password": "a quiet river stone",
                                            "audience": "student", "language": "en"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.username, user.role, user.email, user.display_name) == ("amina", "learner", None, "Amina A.")
    assert response.headers["Location"] == "/learning"
    assert "Welcome to Article 26. Your account is ready." in client.get("/learning").text
    assert client.get("/account").status_code == 200


def test_sign_up_asks_for_a_display_name_rather_than_publish_the_username(client, app):
    response = client.post("/signup", data={"username": "amina", "password": "a quiet river stone",
                                            "audience": "student", "language": "en"})
    assert response.status_code == 200 and b'aria-invalid="true"' in response.data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_sign_up_states_the_real_username_rule_and_limits_lengths_like_sign_in(client):
    sign_up, sign_in_page = client.get("/signup").text, client.get("/signin").text
    assert "letters a–z, digits, dots, hyphens and underscores" in sign_up
    for name, length in (("username", MAX_USERNAME_LENGTH), ("password", MAX_PASSWORD_LENGTH)):
        for page in (sign_up, sign_in_page):
            field = re.search(rf'<input[^>]* name="{name}"[^>]*>', page).group(0)
            assert f'maxlength="{length}"' in field, (name, field)


def test_sign_up_says_what_i_am_is_for_and_which_a_school_student_chooses(client):
    sign_up = client.get("/signup").text
    select = re.search(r'<select[^>]* name="audience"[^>]*>', sign_up).group(0)
    assert 'aria-describedby="audience-hint"' in select
    hint = re.search(r'<p class="hint" id="audience-hint">([^<]+)</p>', sign_up).group(1)
    assert "come first in the catalog" in hint and "A school student chooses Student." in hint
    assert '<option value="student">Student</option>' in sign_up


def test_each_of_sign_in_and_sign_up_links_to_the_other(client):
    assert 'Already have an account? <a href="/signin">Sign in</a>' in main_of(client.get("/signup").text)
    assert '<a href="/signup">Create an account</a>' in main_of(client.get("/signin").text)


def test_usernames_are_case_insensitive(client, make):
    make.user(username="amina")
    response = client.post("/signup", data={"display_name": "Amina A.", "username": "AMINA", "password": "a quiet river stone",
                                            "audience": "student", "language": "en"})
    assert response.status_code == 200
    assert b"This username is taken." in response.data


@pytest.mark.parametrize(("password", "message"), [
    ("short", b"Use at least 8 characters."),
    ("x" * 129, b"Use at most 128 characters."),
    ("password123", b"This password is too common."),
    ("Qwertyuiop", b"This password is too common."),
])
def test_sign_up_refuses_weak_passwords_with_a_field_error(client, password, message):
    response = client.post("/signup", data={"display_name": "Amina A.", "username": "amina", "password": password,
                                            "audience": "student", "language": "en"})
    assert response.status_code == 200
    assert message in response.data
    assert b'aria-invalid="true"' in response.data


def test_a_refused_form_lists_each_problem_with_a_link_to_its_field(client):
    response = client.post("/signup", data={"display_name": "", "username": "amina", "password": "short",
                                            "audience": "student", "language": "en"})
    summary = response.text.split('<div class="error-summary" role="alert">', 1)[1].split("</div>", 1)[0]
    assert '<a href="#display_name">Display name: This field is required.</a>' in summary
    assert '<a href="#password">Password: Use at least 8 characters.</a>' in summary
    assert "Username" not in summary  # only the fields in error
    assert 'id="display_name"' in response.text and 'id="password"' in response.text  # where the links lead


@pytest.fixture
def signup_disabled_app(app):
    app.config["SIGNUP_ENABLED"] = False
    return app


def test_sign_up_disabled_returns_404_and_hides_the_link(signup_disabled_app):
    client = signup_disabled_app.test_client()
    assert client.get("/signup").status_code == 404
    assert b"/signup" not in client.get("/signin").data


def test_sign_in_through_the_real_form_then_sign_out(client, people):
    page = client.get("/signin")
    assert b'name="username"' in page.data and b'name="password"' in page.data
    sign_in(client, people.learner)
    assert client.get("/account").status_code == 200
    response = client.post("/signout")
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_unknown_user_and_wrong_password_get_the_same_response(client, people):
    unknown = client.post("/signin", data={"username": "nobody", "password": "whatever-long-enough"})
    wrong = client.post("/signin", data={"username": people.learner.username, "password": "whatever-long-enough"})
    assert unknown.status_code == wrong.status_code == 200
    # Identical but for the username echoed back into the form.
    assert unknown.data.replace(b"nobody", b"NAME") == wrong.data.replace(people.learner.username.encode(), b"NAME")
    assert b"Unknown username or wrong password." in unknown.data


@pytest.mark.parametrize("data", [
    {},
    {"username": "", "password": ""},
    {"username": "x" * 5000, "password": "y" * 5000},
    {"username": "\x01\u202e", "password": "\u202e"},
    {"username": ["a", "b"], "password": "p"},
])
def test_bad_sign_in_input_gets_a_form_error_never_a_500(client, data):
    response = client.post("/signin", data=data)
    assert response.status_code == 200
    assert b'class="error"' in response.data


def test_nul_bytes_are_refused_with_a_plain_400(client):
    response = client.post("/signin", data={"username": "\x00admin", "password": "x"})
    assert response.status_code == 400
    assert b'class="site-header"' in response.data


def test_session_is_rotated_at_sign_in(client, people):
    client.get("/signin")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, people.learner)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_sign_in_updates_last_sign_in_time(client, app, people):
    sign_in(client, people.learner)
    with app.app_context():
        assert db.session.get(User, people.learner.id).last_sign_in_at is not None


def test_cookie_replayed_after_sign_out_is_refused(client, people):
    sign_in(client, people.learner)
    stolen = client.get_cookie("a26_session").value
    client.post("/signout")
    thief = client.application.test_client()
    thief.set_cookie("a26_session", stolen)
    assert thief.get("/account").status_code == 302


def test_change_password_signs_out_other_devices_but_not_this_one(app, people):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, people.learner)
    sign_in(phone, people.learner)
    response = laptop.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": "a brand new phrase",
        "confirm_password": "a brand new phrase"})
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302
    fresh = app.test_client()
    sign_in(fresh, people.learner, password="a brand new phrase")


def test_change_password_with_wrong_current_password_shows_the_field_error(client, people):
    sign_in(client, people.learner)
    response = client.post("/account/password", data={
        "current_password": "not my password", "new_password": "a brand new phrase",
        "confirm_password": "a brand new phrase"})
    assert response.status_code == 200
    assert b"The current password is wrong." in response.data


def test_profile_update(client, app, people):
    sign_in(client, people.learner)
    assert "A certificate keeps the name it was issued with." in client.get("/account").text
    response = client.post("/account", data={"display_name": "Lena K.", "audience": "judge", "language": "fr",
                                              "email": ""})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, people.learner.id)
        assert (user.display_name, user.audience, user.language) == ("Lena K.", "judge", "fr")


def test_profile_form_ignores_posted_role(client, app, people):
    sign_in(client, people.learner)
    client.post("/account", data={"display_name": "Lena", "audience": "judge", "language": "en", "role": "admin"})
    with app.app_context():
        assert db.session.get(User, people.learner.id).role == "learner"


def test_expired_login_sessions_are_refused(client, app, people):
    sign_in(client, people.learner)
    with app.app_context():
        row = db.session.scalar(select(LoginSession))
        row.expires_at = row.created_at
        db.session.commit()
    assert client.get("/account").status_code == 302


def test_sign_out_deletes_the_server_side_session(client, app, people):
    sign_in(client, people.learner)
    client.post("/signout")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_the_menus_sign_in_link_returns_to_the_page_it_was_on(client):
    assert 'href="/signin?next=/standards"' in client.get("/standards").get_data(as_text=True)
    assert 'href="/signin">' in client.get("/").get_data(as_text=True)
    # With the page's query (a filtered catalog), encoded so that it stays one parameter.
    filtered = client.get("/courses?audience=police&language=fr").get_data(as_text=True)
    assert 'href="/signin?next=/courses?audience%3Dpolice%26language%3Dfr"' in filtered
