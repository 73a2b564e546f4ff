from tests.conftest import sign_in


def test_the_audit_log_shows_trainer_actions_to_admins_and_filters_by_action(app, client, make, people, course):
    classroom = make.classroom(people.trainer, name="Audited class", members=[people.learner])
    trainer = app.test_client()
    sign_in(trainer, people.trainer)
    trainer.post(f"/classes/{classroom.id}/assignments", data={"target": f"course:{course.id}"})
    trainer.post(f"/classes/{classroom.id}/members/{people.learner.id}/remove")
    sign_in(client, people.admin)
    page = client.get("/admin/audit").text
    for action in ("class_created", "assignment_created", "learner_removed"):
        assert f"<td>{action}</td>" in page
    assert "Audited class" in page and "tomas" in page and "username: lena" in page
    filtered = client.get("/admin/audit?action=learner_removed").text
    assert "<td>learner_removed</td>" in filtered and "<td>class_created</td>" not in filtered
