"""Content removed: renaming or deleting module files keeps every learner's progress and quiz attempts.

Renumbering a file keeps the module; changing its slug part or deleting it archives the old module (never deletes
it), so the rows that point at it stay, and the learner still finds them in My learning and in the data export.
"""

from sqlalchemy import select

from app.catalog.models import Module
from app.extensions import db
from app.learning.models import ModuleProgress
from app.quizzes.models import AttemptAnswer, QuizAttempt
from tests.conftest import sign_in
from tests.course_builder import write_course

ANSWERS = {"single": "b", "truefalse": "false", "short": "26"}


def learner_records(app, user_id: int):
    with app.app_context():
        progress = {(row.module_id, row.best_score, row.completed_at) for row in
                    db.session.scalars(select(ModuleProgress).where(ModuleProgress.user_id == user_id))}
        attempts = {(row.id, row.module_id, row.score, row.status) for row in
                    db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user_id))}
        answers = len(db.session.scalars(select(AttemptAnswer).join(QuizAttempt)
                                         .where(QuizAttempt.user_id == user_id)).all())
    return progress, attempts, answers


def test_renaming_and_deleting_module_files_keeps_progress_and_attempts(app, make, tmp_path):
    courses = tmp_path / "library"
    folder = write_course(courses, modules=3, quiz_modules=(2, 3))
    course = make.synced_course(courses, "test-course")
    modules = {module.slug: module for module in course.modules}
    learner = make.user(username="keeps-records")
    for slug, prefix in (("module-2", "m2"), ("module-3", "m3")):
        make.submitted_attempt(learner, modules[slug], {f"{prefix}-{key}": value for key, value in ANSWERS.items()})
    with app.app_context():
        db.session.add(ModuleProgress(user_id=learner.id, module_id=modules["module-1"].id))
        db.session.commit()
    before = learner_records(app, learner.id)
    assert len(before[0]) == 3 and len(before[1]) == 2 and before[2] > 0

    (folder / "01-module-1.md").rename(folder / "04-module-1.md")         # renumbered: the same module
    (folder / "02-module-2.md").rename(folder / "02-human-dignity.md")    # new slug: a new module, old archived
    (folder / "03-module-3.md").unlink()                                  # deleted: archived
    make.synced_course(courses, "test-course")

    assert learner_records(app, learner.id) == before
    with app.app_context():
        state = {module.slug: (module.archived, module.position) for module in db.session.scalars(
            select(Module).where(Module.course_id == course.id))}
    assert state == {"module-1": (False, 4), "module-2": (True, 2), "module-3": (True, 3),
                     "human-dignity": (False, 2)}

    client = app.test_client()
    sign_in(client, learner)
    assert client.get("/learning").status_code == 200
    exported = client.get("/account/export").get_json()
    slug_of = {module.id: slug for slug, module in modules.items()}
    assert sorted((row["module"], row["score"]) for row in exported["quiz_attempts"]) == \
        sorted((slug_of[module_id], score) for _id, module_id, score, _status in before[1])
    assert {row["module"] for row in exported["progress"]} == {"module-1", "module-2", "module-3"}
