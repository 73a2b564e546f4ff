import re
from datetime import datetime

import pytest
from sqlalchemy import update

from app.classrooms.audit import ACTION_LABELS
from app.classrooms.models import AuditEvent
from app.extensions import db
from tests.conftest import main_of, sign_in, without_csrf_tokens


def test_the_audit_log_shows_trainer_actions_to_admins_and_filters_by_action(app, client, make, people, course):
    classroom = make.classroom(people.trainer, name="Audited class", members=[people.learner])
    trainer = app.test_client()
    sign_in(trainer, people.trainer)
    trainer.post(f"/classes/{classroom.id}/assignments", data={"target": f"course:{course.id}"})
    trainer.post(f"/classes/{classroom.id}/members/{people.learner.id}/remove")
    sign_in(client, people.admin)
    page = client.get("/admin/audit").text
    for label in ("Class created", "Work assigned", "Learner removed from the class"):
        assert f"<td>{label}</td>" in page
    assert "Audited class" in page and "tomas" in page and "Username: lena" in page
    filtered = client.get("/admin/audit?action=learner_removed").text
    assert "<td>Learner removed from the class</td>" in filtered and "<td>Class created</td>" not in filtered


def test_the_filter_sends_codes_and_shows_labels(client, people):
    sign_in(client, people.admin)
    page = client.get("/admin/audit?action=role_changed").text
    options = dict(re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', main_of(page)))
    assert options == {code: str(label) for code, label in ACTION_LABELS.items()}
    assert '<option value="role_changed" selected>Role changed</option>' in page
    assert not any(f">{code}<" in page for code in ACTION_LABELS)


@pytest.fixture
def app_overrides():
    return {"TIME_ZONE": "Europe/Paris"}


def test_details_skip_empty_values_and_show_times_locally_and_roles_by_name(app, client, make, people, course):
    classroom = make.classroom(people.trainer, name="Audited class")
    make.assignment(classroom, course, due_at=datetime(2030, 1, 31, 16, 0))  # 17:00 in Paris
    with app.app_context():
        db.session.execute(update(AuditEvent).values(created_at=datetime(2030, 1, 31, 12, 0)))
        db.session.commit()
    sign_in(client, people.admin)
    client.post(f"/admin/users/{people.learner.id}/role", data={"role": "trainer"})
    page = without_csrf_tokens(client.get("/admin/audit").text)
    assert f"Course: {course.title}; Due: 2030-01-31 17:00 CET" in page
    assert "None" not in page and "Module:" not in page
    assert "due_at" not in page and "2030-01-31T16:00" not in page
    assert "Username: lena; Previous role: Learner; Role: Trainer" in page
    assert "<th scope=\"col\">When</th>" in page and "(UTC)" not in page


def test_an_empty_filter_says_nothing_matches_rather_than_nothing_recorded(client, make, people):
    make.classroom(people.trainer)
    sign_in(client, people.admin)
    for query in ("?action=nonsense", "?action=role_changed"):
        page = client.get("/admin/audit" + query).text
        assert "No events match this filter." in page and "Nothing recorded yet." not in page
        assert '<a href="/admin/audit">Show all events</a>' in page


def test_a_page_past_the_last_says_so_and_links_back(client, make, people):
    make.classroom(people.trainer)
    sign_in(client, people.admin)
    page = client.get("/admin/audit?page=99").text
    assert "There is no page 99 (the last is page 1)." in page and "Nothing recorded yet." not in page
    assert '<a href="/admin/audit">Go to the first page</a>' in page
    assert "Page 99 of 1" not in page
    filtered = client.get("/admin/audit?action=class_created&page=7").text
    assert "There is no page 7" in filtered and 'href="/admin/audit?action=class_created"' in filtered


def test_an_empty_log_still_says_nothing_recorded(client, people):
    sign_in(client, people.admin)
    assert "Nothing recorded yet." in client.get("/admin/audit").text


def test_every_action_the_app_records_has_a_label():
    """Found in the source, so a new record_audit call without a label fails here rather than show its code."""
    from pathlib import Path

    recorded = set()
    for path in Path(__file__).resolve().parents[2].joinpath("app").rglob("*.py"):
        for call in re.findall(r"record_audit\(([^=]*?)\w+=", path.read_text(encoding="utf-8")):
            recorded.update(re.findall(r'"([a-z_]+)"', call))
    assert len(recorded) >= 16 and recorded <= set(ACTION_LABELS), recorded - set(ACTION_LABELS)
