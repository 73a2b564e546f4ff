"""What an admin does to accounts on /admin/users: each action is done, refused where it must be, and audited."""

import json
import re

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.classrooms.codes import passphrase_words
from app.classrooms.models import AuditEvent
from app.extensions import db
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD

INITIAL_PASSWORD = "a quiet river stone"


def audit_rows(app) -> list[tuple]:
    with app.app_context():
        return [(event.action, event.actor_id, event.target_user_id, event.classroom_id, event.details)
                for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_creating_deactivating_and_reactivating_an_account_are_audited_without_the_password(app, client, people):
    sign_in(client, people.admin)
    assert client.post("/admin/users/new", data={"username": "new.trainer", "display_name": "Nadia N.",
                                                 "role": "trainer", "audience": "police",
                                                 "password": INITIAL_PASSWORD}).status_code == 302
    with app.app_context():
        new_id = db.session.scalar(select(User.id).where(User.username == "new.trainer"))
    assert client.post(f"/admin/users/{new_id}/deactivate").status_code == 302
    assert client.post(f"/admin/users/{new_id}/deactivate").status_code == 302  # already done: nothing new
    assert client.post(f"/admin/users/{new_id}/activate").status_code == 302
    rows = audit_rows(app)
    admin = people.admin.id
    assert rows == [
        ("account_created", admin, new_id, None, {"username": "new.trainer", "role": "trainer"}),
        ("account_deactivated", admin, new_id, None, {"username": "new.trainer"}),
        ("account_reactivated", admin, new_id, None, {"username": "new.trainer"}),
    ]
    assert INITIAL_PASSWORD not in json.dumps(rows)


def test_a_refused_creation_records_nothing(app, client, people):
    sign_in(client, people.admin)
    response = client.post("/admin/users/new", data={"username": "lena", "display_name": "Another Lena",
                                                     "role": "learner", "audience": "other",
                                                     "password": INITIAL_PASSWORD})
    assert response.status_code == 200 and b"This username is taken." in response.data
    assert audit_rows(app) == []


# --- Changing a role -------------------------------------------------------------------------------------------


def role_of(app, user) -> str:
    with app.app_context():
        return db.session.get(User, user.id).role


def test_an_admin_changes_a_role_and_the_change_is_audited(app, client, people):
    sign_in(client, people.admin)
    response = client.post(f"/admin/users/{people.trainer.id}/role", data={"role": "learner"})
    assert response.status_code == 302
    assert "The role of tomas is now Learner." in client.get(response.location).text
    assert role_of(app, people.trainer) == "learner"
    client.post(f"/admin/users/{people.learner.id}/role", data={"role": "admin"})
    client.post(f"/admin/users/{people.learner.id}/role", data={"role": "admin"})  # no change: nothing recorded
    assert role_of(app, people.learner) == "admin"
    assert audit_rows(app) == [
        ("role_changed", people.admin.id, people.trainer.id, None,
         {"username": "tomas", "role_before": "trainer", "role": "learner"}),
        ("role_changed", people.admin.id, people.learner.id, None,
         {"username": "lena", "role_before": "learner", "role": "admin"}),
    ]


def test_a_demoted_admin_loses_the_admin_pages_at_once(app, people, make):
    other_admin = make.user(role="admin", username="abebe")
    theirs, mine = app.test_client(), app.test_client()
    sign_in(theirs, other_admin)
    assert theirs.get("/admin/users").status_code == 200
    sign_in(mine, people.admin)
    mine.post(f"/admin/users/{other_admin.id}/role", data={"role": "trainer"})
    assert theirs.get("/admin/users").status_code == 403


def test_an_admin_cannot_change_their_own_role_so_the_last_admin_stays(app, client, people):
    sign_in(client, people.admin)
    for role in ("trainer", "learner", "admin"):
        assert client.post(f"/admin/users/{people.admin.id}/role", data={"role": role}).status_code == 403
    assert role_of(app, people.admin) == "admin"
    page = client.get("/admin/users").text
    assert f'action="/admin/users/{people.admin.id}/role"' not in page
    assert f'action="/admin/users/{people.trainer.id}/role"' in page
    assert audit_rows(app) == []


@pytest.mark.parametrize("role", ["superuser", "", "Admin"])
def test_an_unknown_role_is_refused(app, client, people, role):
    sign_in(client, people.admin)
    assert client.post(f"/admin/users/{people.learner.id}/role", data={"role": role}).status_code == 400
    assert role_of(app, people.learner) == "learner"


def test_the_users_list_offers_each_other_account_its_role_with_the_current_one_selected(client, people):
    sign_in(client, people.admin)
    page = client.get("/admin/users").text
    form = page[page.index(f'action="/admin/users/{people.trainer.id}/role"'):]
    form = form[:form.index("</form>")]
    assert re.findall(r'<option value="(\w+)"( selected)?>', form) == [("learner", ""), ("trainer", " selected"),
                                                                        ("admin", "")]
    assert f'<label class="visually-hidden" for="role-{people.trainer.id}">Role of tomas</label>' in form


# --- A new passphrase ------------------------------------------------------------------------------------------

CARD = re.compile(r'<dd class="credential">([^<]+)</dd>\s*<dt>Passphrase</dt><dd class="credential passphrase">([^<]+)</dd>')
RESET_ACTION = re.compile(r'action="(/admin/users/(\d+)/passphrase\?once=[^"]+)"')


def reset_url(client, user) -> str:
    for url, user_id in RESET_ACTION.findall(client.get("/admin/users").text):
        if int(user_id) == user.id:
            return url.replace("&amp;", "&")
    raise AssertionError(f"no 'Set a new passphrase' button for {user.username}")


def test_a_self_registered_learner_gets_a_new_passphrase_shown_once_and_is_signed_out(app, client, people):
    phone = app.test_client()
    sign_in(phone, people.learner)
    assert phone.get("/account").status_code == 200
    sign_in(client, people.admin)
    response = client.post(reset_url(client, people.learner))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    [(username, passphrase)] = CARD.findall(response.text)
    *three_words, digits = passphrase.split("-")
    assert username == "lena" and len(three_words) == 3 and set(three_words) <= set(passphrase_words())
    assert len(digits) == 2 and digits.isdigit()
    assert phone.get("/account").status_code == 302  # signed out of the session it had
    refused = app.test_client().post("/signin", data={"username": "lena", "password": DEFAULT_PASSWORD})
    assert refused.status_code == 200
    sign_in(app.test_client(), people.learner, password=passphrase)
    assert audit_rows(app) == [("password_reset", people.admin.id, people.learner.id, None, {"username": "lena"})]
    with app.app_context():
        stored = repr(db.session.execute(select(User.password_hash, User.display_name)).all())
    assert passphrase not in json.dumps(audit_rows(app)) and passphrase not in stored


def test_reloading_the_new_passphrase_page_resets_nothing_twice(app, client, people):
    sign_in(client, people.admin)
    url = reset_url(client, people.trainer)
    [(_username, passphrase)] = CARD.findall(client.post(url).text)
    again = client.post(url)
    assert again.status_code == 302
    assert "That passphrase was already changed" in client.get(again.location).text
    sign_in(app.test_client(), people.trainer, password=passphrase)
    assert [row[0] for row in audit_rows(app)] == ["password_reset"]


def test_the_new_passphrase_page_offers_print_and_a_way_back(client, people):
    sign_in(client, people.admin)
    page = client.post(reset_url(client, people.learner)).text
    assert 'data-print hidden>Print the card</button>' in page
    assert '<a class="button" href="/admin/users">Back to users</a>' in page


def test_an_admin_cannot_reset_their_own_passphrase_here(client, people):
    sign_in(client, people.admin)
    assert client.post(f"/admin/users/{people.admin.id}/passphrase").status_code == 403
    assert f"/admin/users/{people.admin.id}/passphrase" not in client.get("/admin/users").text
    sign_in(client.application.test_client(), people.admin)  # the password still works


def test_an_erased_account_gets_no_role_and_no_passphrase(app, client, people):
    with app.app_context():
        db.session.get(User, people.other_learner.id).erased = True
        db.session.commit()
    sign_in(client, people.admin)
    assert client.post(f"/admin/users/{people.other_learner.id}/passphrase").status_code == 404
    assert client.post(f"/admin/users/{people.other_learner.id}/role", data={"role": "admin"}).status_code == 404
    assert role_of(app, people.other_learner) == "learner" and audit_rows(app) == []


def test_the_new_passphrase_button_asks_first_like_the_trainers(client, people):
    sign_in(client, people.admin)
    page = client.get("/admin/users").text
    form = re.search(rf'<form [^>]*action="/admin/users/{people.learner.id}/passphrase[^>]*>', page).group(0)
    assert 'data-confirm="Give lena a new passphrase? Their current one stops working at once."' in form
