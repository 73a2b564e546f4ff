import pytest
from sqlalchemy import func, select

from app.catalog.cli import sync_library
from app.catalog.models import ContentRevision, Course, CourseAsset, Module, StandardEntry
from app.catalog.services import registry_from_database
from app.extensions import db
from tests.course_builder import STANDARDS_YAML, module_text, write_course

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def run_sync(app, root, force=False):
    lines = []
    with app.app_context():
        ok = sync_library(root, force=force, echo=lines.append)
    return ok, "\n".join(lines)


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_cold_sync_creates_course_modules_revisions_and_standards(app, tmp_path):
    write_course(tmp_path, modules=3)
    ok, output = run_sync(app, tmp_path)
    assert ok, output
    assert "test-course: created" in output
    assert count(app, Course) == 1 and count(app, Module) == 3
    assert count(app, ContentRevision) == 4  # course.md + 3 modules
    assert count(app, StandardEntry, StandardEntry.code == "CAT-15") == 1
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "module-3"))
        assert "SECRET FACILITATOR NOTE" not in module.learner_html
        assert "SECRET FACILITATOR NOTE" in module.trainer_html
        assert [question["id"] for question in module.quiz["questions"]][:2] == ["m3-single", "m3-multiple"]


def test_sync_stores_each_instruments_unit_and_reads_it_back(app, tmp_path):
    bpuff = "BPUFF:\n  title: Basic Principles on the Use of Force\n  kind: principles\n  articles:\n    9: Firearms\n"
    (tmp_path / "standards.yaml").write_text(STANDARDS_YAML + bpuff)
    write_course(tmp_path)
    ok, output = run_sync(app, tmp_path)
    assert ok, output
    with app.app_context():
        assert db.session.get(StandardEntry, "BPUFF-9").unit == "article"  # not given: the default
    (tmp_path / "standards.yaml").write_text(STANDARDS_YAML + bpuff.replace("kind: principles\n",
                                                                            "kind: principles\n  unit: principle\n"))
    ok, output = run_sync(app, tmp_path)
    assert ok, output
    with app.app_context():
        units = dict(db.session.execute(select(StandardEntry.code, StandardEntry.unit)).all())
        assert (units["BPUFF"], units["BPUFF-9"], units["CAT-15"]) == ("principle", "principle", "article")
        registry = registry_from_database(db.session)
        assert registry.get("BPUFF-9").label == "BPUFF Principle 9 — Firearms"
        assert registry.get("CAT-15").label == "CAT Art. 15 — Exclusion of statements obtained by torture"
        assert [(instrument.key, instrument.unit) for instrument in registry.instruments][-1] == ("BPUFF", "principle")


def test_unchanged_folder_writes_nothing(app, tmp_path):
    write_course(tmp_path)
    run_sync(app, tmp_path)
    revisions = count(app, ContentRevision)
    ok, output = run_sync(app, tmp_path)
    assert ok and "test-course: unchanged" in output
    assert count(app, ContentRevision) == revisions


def test_edits_keep_identity_and_add_a_revision(app, tmp_path):
    folder = write_course(tmp_path)
    run_sync(app, tmp_path)
    with app.app_context():
        module_id = db.session.scalar(select(Module.id).where(Module.slug == "module-2"))
    (folder / "02-module-2.md").write_text(module_text(2, title="A better title", with_quiz=False))
    ok, output = run_sync(app, tmp_path)
    assert ok and "02-module-2.md: synced" in output
    with app.app_context():
        module = db.session.get(Module, module_id)
        assert module.title == "A better title" and module.version == 2
        numbers = db.session.scalars(select(ContentRevision.number).where(ContentRevision.module_id == module_id))
        assert sorted(numbers) == [1, 2]


def test_renaming_a_file_reorders_without_losing_identity(app, tmp_path):
    folder = write_course(tmp_path)
    run_sync(app, tmp_path)
    with app.app_context():
        module_id = db.session.scalar(select(Module.id).where(Module.slug == "module-1"))
    (folder / "01-module-1.md").rename(folder / "09-module-1.md")
    run_sync(app, tmp_path)
    with app.app_context():
        module = db.session.get(Module, module_id)
        assert (module.position, module.filename, module.archived) == (9, "09-module-1.md", False)


def test_removed_module_is_archived_not_deleted_and_comes_back(app, tmp_path):
    folder = write_course(tmp_path)
    run_sync(app, tmp_path)
    text = (folder / "02-module-2.md").read_text()
    (folder / "02-module-2.md").unlink()
    ok, output = run_sync(app, tmp_path)
    assert "archived" in output
    assert count(app, Module, Module.archived.is_(True)) == 1 and count(app, Module) == 3
    (folder / "02-module-2.md").write_text(text)
    run_sync(app, tmp_path)
    assert count(app, Module, Module.archived.is_(True)) == 0


def test_course_with_errors_is_skipped_and_its_previous_version_stays(app, tmp_path):
    folder = write_course(tmp_path, title="Original title")
    run_sync(app, tmp_path)
    (folder / "course.md").write_text((folder / "course.md").read_text().replace("title: Original title",
                                                                                 "title: [unclosed"))
    ok, output = run_sync(app, tmp_path)
    assert not ok and "test-course: skipped" in output and "course.md:3: invalid YAML" in output
    with app.app_context():
        assert db.session.scalar(select(Course.title)) == "Original title"


def test_a_crash_mid_sync_rolls_back_that_course_only(app, tmp_path, monkeypatch):
    write_course(tmp_path, "course-a")
    write_course(tmp_path, "course-b")
    import app.catalog.sync as sync_module

    real_create_module = sync_module.create_module

    def create_module_then_crash(session, course, parsed, **kwargs):
        if course.slug == "course-a" and parsed.slug == "module-2":
            raise RuntimeError("disk on fire")
        return real_create_module(session, course, parsed, **kwargs)

    monkeypatch.setattr(sync_module, "create_module", create_module_then_crash)
    ok, output = run_sync(app, tmp_path)
    assert not ok and "course-a: failed" in output and "course-b: created" in output
    assert count(app, Course) == 1 and count(app, Module) == 3
    monkeypatch.setattr(sync_module, "create_module", real_create_module)
    ok, output = run_sync(app, tmp_path)
    assert ok and count(app, Course) == 2


def test_images_are_stored_in_the_database(app, tmp_path):
    folder = write_course(tmp_path)
    (folder / "images").mkdir()
    (folder / "images" / "dot.png").write_bytes(PNG)
    text = (folder / "01-module-1.md").read_text().replace("## Practice", "![A dot](images/dot.png)\n\n## Practice")
    (folder / "01-module-1.md").write_text(text)
    ok, output = run_sync(app, tmp_path)
    assert ok, output
    with app.app_context():
        asset = db.session.scalar(select(CourseAsset))
        assert (asset.path, asset.content_type, asset.data) == ("images/dot.png", "image/png", PNG)
        html = db.session.scalar(select(Module.learner_html).where(Module.slug == "module-1"))
        assert 'src="/courses/test-course/assets/images/dot.png"' in html


def test_browser_edit_and_file_edit_of_the_same_module_is_a_conflict(app, tmp_path):
    folder = write_course(tmp_path)
    run_sync(app, tmp_path)
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "module-1"))
        module.edited_in_browser = True
        module.source = module.source.replace("Module 1", "Browser title")
        db.session.commit()
    (folder / "01-module-1.md").write_text(module_text(1, title="File title", with_quiz=False))
    ok, output = run_sync(app, tmp_path)
    assert not ok and "test-course: conflict" in output and "01-module-1.md changed in the folder and in the browser" in output
    with app.app_context():
        assert "Browser title" in db.session.scalar(select(Module.source).where(Module.slug == "module-1"))
    ok, output = run_sync(app, tmp_path, force=True)
    assert ok
    with app.app_context():
        assert db.session.scalar(select(Module.title).where(Module.slug == "module-1")) == "File title"


def test_browser_edit_is_kept_when_only_the_browser_changed(app, tmp_path):
    folder = write_course(tmp_path)
    run_sync(app, tmp_path)
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "module-1"))
        module.edited_in_browser = True
        module.source = module.source + "\nAdded in the browser.\n"
        db.session.commit()
    (folder / "02-module-2.md").write_text(module_text(2, title="Changed file", with_quiz=False))
    ok, output = run_sync(app, tmp_path)
    assert ok and "kept the browser's edit" in output
    with app.app_context():
        assert "Added in the browser." in db.session.scalar(select(Module.source).where(Module.slug == "module-1"))


def edit_in_browser(app, slug: str, added: str) -> None:
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == slug))
        module.edited_in_browser = True
        module.source = module.source + added
        db.session.commit()


def export(app, *args: str):
    return app.test_cli_runner().invoke(args=["courses", "export", *args])


def test_export_refuses_to_overwrite_a_file_edited_in_the_folder_since_the_last_sync(app, tmp_path):
    """The conflict's advice ("export to keep the browser's version") must not wipe the folder's own edit."""
    folder = write_course(tmp_path)
    run_sync(app, tmp_path)
    edit_in_browser(app, "module-1", "\nAdded in the browser.\n")
    folder_edit = (folder / "01-module-1.md").read_text() + "\nAdded in the folder.\n"
    (folder / "01-module-1.md").write_text(folder_edit)
    ok, output = run_sync(app, tmp_path)
    assert not ok and "it refuses to overwrite" in output

    refused = export(app, "test-course", str(tmp_path))
    assert refused.exit_code == 1
    assert "not exported, so as not to overwrite what was changed in the folder" in refused.output
    assert "01-module-1.md" in refused.output and "02-module-2.md" not in refused.output
    assert (folder / "01-module-1.md").read_text() == folder_edit  # nothing written, not even the other files

    (folder / "02-module-2.md").write_text("unrelated")  # a file the browser did not touch: refused too
    assert "02-module-2.md" in export(app, "test-course", str(tmp_path)).output
    forced = export(app, "--force", "test-course", str(tmp_path))
    assert forced.exit_code == 0 and "Added in the browser." in (folder / "01-module-1.md").read_text()


def test_a_course_md_edited_in_the_browser_exports_over_the_synced_folder_without_force(app, tmp_path):
    """The course was created by sync: that sync must record course.md's text, or the untouched folder file reads as
    an edit made in the folder."""
    folder = write_course(tmp_path)
    run_sync(app, tmp_path)
    with app.app_context():
        course = db.session.scalar(select(Course))
        course.source = course.source.replace("An introduction", "A browser introduction")
        course.edited_in_browser = True
        db.session.commit()
    assert export(app, "test-course", str(tmp_path)).exit_code == 0
    assert "A browser introduction" in (folder / "course.md").read_text()
    (folder / "01-module-1.md").write_text((folder / "01-module-1.md").read_text() + "\nA file edit.\n")
    ok, output = run_sync(app, tmp_path)
    assert ok and "conflict" not in output


def test_export_over_an_unchanged_folder_needs_no_force(app, tmp_path):
    folder = write_course(tmp_path)
    run_sync(app, tmp_path)
    edit_in_browser(app, "module-1", "\nAdded in the browser.\n")
    assert export(app, "test-course", str(tmp_path)).exit_code == 0
    assert "Added in the browser." in (folder / "01-module-1.md").read_text()


def test_after_export_and_sync_the_folder_and_the_browser_agree_again(app, tmp_path):
    """No false conflict later: the module is no longer "edited in the browser since the last sync"."""
    folder = write_course(tmp_path)
    run_sync(app, tmp_path)
    edit_in_browser(app, "module-1", "\nAdded in the browser.\n")
    assert export(app, "test-course", str(tmp_path)).exit_code == 0
    ok, output = run_sync(app, tmp_path)
    assert ok and "01-module-1.md: the folder now holds the browser's edit" in output
    with app.app_context():
        assert not db.session.scalar(select(Module.edited_in_browser).where(Module.slug == "module-1"))

    (folder / "01-module-1.md").write_text((folder / "01-module-1.md").read_text() + "\nA later file edit.\n")
    ok, output = run_sync(app, tmp_path)
    assert ok and "conflict" not in output and "01-module-1.md: synced" in output


@pytest.mark.parametrize("slug", [None, "test-course"])
def test_export_reproduces_the_synced_files(app, tmp_path, slug):
    source = tmp_path / "source"
    folder = write_course(source)
    (folder / "images").mkdir()
    (folder / "images" / "dot.png").write_bytes(PNG)
    (folder / "01-module-1.md").write_text((folder / "01-module-1.md").read_text() + "\n![Dot](images/dot.png)\n")
    run_sync(app, source)
    exported = tmp_path / "exported"
    result = app.test_cli_runner().invoke(args=["courses", "export", *([slug] if slug else []), str(exported)]) \
        if slug else app.test_cli_runner().invoke(args=["courses", "export", "", str(exported)])
    assert result.exit_code == 0, result.output
    assert f"note: {exported} has no standards.yaml" in result.output
    original = {path.relative_to(folder): path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    copy_root = exported / "test-course"
    copied = {path.relative_to(copy_root): path.read_bytes() for path in copy_root.rglob("*") if path.is_file()}
    assert copied == original
    # and the export syncs back as "unchanged"
    (exported / "standards.yaml").write_text((source / "standards.yaml").read_text())
    ok, output = run_sync(app, exported)
    assert ok and "unchanged" in output


def test_check_command_exit_codes(app, tmp_path):
    write_course(tmp_path)
    runner = app.test_cli_runner()
    good = runner.invoke(args=["courses", "check", str(tmp_path)])
    assert good.exit_code == 0 and good.output.splitlines()[-1] == "1 course checked: 0 errors, 0 warnings"
    (tmp_path / "test-course" / "03-module-3.md").write_bytes(b"\xff\xfe binary \x00")
    bad = runner.invoke(args=["courses", "check", str(tmp_path)])
    assert bad.exit_code == 1 and "03-module-3.md:" in bad.output and "Traceback" not in bad.output
    assert bad.output.splitlines()[-1] == "1 course checked: 1 error, 0 warnings"
    one_course = runner.invoke(args=["courses", "check", str(tmp_path / "test-course")])
    assert one_course.exit_code == 1 and f"{tmp_path / 'test-course' / '03-module-3.md'}:" in one_course.output
    assert one_course.output.splitlines()[-1] == "1 course checked: 1 error, 0 warnings"


def test_one_course_s_folder_is_checked_and_synced_alone_with_the_registry_beside_it(app, tmp_path):
    """What a trainer types after editing one course: the other courses are neither read nor touched."""
    write_course(tmp_path, "first-course")
    write_course(tmp_path, "second-course")
    (tmp_path / "second-course" / "course.md").write_text("not a course any more\n")
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["courses", "check", str(tmp_path / "first-course")])
    assert checked.exit_code == 0 and checked.output.splitlines()[-1] == "1 course checked: 0 errors, 0 warnings"
    synced = runner.invoke(args=["courses", "sync", str(tmp_path / "first-course")])
    assert synced.exit_code == 0 and "first-course" in synced.output and "second-course" not in synced.output
    assert count(app, Course) == 1
    again, output = run_sync(app, tmp_path / "first-course")
    assert again and output == "first-course: unchanged"
