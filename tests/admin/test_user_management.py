"""What an admin does to accounts on /admin/users: each action is done, refused where it must be, and audited."""

import json

from sqlalchemy import select

from app.auth.models import User
from app.classrooms.models import AuditEvent
from app.extensions import db
from tests.conftest import sign_in

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
