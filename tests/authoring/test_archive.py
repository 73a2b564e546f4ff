"""Archiving and restoring a module in the browser: learners stop seeing it, nothing of theirs is lost, and a later
sync of a folder that still holds its file respects the decision."""

import pytest
from sqlalchemy import func, select

from app.catalog.models import Module
from app.extensions import db
from app.learning.models import ModuleProgress
from tests.catalog.test_sync import run_sync
from tests.conftest import sign_in
from tests.course_builder import write_course


@pytest.fixture
def folder(tmp_path, make, client, people):
    """A three-module course synced from tmp_path, and the client signed in as its trainer."""
    write_course(tmp_path, modules=3, quiz_modules=())
    make.synced_course(tmp_path, "test-course")
    sign_in(client, people.trainer)
    return tmp_path


def append(path, text: str) -> None:
    path.write_text(path.read_text() + text)


def archived(app, slug: str) -> bool:
    with app.app_context():
        return db.session.scalar(select(Module.archived).where(Module.slug == slug))


def test_a_trainer_archives_a_module_learners_stop_seeing_it_and_keep_their_progress(app, client, make, people):
    make.course(modules=3, quiz_modules=())
    learner = app.test_client()
    sign_in(learner, people.learner)
    learner.post("/courses/test-course/m/module-2/complete")
    sign_in(client, people.trainer)

    response = client.post("/author/test-course/m/module-2/archive")
    assert response.status_code == 302 and archived(app, "module-2")
    assert response.location.endswith("/author/test-course#archived-modules")  # where it went, not the page top
    page = client.get("/author/test-course").text
    assert "is archived: learners no longer see it" in page
    assert '<h3 id="archived-modules" tabindex="-1">' in page
    archived_list = page.split("Archived modules", 1)[1]
    assert "Module 2" in archived_list and 'aria-label="Restore “Module 2”"' in archived_list
    gone = learner.get("/courses/test-course/m/module-2")
    assert gone.status_code == 404 and "This module is not, or no longer, on offer" in gone.text
    assert "Module 2" not in learner.get("/courses/test-course").text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ModuleProgress)) == 1  # kept

    restored = client.post("/author/test-course/m/module-2/unarchive")
    assert restored.status_code == 302 and restored.location.endswith("/author/test-course#module-module-2")
    assert not archived(app, "module-2")
    assert learner.get("/courses/test-course/m/module-2").status_code == 200
    assert "is back in the course" in client.get("/author/test-course").text


def test_the_last_module_of_a_published_course_cannot_be_archived(app, client, make, people):
    make.course(modules=1, quiz_modules=())
    sign_in(client, people.trainer)
    refused = client.post("/author/test-course/m/module-1/archive")
    assert not archived(app, "module-1") and refused.location.endswith("#module-module-1")
    assert "This is the course&#39;s only module" in client.get("/author/test-course").text


def test_a_module_the_completion_rule_names_cannot_be_archived(app, client, make, people):
    course = make.course(modules=2, quiz_modules=())
    with app.app_context():
        row = db.session.get(type(course), course.id)
        row.completion = {"modules": ["module-1"], "quizzes": "passed"}
        db.session.commit()
    sign_in(client, people.trainer)
    client.post("/author/test-course/m/module-1/archive")
    assert not archived(app, "module-1")
    assert "completion rule names this module" in client.get("/author/test-course").text


def test_a_sync_keeps_a_module_archived_in_the_browser_while_its_file_is_unchanged(app, client, folder):
    client.post("/author/test-course/m/module-2/archive")
    append(folder / "test-course" / "03-module-3.md", "\nAn edit elsewhere in the folder.\n")  # so that sync reads it
    ok, output = run_sync(app, folder)
    assert ok and "02-module-2.md: kept archived, as it was in the browser" in output
    assert archived(app, "module-2")
    assert run_sync(app, folder, force=True)[0]
    assert not archived(app, "module-2")  # --force takes the folder, which has the file


def test_learners_cannot_archive(app, client, make, people):
    make.course(modules=2, quiz_modules=())
    sign_in(client, people.learner)
    assert client.post("/author/test-course/m/module-1/archive").status_code == 403
    assert not archived(app, "module-1")


def test_adding_a_module_to_a_published_course_warns_that_learners_see_it_at_once(client, make, people):
    make.course(modules=1, quiz_modules=())
    sign_in(client, people.trainer)
    assert "learners see the new module as soon as it is saved" in client.get("/author/test-course/modules/new").text
    make.course("draft-course", modules=1, quiz_modules=(), status="draft")
    assert "learners see the new module" not in client.get("/author/draft-course/modules/new").text


def module_order(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(module.slug, module.filename) for module in db.session.scalars(
            select(Module).where(Module.archived.is_(False)).order_by(Module.position))]


def test_a_trainer_reorders_modules_and_the_file_names_follow(app, client, make, people):
    make.course(modules=3, quiz_modules=())
    sign_in(client, people.trainer)
    response = client.post("/author/test-course/m/module-3/move-up")
    assert response.status_code == 302 and response.location.endswith("/author/test-course#module-module-3")
    assert module_order(app) == [("module-1", "01-module-1.md"), ("module-3", "02-module-3.md"),
                                 ("module-2", "03-module-2.md")]
    assert "“Module 3” moved up." in client.get("/author/test-course").text
    learner = app.test_client()
    sign_in(learner, people.learner)
    page = learner.get("/courses/test-course").text
    assert page.index("Module 3") < page.index("Module 2")
    client.post("/author/test-course/m/module-1/move-up")  # already first: nothing moves
    client.post("/author/test-course/m/module-1/move-down")
    assert [slug for slug, _filename in module_order(app)] == ["module-3", "module-1", "module-2"]


def test_export_after_a_reorder_and_an_archive_leaves_a_folder_that_syncs_as_the_browser_left_it(app, client, folder):
    client.post("/author/test-course/m/module-3/move-up")
    client.post("/author/test-course/m/module-1/archive")
    exported = app.test_cli_runner().invoke(args=["courses", "export", "test-course", str(folder)])
    assert exported.exit_code == 0, exported.output
    files = sorted(path.name for path in (folder / "test-course").glob("*.md"))
    assert files == ["02-module-3.md", "03-module-2.md", "course.md"]
    ok, output = run_sync(app, folder)
    assert ok and "conflict" not in output
    assert module_order(app) == [("module-3", "02-module-3.md"), ("module-2", "03-module-2.md")]


def test_export_does_not_remove_an_old_file_that_holds_an_edit_made_in_the_folder(app, client, folder):
    client.post("/author/test-course/m/module-2/move-up")
    old_name = folder / "test-course" / "02-module-2.md"
    append(old_name, "\nEdited in the folder.\n")
    refused = app.test_cli_runner().invoke(args=["courses", "export", "test-course", str(folder)])
    assert refused.exit_code == 1 and "02-module-2.md" in refused.output
    assert "Edited in the folder." in old_name.read_text()


def test_a_sync_of_a_folder_in_the_old_order_keeps_the_browsers_order_until_it_is_exported(app, client, folder):
    client.post("/author/test-course/m/module-3/move-up")
    append(folder / "test-course" / "01-module-1.md", "\nAn unrelated edit in the folder.\n")  # so that sync reads it
    ok, output = run_sync(app, folder)
    assert ok and "02-module-2.md: kept the browser's order, as 03-module-2.md" in output
    assert [slug for slug, _filename in module_order(app)] == ["module-1", "module-3", "module-2"]
    assert app.test_cli_runner().invoke(args=["courses", "export", "test-course", str(folder)]).exit_code == 0
    assert run_sync(app, folder)[0]
    with app.app_context():
        assert not db.session.scalar(select(func.count()).select_from(Module).where(Module.edited_in_browser))
    assert [slug for slug, _filename in module_order(app)] == ["module-1", "module-3", "module-2"]


def test_a_module_other_pages_link_to_cannot_be_archived(app, client, make, people):
    make.course(modules=3, quiz_modules=())
    with app.app_context():
        linking = db.session.scalar(select(Module).where(Module.slug == "module-3"))
        linking.source += "\nSee [the second module](02-module-2.md#practice).\n"
        db.session.commit()
    sign_in(client, people.trainer)
    client.post("/author/test-course/m/module-2/archive")
    assert not archived(app, "module-2")
    assert "Other pages link to this module: 03-module-3.md. Remove those links first" in \
        client.get("/author/test-course").text
    client.post("/author/test-course/m/module-1/archive")  # nothing links to module 1
    assert archived(app, "module-1")
