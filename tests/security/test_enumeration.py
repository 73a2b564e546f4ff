"""User enumeration through sign-in, sign-up and password reset.

Decisions:
- Sign-in: an unknown username, a wrong password and a deactivated account get the same status and the same page,
  and all three verify a password hash of the configured method (no fast path for unknown users).
- Sign-up: a registration form has to say when a username is taken; it says nothing else. E-mail addresses are
  optional, never unique and never checked against other accounts, so sign-up cannot tell whether an address is
  registered. Failed sign-ups count against a per-address limit, so the form cannot be used to probe usernames
  faster than the sign-in form can.
- Reset: there is no self-service reset by e-mail or username (nothing to probe): a trainer resets the password of
  an account they made for their class, by member id, and any id outside that class gets the same 404.
"""

import re

import pytest
from sqlalchemy import select

from app.auth import passwords
from app.auth.models import User
from app.extensions import db
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD
from tests.security.conftest import signed_in

CSRF_VALUE = re.compile(rb'(?<=name="csrf_token" value=")[^"]+')


def normalised(response, username: str) -> bytes:
    """The page with the username echoed back into the form replaced, and the browser's own CSRF token left out."""
    return CSRF_VALUE.sub(b"", response.data.replace(username.encode(), b"NAME"))


def test_unknown_wrong_and_deactivated_accounts_get_the_same_sign_in_page(app, make, people):
    deactivated = make.user(username="gone")
    with app.app_context():
        db.session.get(User, deactivated.id).active = False
        db.session.commit()

    def sign_in_from_a_new_browser(username: str, password: str):
        browser = app.test_client()
        browser.get("/signin")
        return browser.post("/signin", data={"username": username, "password": password})

    unknown = sign_in_from_a_new_browser("nobody", DEFAULT_PASSWORD)
    wrong = sign_in_from_a_new_browser("lena", "not the password")
    inactive = sign_in_from_a_new_browser("gone", DEFAULT_PASSWORD)
    assert unknown.status_code == wrong.status_code == inactive.status_code == 200
    assert normalised(unknown, "nobody") == normalised(wrong, "lena") == normalised(inactive, "gone")
    assert {name for name, _value in unknown.headers} == {name for name, _value in inactive.headers}


# Names the form refuses (over 64 characters) cannot exist, so answering them at once reveals nothing.
@pytest.mark.parametrize("username", ["nobody", "gone", "lena", "x" * 64, "bad name!"])
def test_every_failed_sign_in_verifies_one_hash_of_the_real_method(app, make, people, monkeypatch, username):
    gone = make.user(username="gone")
    with app.app_context():
        db.session.get(User, gone.id).active = False
        db.session.commit()
    checked = []
    real_check = passwords.check_password_hash

    def counting_check(password_hash, password):
        checked.append(password_hash.split("$")[0])
        return real_check(password_hash, password)

    monkeypatch.setattr(passwords, "check_password_hash", counting_check)
    response = app.test_client().post("/signin", data={"username": username, "password": "not the password"})
    assert response.status_code == 200
    assert checked == [app.config["PASSWORD_HASH_METHOD"]]


def test_sign_up_says_a_username_is_taken_and_nothing_else(app, client, people):
    taken = client.post("/signup", data={"display_name": "Amina A.", "username": "lena", "password": "a quiet river stone",
                                         "audience": "student", "language": "en"})
    free = client.post("/signup", data={"display_name": "Amina A.", "username": "l" * 65, "password": "a quiet river stone",
                                        "audience": "student", "language": "en"})
    assert taken.status_code == free.status_code == 200
    assert b"This username is taken." in taken.data
    for private in (b"LENA", people.learner.display_name.encode(), b"learner", b"trainer"):
        assert private not in taken.data.replace(b'value="lena"', b"")


def test_sign_up_with_anothers_email_address_is_like_any_other_sign_up(app, make):
    make.user(username="owner", email="owner@example.org")
    responses = []
    for username, email in (("first", "owner@example.org"), ("second", "fresh@example.org")):
        client = app.test_client()
        responses.append(client.post("/signup", data={
            "display_name": "Amina A.", "username": username, "password": "a quiet river stone", "email": email,
            "audience": "student", "language": "en"}))
    assert [response.status_code for response in responses] == [302, 302]
    assert responses[0].headers["Location"] == responses[1].headers["Location"]
    with app.app_context():
        assert sorted(db.session.scalars(select(User.username).where(User.email == "owner@example.org"))) == [
            "first", "owner"]


class TestSignUpProbingIsLimited:
    @pytest.fixture
    def app_overrides(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", "SIGNUP_LIMIT_PER_IP": "3 per minute"}

    def test_failed_sign_ups_are_limited_per_address(self, app, people):
        client = app.test_client()
        for name in ("lena", "omar", "tomas"):
            assert client.post("/signup", data={"display_name": "Amina A.", "username": name,
                                                "password": "a quiet river stone", "audience": "student",
                                                "language": "en"}).status_code == 200
        blocked = client.post("/signup", data={"display_name": "Amina A.", "username": "ada",
                                               "password": "a quiet river stone", "audience": "student",
                                               "language": "en"})
        assert blocked.status_code == 429 and b"This username is taken." not in blocked.data

    def test_successful_sign_ups_do_not_count(self, app):
        for number in range(5):
            response = app.test_client().post("/signup", data={
                "username": f"pupil{number}", "display_name": f"Pupil {number}", "password": "a quiet river stone",
                "audience": "student", "language": "en"})
            assert response.status_code == 302


def test_there_is_no_self_service_reset_to_probe(app, client):
    rules = [rule.rule for rule in app.url_map.iter_rules()]
    words = ("reset", "forgot", "recover", "password", "passphrase")
    assert sorted(rule for rule in rules if any(word in rule for word in words)) == [
        "/account/password", "/admin/users/<int:user_id>/passphrase",
        "/classes/<int:classroom_id>/members/<int:user_id>/password",
        "/classes/<int:classroom_id>/passphrases"]  # your own, an admin's, a trainer's (one, or the class's)
    assert "Ask your trainer, teacher or an administrator of this site" in client.get("/signin").text


def test_a_trainer_reset_cannot_probe_accounts_outside_their_class(app, world):
    trainer = signed_in(app, world.people.trainer)
    url = f"/classes/{world.ours}/members/{{}}/password"
    outside = [trainer.post(url.format(user_id)) for user_id in (world.people.other_learner.id,
                                                                  world.people.admin.id, 999999)]
    assert {response.status_code for response in outside} == {404}
    # The same page each time. The sign-out form's CSRF token carries a timestamp (seconds), so it is left out:
    # requests straddling a second would otherwise differ by it alone.
    assert len({CSRF_VALUE.sub(b"", response.data) for response in outside}) == 1
    # Inside the class: an account the learner made stays theirs (403); one the trainer made gets a new passphrase.
    assert trainer.post(url.format(world.people.learner.id)).status_code == 403
    assert trainer.post(url.format(world.made)).status_code == 200
    sign_in(app.test_client(), world.people.learner)
