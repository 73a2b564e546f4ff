import re

import pytest
from sqlalchemy import func, select

from app.catalog.models import ContentRevision, Course, CourseAsset, Module
from app.extensions import db
from tests.catalog.test_sync import PNG
from tests.conftest import sign_in
from tests.course_builder import module_text


@pytest.fixture
def course(make):
    return make.course(modules=2, status="draft")


@pytest.fixture
def trainer_client(client, people):
    sign_in(client, people.trainer)
    return client


def module_row(app, slug="module-1") -> Module:
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == slug))
        db.session.expunge(module)
        return module


def test_trainer_creates_a_course_and_a_module_in_the_browser(trainer_client, app, course):
    response = trainer_client.post("/author/new", data={
        "slug": "right-to-education", "title": "The right to education", "summary": "Article 26 explained.",
        "audiences": ["student", "general"], "language": "en", "estimated_minutes": "45"})
    assert response.status_code == 302 and response.headers["Location"] == "/author/right-to-education"
    response = trainer_client.post("/author/right-to-education/modules/new", data={
        "slug": "what-it-means", "source": module_text(1, title="What it means"), "save": "1"})
    assert response.status_code == 302
    with app.app_context():
        created = db.session.scalar(select(Course).where(Course.slug == "right-to-education"))
        assert created.status == "draft" and created.audiences == ["student", "general"]
        assert [(m.slug, m.filename) for m in created.modules] == [("what-it-means", "01-what-it-means.md")]


def test_invalid_new_course_shows_field_errors(trainer_client):
    response = trainer_client.post("/author/new", data={"slug": "Bad Slug!", "title": "", "summary": "x",
                                                        "language": "en", "estimated_minutes": "0"})
    assert response.status_code == 200
    assert b"Use lower-case letters, digits and single hyphens." in response.data
    assert b'aria-describedby="audiences-error"' in response.data
    assert b'<p class="error" id="audiences-error">Choose at least one audience.</p>' in response.data


def test_no_audience_tick_box_claims_to_be_required(trainer_client):
    """One of them must be ticked, not each: a `required` on every box told screen reader users otherwise."""
    page = trainer_client.get("/author/new").text
    boxes = re.findall(r'<input[^>]*name="audiences"[^>]*>', page)
    assert len(boxes) > 3 and not [box for box in boxes if "required" in box]
    assert "Judges (judge)" in page and "Everyone (general)" in page  # named as the catalog names them


def test_save_creates_a_revision_and_renders_html(trainer_client, app, course):
    module = module_row(app)
    new_source = module.source.replace("## Practice", "## Practice in pairs")
    response = trainer_client.post("/author/test-course/m/module-1", data={
        "source": new_source, "version": str(module.version), "save": "1"})
    assert response.status_code == 302
    saved = module_row(app)
    assert saved.version == module.version + 1 and saved.edited_in_browser
    assert 'id="practice-in-pairs"' in saved.learner_html
    with app.app_context():
        revision = db.session.scalar(select(ContentRevision).where(ContentRevision.module_id == module.id)
                                     .order_by(ContentRevision.number.desc()))
        assert (revision.number, revision.author_label, revision.summary) == (2, "tomas", "edited")


def test_errors_are_shown_with_line_numbers_and_nothing_is_saved(trainer_client, app, course):
    module = module_row(app)
    broken = module.source.replace("standards: [UDHR-1]", "standards: [NOPE-99]")
    response = trainer_client.post("/author/test-course/m/module-1", data={
        "source": broken, "version": str(module.version), "save": "1"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Not saved: fix these problems" in page and re.search(r'>Line 6</a>: .*NOPE-99', page)
    assert "NOPE-99" in page  # the trainer's text stays in the editor
    assert module_row(app).version == module.version
    # Said in the title, marked on the field, each line a link to the editor; the preview shows the saved version.
    assert "<title>Not saved: Edit Module 1" in page
    assert 'aria-describedby="source-hint problems" aria-invalid="true"' in page
    assert '<a href="#source" data-line="6">Line 6</a>' in page
    assert "Until the problems are fixed, this shows the saved version." in page
    assert 'id="introduction"' in page.split('id="rendered-preview"', 1)[1]


def test_stale_save_is_refused_and_both_versions_are_shown(app, people, course):
    first, second = app.test_client(), app.test_client()
    sign_in(first, people.trainer)
    sign_in(second, people.other_trainer)
    module = module_row(app)
    opened_version = str(module.version)
    first.post("/author/test-course/m/module-1", data={
        "source": module.source + "\nFirst trainer's paragraph.\n", "version": opened_version, "save": "1"})
    response = second.post("/author/test-course/m/module-1", data={
        "source": module.source + "\nSecond trainer's paragraph.\n", "version": opened_version, "save": "1"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Someone else saved this since you opened it" in page
    assert re.search(rf"Saved by {people.trainer.username} on \d{{4}}-\d\d-\d\d \d\d:\d\d UTC\.", page)
    assert "<title>Not saved: Edit Module 1" in page and 'class="conflict" role="alert" tabindex="-1" data-takes-focus' in page
    assert "First trainer&#39;s paragraph." in page and "Second trainer&#39;s paragraph." in page
    assert "First trainer's paragraph." in module_row(app).source
    preview = page[page.index('id="rendered-preview"'):page.index("</section>", page.index('id="rendered-preview"'))]
    assert "<p>Second trainer's paragraph.</p>" in preview and "First trainer" not in preview


def test_preview_does_not_save(trainer_client, app, course):
    module = module_row(app)
    response = trainer_client.post("/author/test-course/m/module-1", data={
        "source": module.source.replace("## Practice", "## Previewed heading"), "version": str(module.version),
        "preview": "1"})
    assert response.status_code == 200 and b'id="previewed-heading"' in response.data
    assert module_row(app).version == module.version


def test_live_preview_endpoint_returns_sanitised_html_and_problems(trainer_client, course):
    response = trainer_client.post("/author/test-course/preview", data={
        "module": "module-1", "source": module_text(1) + "\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n"})
    assert response.status_code == 200
    assert "<script" not in response.json["html"] and "onerror" not in response.json["html"]
    bad = trainer_client.post("/author/test-course/preview", data={"module": "module-1", "source": "no front matter"})
    assert bad.json["problems"] and bad.json["problems"][0]["severity"] == "error"
    assert ">Line 1</a>:" in bad.json["problems_html"] and 'role="alert"' not in bad.json["problems_html"]


@pytest.mark.parametrize("typed_slug", ["", "with-quiz", "Not A Slug"])
def test_live_preview_of_a_new_module_checks_it_as_a_module(trainer_client, course, typed_slug):
    response = trainer_client.post("/author/test-course/preview", data={
        "new_module_slug": typed_slug, "source": module_text(9, title="Typed just now", prefix="new")})
    assert response.json["problems"] == []  # as the course file, it would miss summary, audiences ... and the quiz
    assert '<h2 id="introduction">Introduction</h2>' in response.json["html"]


def test_preview_problems_are_escaped_html(trainer_client, course):
    bad = trainer_client.post("/author/test-course/preview", data={
        "module": "module-1", "source": "---\ntitle: x\n<img src=x onerror=alert(1)>: 1\n---\n"})
    assert bad.json["problems"]
    assert any("<img" in problem["message"] for problem in bad.json["problems"])
    assert "<img" not in bad.json["problems_html"] and "&lt;img" in bad.json["problems_html"]


def test_duplicate_question_id_across_modules_is_refused(trainer_client, app, make):
    make.course(modules=2, quiz_modules=(1, 2))
    module = module_row(app, "module-1")
    clash = module.source.replace("{#m1-single}", "{#m2-single}")
    response = trainer_client.post("/author/test-course/m/module-1", data={
        "source": clash, "version": str(module.version), "save": "1"})
    assert b"question id &#39;m2-single&#39; is already used in 02-module-2.md" in response.data


def test_history_diff_and_restore(trainer_client, app, course):
    module = module_row(app)
    trainer_client.post("/author/test-course/m/module-1", data={
        "source": module.source.replace("Module 1", "Renamed module"), "version": str(module.version), "save": "1"})
    history = trainer_client.get("/author/test-course/m/module-1/history?revision=1").get_data(as_text=True)
    assert "-title: Module 1" in history and "+title: Renamed module" in history
    whole = history.split("The whole text of revision 1", 1)[1].split("</details>", 1)[0]
    assert "title: Module 1" in whole and "Renamed module" not in whole
    assert trainer_client.get("/author/test-course/m/module-1/history?revision=99").status_code == 404
    current = module_row(app)
    response = trainer_client.post("/author/test-course/m/module-1/restore/1", data={"version": str(current.version)})
    assert response.status_code == 302
    restored = module_row(app)
    assert restored.title == "Module 1" and restored.version == current.version + 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContentRevision)
                                 .where(ContentRevision.module_id == module.id)) == 3


def test_publish_and_unpublish_update_course_md(trainer_client, app, course):
    assert trainer_client.post("/author/test-course/publish").status_code == 302
    with app.app_context():
        saved = db.session.scalar(select(Course))
        assert saved.status == "published" and "status: published" in saved.source
    page = trainer_client.get("/author/test-course").text
    assert 'data-confirm="Unpublish this course? Its learners, and the classes it is assigned to, cannot open it' in page
    trainer_client.post("/author/test-course/unpublish")
    with app.app_context():
        assert db.session.scalar(select(Course.status)) == "draft"


def test_image_upload_is_checked_and_stored(trainer_client, app, course):
    from io import BytesIO

    ok = trainer_client.post("/author/test-course/images", data={"image": (BytesIO(PNG), "My Photo.PNG")},
                             content_type="multipart/form-data")
    assert ok.status_code == 302
    html_disguised = trainer_client.post("/author/test-course/images",
                                         data={"image": (BytesIO(b"<html><script>x</script>"), "evil.png")},
                                         content_type="multipart/form-data", follow_redirects=True)
    assert b"Upload a PNG, JPEG, GIF or WebP image." in html_disguised.data
    huge = trainer_client.post("/author/test-course/images",
                               data={"image": (BytesIO(PNG + b"0" * (2 * 1024 * 1024)), "big.png")},
                               content_type="multipart/form-data", follow_redirects=True)
    assert b"at most 2 MB" in huge.data
    with app.app_context():
        assert db.session.scalars(select(CourseAsset.path)).all() == ["images/my-photo.png"]
    served = trainer_client.get("/courses/test-course/assets/images/my-photo.png")
    assert served.data == PNG and served.mimetype == "image/png"
    assert "sandbox" in served.headers["Content-Security-Policy"]


def test_an_image_no_page_shows_can_be_deleted_one_still_shown_cannot(trainer_client, app, course):
    from io import BytesIO

    for name in ("wrong.png", "shown.png", "shown-2.png"):
        trainer_client.post("/author/test-course/images", data={"image": (BytesIO(PNG), name)},
                            content_type="multipart/form-data")
    module = module_row(app)
    trainer_client.post("/author/test-course/m/module-1", data={
        "source": module.source + "\n![A photo](images/shown.png)\n", "version": str(module.version), "save": "1"})
    page = trainer_client.get("/author/test-course").text
    assert 'aria-label="Delete images/wrong.png"' in page and 'data-confirm="Delete images/wrong.png?' in page

    deleted = trainer_client.post("/author/test-course/images/images/wrong.png/delete")
    assert deleted.status_code == 302 and deleted.location.endswith("/author/test-course#images")
    assert "Deleted images/wrong.png." in trainer_client.get("/author/test-course").text
    assert trainer_client.get("/courses/test-course/assets/images/wrong.png").status_code == 404

    refused = trainer_client.post("/author/test-course/images/images/shown.png/delete", follow_redirects=True)
    assert "images/shown.png is shown by “Module 1”. Remove it from their text first" in refused.text
    with app.app_context():  # shown.png stays; shown-2.png is another image, not a use of shown.png
        assert set(db.session.scalars(select(CourseAsset.path))) == {"images/shown.png", "images/shown-2.png"}
    assert trainer_client.post("/author/test-course/images/images/shown-2.png/delete").status_code == 302
    assert trainer_client.post("/author/test-course/images/images/never.png/delete").status_code == 404


def test_an_image_an_archived_module_shows_cannot_be_deleted(trainer_client, app, course):
    from io import BytesIO

    trainer_client.post("/author/test-course/images", data={"image": (BytesIO(PNG), "kept.png")},
                        content_type="multipart/form-data")
    module = module_row(app, "module-2")
    trainer_client.post("/author/test-course/m/module-2", data={
        "source": module.source + "\n![A photo](images/kept.png)\n", "version": str(module.version), "save": "1"})
    trainer_client.post("/author/test-course/m/module-2/archive")
    refused = trainer_client.post("/author/test-course/images/images/kept.png/delete", follow_redirects=True)
    assert "images/kept.png is shown by “Module 2” (archived)." in refused.text


def test_draft_assets_are_hidden_from_learners(app, people, course, trainer_client):
    from io import BytesIO

    trainer_client.post("/author/test-course/images", data={"image": (BytesIO(PNG), "a.png")},
                        content_type="multipart/form-data")
    learner = app.test_client()
    sign_in(learner, people.learner)
    assert learner.get("/courses/test-course/assets/images/a.png").status_code == 404
    assert app.test_client().get("/courses/test-course/assets/../../etc/passwd").status_code == 404


def test_the_editor_links_to_the_course_format_guide_served_by_the_app(trainer_client, course):
    editor = trainer_client.get("/author/test-course/m/module-1").text
    assert 'href="/author/help/course-format" target="_blank" rel="noopener"' in editor
    guide = trainer_client.get("/author/help/course-format").text
    sections = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', guide)
    assert ("coursemd", "course.md") in sections and ("limits-and-errors", "Limits and errors") in sections
    assert 'id="coursemd"' in guide  # the section links land on the guide's headings
    assert "<pre><code>---\ntitle: Policing and human rights" in guide  # examples stay verbatim
    assert "```" not in guide  # every fence became a code block (one indented under a list item did not)


def test_learners_cannot_open_the_course_format_guide(client, people):
    sign_in(client, people.learner)
    assert client.get("/author/help/course-format").status_code == 403


def test_a_course_without_modules_cannot_be_published(trainer_client, app, make):
    make.course(modules=0, status="draft")
    response = trainer_client.post("/author/test-course/publish")
    assert response.status_code == 302 and response.headers["Location"] == "/author/test-course"
    page = trainer_client.get("/author/test-course").text
    assert "Add a module before publishing: a course without modules has nothing for learners to take." in page
    with app.app_context():
        saved = db.session.scalar(select(Course))
        assert saved.status == "draft" and "status: draft" in saved.source
        assert db.session.scalar(select(func.count()).select_from(ContentRevision)) == 1


def test_course_md_cannot_say_published_while_the_course_has_no_modules(trainer_client, app, make):
    course = make.course(modules=0, status="draft")
    response = trainer_client.post("/author/test-course/course", data={
        "source": course.source.replace("status: draft", "status: published"), "version": str(course.version),
        "save": "1"})
    assert response.status_code == 200
    assert "Line 7</a>: a course without modules cannot be published: add a module first" in response.text
    with app.app_context():
        assert db.session.scalar(select(Course.status)) == "draft"


def revision_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ContentRevision))


@pytest.mark.parametrize("path", ["/author/test-course/m/module-1", "/author/test-course/course"])
def test_saving_unchanged_text_says_so_and_writes_no_revision(trainer_client, app, course, path):
    revisions = revision_count(app)
    source = module_row(app).source if "/m/" in path else course.source
    response = trainer_client.post(path, data={"source": source.replace("\n", "\r\n"), "version": "1", "save": "1"})
    assert response.status_code == 302 and response.headers["Location"] == path
    assert "No changes to save." in trainer_client.get(path).text
    assert revision_count(app) == revisions
    with app.app_context():
        assert db.session.scalar(select(Module.version).where(Module.slug == "module-1")) == 1
        assert db.session.scalar(select(Course.version)) == 1
        assert not db.session.scalar(select(Course.edited_in_browser))
        assert not any(db.session.scalars(select(Module.edited_in_browser)))


def test_restoring_a_revision_identical_to_the_current_text_writes_nothing(trainer_client, app, course):
    revisions = revision_count(app)
    response = trainer_client.post("/author/test-course/m/module-1/restore/1", data={"version": "1"},
                                   follow_redirects=True)
    assert "Revision 1 is the same as the current text: nothing to restore." in response.text
    assert revision_count(app) == revisions


def test_uploading_an_image_whose_name_exists_replaces_it_and_says_so(trainer_client, app, course):
    from io import BytesIO

    def upload(data: bytes, name: str) -> str:
        return trainer_client.post("/author/test-course/images", data={"image": (BytesIO(data), name)},
                                   content_type="multipart/form-data", follow_redirects=True).text

    assert "Uploaded. Use it in Markdown as: ![Describe the image](images/corridor.png)" in upload(PNG, "corridor.png")
    newer = PNG + b"a newer picture"
    assert ("Replaced images/corridor.png: every module that shows it now shows the new image."
            in upload(newer, "Corridor.PNG"))
    served = trainer_client.get("/courses/test-course/assets/images/corridor.png")
    assert served.data == newer
    # The browser must ask again before showing a cached copy, or it would show the old picture for a while.
    assert served.headers["Cache-Control"] == "private, no-cache"
    revalidated = trainer_client.get("/courses/test-course/assets/images/corridor.png",
                                     headers={"If-None-Match": served.headers["ETag"]})
    assert revalidated.status_code == 304
    assert ("images/corridor.png was already uploaded with exactly this content: nothing changed."
            in upload(newer, "corridor.png"))
    with app.app_context():
        assert db.session.scalars(select(CourseAsset.path)).all() == ["images/corridor.png"]


NEW_COURSE = {"slug": "fair-trial", "title": "Fair trial", "summary": "Article 14 explained.", "audiences": ["judge"],
              "language": "en", "estimated_minutes": "45"}


def field_errors(page: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="([\w-]+)-error">([^<]*)</p>', page))


def test_a_bad_language_is_reported_under_the_language_field_in_plain_words(trainer_client, app):
    response = trainer_client.post("/author/new", data={**NEW_COURSE, "language": "english"})
    assert response.status_code == 200
    assert field_errors(response.text) == {"language": "Use a language tag such as en, fr or es-419."}
    assert "BCP 47 tag like" not in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Course)) == 0


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"slug": "Fair Trial"}, "slug", "Use lower-case letters, digits and single hyphens."),
    ({"title": "  "}, "title", "This field is required."),
    ({"summary": ""}, "summary", "This field is required."),
    ({"language": "en\nstatus: published"}, "language", "Use a language tag such as en, fr or es-419."),
    ({"estimated_minutes": "0"}, "estimated_minutes", "Enter a whole number of minutes, at least 1 and at most 10000."),
    ({"estimated_minutes": "an hour"}, "estimated_minutes",
     "Enter a whole number of minutes, at least 1 and at most 10000."),
    ({"estimated_minutes": "10001"}, "estimated_minutes",
     "Enter a whole number of minutes, at least 1 and at most 10000."),
    ({"estimated_minutes": ""}, "estimated_minutes", "This field is required."),
])
def test_each_new_course_error_is_shown_under_its_own_field(trainer_client, changes, field, message):
    response = trainer_client.post("/author/new", data={**NEW_COURSE, **changes})
    assert response.status_code == 200
    assert field_errors(response.text) == {field: message}


def test_a_new_course_needs_an_audience(trainer_client):
    data = {key: value for key, value in NEW_COURSE.items() if key != "audiences"}
    page = trainer_client.post("/author/new", data=data).text
    assert field_errors(page) == {"audiences": "Choose at least one audience."}


def test_a_taken_address_is_reported_under_the_address(trainer_client, course):
    page = trainer_client.post("/author/new", data={**NEW_COURSE, "slug": "test-course"}).text
    assert field_errors(page) == {"slug": "A course with this address already exists."}


def test_pasted_spaces_line_breaks_and_control_characters_are_tidied(trainer_client, app):
    response = trainer_client.post("/author/new", data={**NEW_COURSE, "title": "Fair\x0btrial\r\nbasics",
                                                        "summary": "Article\x1b 14", "slug": " fair-trial ",
                                                        "language": "es-419 "})
    assert response.status_code == 302 and response.headers["Location"] == "/author/fair-trial"
    with app.app_context():
        created = db.session.scalar(select(Course))
        assert (created.title, created.summary) == ("Fair trial basics", "Article 14")


def test_the_course_service_names_the_field_it_refuses(app, people):
    from app.auth.models import User
    from app.authoring import services

    with app.app_context():
        author = db.session.get(User, people.trainer.id)

        def refused(**changes) -> tuple[str, str]:
            values = {"slug": "fair-trial", "title": "Fair trial", "summary": "Article 14.", "audiences": ["judge"],
                      "language": "en", "estimated_minutes": 45, **changes}
            with pytest.raises(services.FieldRefused) as caught:
                services.create_course(db.session, author=author, **values)
            return caught.value.field, caught.value.message

        assert refused(language="english") == ("language", "Use a language tag such as en, fr or es-419.")
        assert refused(audiences=["judge]\nstatus: published"])[0] == "audiences"
        assert refused(estimated_minutes=0)[0] == "estimated_minutes"
        assert refused(title="Fair\x1btrial") == (
            "title", "This cannot be saved as written: invalid YAML in front matter: character #x001b is not allowed")
        assert refused(summary="Article\x1b 14")[0] == "summary"


def test_a_new_course_leaves_the_introduction_to_its_trainer(app, people):
    """The summary shows above the introduction: repeating it as the introduction showed it twice."""
    from app.auth.models import User
    from app.authoring import services

    with app.app_context():
        course = services.create_course(db.session, author=db.session.get(User, people.trainer.id), slug="fair-trial",
                                        title="Fair trial", summary=":::tip is only text here", audiences=["judge"],
                                        language="en", estimated_minutes=45)
        assert course.summary == ":::tip is only text here" and course.intro_html == ""
        assert course.source.endswith("standards: []\n---\n")


def test_a_course_without_modules_says_so_in_a_paragraph_not_a_numbered_item(trainer_client, make):
    make.course(modules=0, status="draft")
    page = trainer_client.get("/author/test-course").text
    assert "<p>No modules yet.</p>" in page and '<ol class="module-list">' not in page


def test_only_a_course_that_came_from_files_says_it_was_edited_in_the_browser_since_the_sync(trainer_client, course):
    trainer_client.post("/author/new", data=NEW_COURSE)
    assert "since the last sync" not in trainer_client.get("/author/fair-trial").text
    assert "since the last sync" not in trainer_client.get("/author/test-course").text
    trainer_client.post("/author/test-course/course", data={
        "source": course.source.replace("An introduction", "A new introduction"), "version": "1", "save": "1"})
    assert "edited in the browser since the last sync" in trainer_client.get("/author/test-course").text


def test_a_folder_synced_onto_a_course_made_in_the_browser_is_a_conflict(trainer_client, app, tmp_path):
    """Why a course made in the browser keeps edited_in_browser although it was never synced."""
    from tests.catalog.test_sync import run_sync
    from tests.course_builder import write_course

    trainer_client.post("/author/new", data=NEW_COURSE)
    write_course(tmp_path, "fair-trial", title="Written in a folder")
    ok, output = run_sync(app, tmp_path)
    assert not ok and "fair-trial: conflict" in output
    with app.app_context():
        assert db.session.scalar(select(Course.title).where(Course.slug == "fair-trial")) == "Fair trial"


def test_an_image_over_the_servers_limit_leads_back_to_the_course_page_with_the_size_message(trainer_client, app,
                                                                                              course):
    from io import BytesIO

    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    too_big = PNG + b"0" * app.config["MAX_CONTENT_LENGTH"]
    # Encoded in memory: the test client would spool a body this large to a temporary file it never closes.
    boundary, body = encode_multipart({"image": FileStorage(BytesIO(too_big), filename="huge.png", name="image")})
    assert len(body) > app.config["MAX_CONTENT_LENGTH"] == 8 * 1024 * 1024
    response = trainer_client.post("/author/test-course/images", data=body,
                                   content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302 and response.headers["Location"] == "/author/test-course"
    assert "Images can be at most 2 MB." in trainer_client.get("/author/test-course").text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CourseAsset)) == 0


def test_any_other_post_over_the_limit_gets_the_413_page_with_a_way_back(trainer_client, app):
    response = trainer_client.post("/author/new", data={**NEW_COURSE, "summary": "x" * app.config["MAX_CONTENT_LENGTH"]})
    assert response.status_code == 413 and "File too large" in response.text
    assert '<a href="/author/new" data-go-back>Go back</a>' in response.text
    assert '<script src="/static/js/site.js" defer></script>' in response.text
    not_found = trainer_client.get("/author/no-such-course")
    assert not_found.status_code == 404 and "Go back" not in not_found.text


def quiz_preview_options(html: str) -> dict[str, bool]:
    """Each option of the preview's quiz (its text without badge or feedback) -> marked correct."""
    section = html[html.index('<section class="quiz-preview"'):]
    options = {}
    for marked, item in re.findall(r'<li( class="is-correct")?>(.*?)</li>', section, re.S):
        text = re.sub(r'<span class="badge badge-ok"><span aria-hidden="true">✓</span> correct</span>|'
                      r'<div class="option-feedback">.*?</div>', "", item, flags=re.S)
        options[" ".join(re.sub(r"<[^>]+>", " ", text).split())] = bool(marked)
    return options


def test_the_editor_preview_shows_the_quiz_with_the_correct_answers_marked(trainer_client, course):
    page = trainer_client.get("/author/test-course/m/module-2").text  # the course's quiz is in its last module
    preview = page[page.index('id="rendered-preview"'):]
    options = quiz_preview_options(preview)
    assert options["Article 15"] is True and options["Article 3"] is False and options["Article 10"] is False
    assert options["A public hearing"] and options["The presumption of innocence"]
    assert not options["A jury trial in every case"] and options["False"] and not options["True"]
    assert '<span class="badge badge-ok"><span aria-hidden="true">✓</span> correct</span>' in preview
    assert "<p>Right: the exclusionary rule.</p>" in preview  # an option's feedback
    assert "<p>CAT Article 15 is the exclusionary rule.</p>" in preview  # the explanation
    assert "Accepted answers: <strong>26, Article 26</strong>" in preview
    assert "Scenario: The confession" in preview and "Multiple choice: all that apply · #m2-multiple" in preview
    assert "Pass mark: 70%" in preview and "Attempts allowed: 3" in preview
    assert "quiz-preview" not in trainer_client.get("/author/test-course/m/module-1").text  # no quiz, no section


def test_the_preview_marks_the_answers_of_the_text_being_edited(trainer_client, app, course):
    edited = module_row(app, "module-2").source.replace("- [ ] Article 10", "- [x] Article 10") \
        .replace("- [x] Article 15", "- [ ] Article 15")
    live = trainer_client.post("/author/test-course/preview", data={"module": "module-2", "source": edited}).json
    assert live["problems"] == []
    options = quiz_preview_options(live["html"])
    assert options["Article 10"] is True and options["Article 15"] is False
    posted = trainer_client.post("/author/test-course/m/module-2", data={
        "source": edited, "version": "1", "preview": "1"}).text
    assert quiz_preview_options(posted[posted.index('id="rendered-preview"'):])["Article 10"] is True
    new_module = trainer_client.post("/author/test-course/preview", data={
        "new_module_slug": "", "source": module_text(9, prefix="new")}).json
    assert quiz_preview_options(new_module["html"])["Article 15"] is True


def test_learners_never_get_the_authors_quiz_preview(app, people, make):
    make.course(modules=1, status="published")
    learner = app.test_client()
    sign_in(learner, people.learner)
    assert learner.get("/author/test-course/m/module-1").status_code == 403
    assert learner.post("/author/test-course/preview", data={"module": "module-1", "source": "x"}).status_code == 403


def test_the_quiz_preview_is_sanitised_and_escaped(trainer_client, course):
    payload = "<b onmouseover=alert(1)>bold</b><script>alert(2)</script>"
    quiz = (f":::quiz\n\n## Case {payload} {{#case}}\nThe case {payload}.\n\n### Pick {payload} {{#pick}}\n"
            f"- [x] Right {payload}\n  > Feedback {payload}\n- [ ] Wrong\nExplanation: Because {payload}\n\n"
            f"### Type it {{#typed}}\nAccept: {payload}\nExplanation: Typed.\n:::\n")
    response = trainer_client.post("/author/test-course/preview", data={
        "module": "module-1", "source": module_text(1, with_quiz=False) + "\n" + quiz})
    assert [p for p in response.json["problems"] if p["severity"] == "error"] == []
    html = response.json["html"]
    assert 'class="quiz-preview"' in html and "<b>bold</b>" in html
    assert "<script" not in html and "onmouseover" not in html.replace("onmouseover=alert(1)&gt;", "")
    assert "Accepted answers: <strong>&lt;b onmouseover=alert(1)&gt;bold&lt;/b&gt;&lt;script&gt;" in html


def test_renaming_a_question_learners_answered_warns_before_saving(trainer_client, app, make, people):
    course = make.course("answered-course", modules=1, quiz_modules=(1,), status="published")
    module = course.modules[0]
    make.submitted_attempt(people.learner, module, {"m1-single": "b"})
    renamed = module_row(app).source.replace("{#m1-single}", "{#m1-single-renamed}")
    preview = trainer_client.post("/author/answered-course/preview", data={"module": "module-1", "source": renamed})
    warnings = [problem["message"] for problem in preview.json["problems"]]
    assert any("question 'm1-single' has answers from 1 learner and" in message for message in warnings), warnings
    # The warning points at the renamed question's heading, not at the quiz's opening line.
    renamed_line = 1 + next(number for number, line in enumerate(renamed.splitlines()) if "{#m1-single-renamed}" in line)
    assert [problem["line"] for problem in preview.json["problems"]] == [renamed_line]
    untouched = trainer_client.post("/author/answered-course/preview",
                                    data={"module": "module-1", "source": module_row(app).source})
    assert untouched.json["problems"] == []
    saved = trainer_client.post("/author/answered-course/m/module-1", data={
        "source": renamed, "version": str(module_row(app).version), "save": "1"}, follow_redirects=True)
    assert "Saved." in saved.text  # a warning, not a refusal: the trainer may mean it
    assert "question &#39;m1-single&#39; has answers from 1 learner" in saved.text  # said again once saved


def test_changing_a_quiz_that_learners_are_taking_says_they_finish_the_version_they_started(app, people, make):
    course = make.course(modules=1, quiz_modules=(1,))
    learner = app.test_client()
    sign_in(learner, people.learner)
    assert learner.post(f"/courses/{course.slug}/m/module-1/quiz/attempts").status_code == 302
    trainer = app.test_client()
    sign_in(trainer, people.trainer)
    module = module_row(app)
    body_only = module.source.replace("## Practice", "## Practice in pairs")
    saved = trainer.post("/author/test-course/m/module-1", data={
        "source": body_only, "version": str(module.version), "save": "1"}, follow_redirects=True).text
    assert "Saved." in saved and "taking this quiz" not in saved  # the quiz did not change

    module = module_row(app)
    reworded = module.source.replace("Which article excludes", "Which article of CAT excludes")
    assert reworded != module.source
    saved = trainer.post("/author/test-course/m/module-1", data={
        "source": reworded, "version": str(module.version), "save": "1"}, follow_redirects=True).text
    assert "1 learner is taking this quiz: they finish the version they started" in saved
