import re
from html import unescape

from sqlalchemy import select

from app.catalog.models import Course, CourseStatus, StandardEntry
from app.extensions import db
from app.learning.models import Enrolment, ModuleProgress
from tests.conftest import main_of, sign_in, translated


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def client_for(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def card_titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/courses/[^"]+" lang="[^"]+" dir="[a-z]+">([^<]+)</a></h2>', html)


class TestCatalog:
    def test_learners_see_published_courses_only(self, client, people, course_builder):
        course_builder(slug="open-course", title="Open course")
        course_builder(slug="draft-course", title="Draft course", status="draft")
        sign_in(client, people.learner)
        html = text_of(client.get("/courses"))
        assert card_titles(html) == ["Open course"] and "Draft" not in html
        assert client.get("/courses/draft-course").status_code == 404

    def test_trainers_see_drafts_marked_as_such(self, client, people, course_builder):
        course_builder(slug="draft-course", title="Draft course", status="draft")
        sign_in(client, people.trainer)
        html = text_of(client.get("/courses"))
        assert card_titles(html) == ["Draft course"] and "Draft: learners cannot see it" in html

    def test_filters_by_audience_and_language_without_javascript(self, client, course_builder):
        course_builder(slug="police-en", title="Police EN", audiences=("police",))
        course_builder(slug="judges-fr", title="Judges FR", audiences=("judge",), language="fr")
        course_builder(slug="judges-en", title="Judges EN", audiences=("judge", "prosecutor"))
        assert card_titles(text_of(client.get("/courses?audience=judge"))) == ["Judges EN", "Judges FR"]
        assert card_titles(text_of(client.get("/courses?audience=judge&language=fr"))) == ["Judges FR"]
        html = text_of(client.get("/courses?language=fr"))
        assert '<option selected value="fr">Français</option>' in html
        assert card_titles(text_of(client.get("/courses?audience=judge&language=de"))) == ["Judges EN", "Judges FR"]

    def test_a_filter_no_course_could_match_is_dropped_not_shown_as_all(self, client, course_builder):
        # The filter box can only show offered values: an unknown one must not filter under "All languages".
        course_builder(slug="police-en", title="Police EN", audiences=("police",))
        html = text_of(client.get("/courses?audience=nobody&language=xx"))
        assert card_titles(html) == ["Police EN"]
        assert '<option selected value="">All audiences</option>' in html
        assert '<option selected value="">All languages</option>' in html

    def test_the_learners_own_audience_comes_first(self, client, make, course_builder):
        course_builder(slug="a-police", title="A for police", audiences=("police",))
        course_builder(slug="z-judges", title="Z for judges", audiences=("judge",))
        sign_in(client, make.user(username="judge.jo", audience="judge"))
        assert card_titles(text_of(client.get("/courses"))) == ["Z for judges", "A for police"]

    def test_a_course_for_everyone_is_under_every_audience_after_the_chosen_one(self, client, make,
                                                                                  course_builder):
        course_builder(slug="a-everyone", title="A for everyone", audiences=("general",))
        course_builder(slug="b-police", title="B for police", audiences=("police",))
        course_builder(slug="c-judges", title="C for judges", audiences=("judge",))
        assert card_titles(text_of(client.get("/courses?audience=police"))) == ["B for police", "A for everyone"]
        assert card_titles(text_of(client.get("/courses?audience=general"))) == ["A for everyone"]
        sign_in(client, make.user(username="officer", audience="police"))
        assert card_titles(text_of(client.get("/courses"))) == ["B for police", "A for everyone", "C for judges"]
        # Looking at the judges' courses, the officer sees those first, then the ones for everyone.
        assert card_titles(text_of(client.get("/courses?audience=judge"))) == ["C for judges", "A for everyone"]

    def test_then_courses_in_the_learners_language(self, client, make, course_builder):
        course_builder(slug="a-en", title="A in English", audiences=("judge",))
        course_builder(slug="b-fr", title="B en français", audiences=("judge",), language="fr")
        course_builder(slug="c-fr", title="C for police, in French", audiences=("police",), language="fr")
        sign_in(client, make.user(username="juge", audience="judge", language="fr"))
        assert card_titles(text_of(client.get("/courses"))) == ["B en français", "A in English",
                                                                "C for police, in French"]
        account = client.get("/account").text  # in French now: the preferred language is the interface's too
        assert '<html lang="fr"' in account
        assert translated("fr", "Courses in this language come first in the catalog, and the site's pages use it "
                                "where a translation exists.") in unescape(account)

    def test_cards_show_audience_language_time_and_progress_when_enrolled(self, client, people, course_builder):
        course_builder(modules=4)
        sign_in(client, people.learner)
        html = text_of(client.get("/courses"))
        assert "Police" in html and "English" in html and "2 h" in html and "<progress" not in html
        client.post("/courses/torture-prevention/m/m1/complete")
        assert "1 of 4 modules completed (25%)" in text_of(client.get("/courses"))


class TestEnrolment:
    def test_self_enrolment_is_a_post_and_idempotent(self, app, client, people, course_builder):
        course_builder()
        sign_in(client, people.learner)
        before = text_of(client.get("/courses/torture-prevention"))
        # Not begun: one way in, no progress bar at 0% pretending to be enrolled.
        assert "Start the course" in before and "You have not started this course yet." in before
        assert "modules completed" not in before.split('id="where-you-are"', 1)[1].split("</section>", 1)[0]
        for _ in range(2):
            assert client.post("/courses/torture-prevention/enrol").status_code == 302
        after = text_of(client.get("/courses/torture-prevention"))
        assert "Start the course" not in after
        assert "modules completed (0%)" in after and "Start: " in after
        started = client.post("/courses/torture-prevention/enrol?start=1")
        assert started.headers["Location"] == "/courses/torture-prevention/m/m1"  # on to the first module
        with app.app_context():
            assert [e.source for e in db.session.scalars(select(Enrolment))] == ["self"]

    def test_drafts_cannot_be_joined(self, app, people, course_builder):
        course_builder(status="draft")
        assert client_for(app, people.learner).post("/courses/torture-prevention/enrol").status_code == 404
        assert client_for(app, people.trainer).post("/courses/torture-prevention/enrol").status_code == 400


class TestCoursePage:
    def test_statuses_best_scores_progress_and_resume(self, app, client, people, course_builder):
        from app.auth.models import User
        from app.catalog.models import Module
        from app.learning import services

        course_builder(modules=3, quiz_modules=(2,), archived=())
        sign_in(client, people.learner)
        client.post("/courses/torture-prevention/m/m1/complete")
        with app.app_context():
            module = db.session.scalars(select(Module).where(Module.slug == "m2")).one()
            services.record_quiz_result(db.session, db.session.get(User, people.learner.id), module, 55.0, False)
            db.session.commit()
        html = text_of(client.get("/courses/torture-prevention"))
        assert re.search(r"Module 1</a>\s*<span class=\"meta\">\s*<span class=\"status status-completed\">", html)
        assert "In progress" in html and "Not started" in html and "best score 55%" in html
        assert "1 of 3 modules completed (33%)" in html and 'value="33"' in html
        assert 'href="/courses/torture-prevention/m/m2">\n              Resume: Module 2' in html
        assert 'href="/standards#CAT"' in html
        # The modules come before the (possibly long) list of standards: on a phone they are what one looks for.
        assert html.index("<h2>Modules</h2>") < html.index("<h2>Standards cited</h2>")

    def test_archived_modules_are_not_listed(self, client, course_builder):
        course_builder(modules=3, archived=(2,))
        html = text_of(client.get("/courses/torture-prevention"))
        assert "Module 1" in html and "Module 3" in html and "Module 2" not in html
        assert client.get("/courses/torture-prevention/m/m2").status_code in (302, 404)

    def test_anonymous_visitors_are_invited_to_sign_in(self, client, course_builder):
        course_builder()
        html = text_of(client.get("/courses/torture-prevention"))
        assert "to take this course" in html and "Enrol" not in html


class TestModulePage:
    def test_learners_never_get_facilitator_notes_trainers_do(self, app, make, people):
        make.course("notes-course", modules=2, quiz_modules=())
        learner_html = text_of(client_for(app, people.learner).get("/courses/notes-course/m/module-1"))
        assert "Human dignity is the foundation" in learner_html
        assert "SECRET FACILITATOR NOTE" not in learner_html
        trainer_html = text_of(client_for(app, people.trainer).get("/courses/notes-course/m/module-1"))
        assert "SECRET FACILITATOR NOTE" in trainer_html

    def test_the_status_panel_says_in_progress_from_the_first_visit(self, app, client, people, course_builder):
        course_builder(modules=2, quiz_modules=())
        sign_in(client, people.learner)
        first = text_of(client.get("/courses/torture-prevention/m/m1"))
        assert "status-in-progress" in first and "Not started" not in first
        assert "status-in-progress" in text_of(client.get("/courses/torture-prevention/m/m1"))
        client.post("/courses/torture-prevention/m/m1/complete")
        assert "status-completed" in text_of(client.get("/courses/torture-prevention/m/m1"))

    def test_a_draft_previewed_by_its_trainer_is_not_started(self, app, people, course_builder):
        course_builder(status="draft", modules=1, quiz_modules=())
        html = text_of(client_for(app, people.trainer).get("/courses/torture-prevention/m/m1"))
        assert "status-not-started" in html and "Mark as complete" not in html

    def test_toc_previous_next_and_mark_as_complete(self, client, people, course_builder):
        course_builder(modules=3, quiz_modules=(3,))
        sign_in(client, people.learner)
        html = text_of(client.get("/courses/torture-prevention/m/m2"))
        assert '<a href="#part-2">Part 2</a>' in html and "Module 2 of 3" in html
        assert 'rel="prev" href="/courses/torture-prevention/m/m1"' in html
        assert 'rel="next" href="/courses/torture-prevention/m/m3"' in html
        assert 'action="/courses/torture-prevention/m/m2/complete"' in html
        response = client.post("/courses/torture-prevention/m/m2/complete")
        assert response.location.endswith("/courses/torture-prevention/m/m1")  # the first unfinished module
        html = text_of(client.get("/courses/torture-prevention/m/m2"))
        assert "status-completed" in html and 'action="/courses/torture-prevention/m/m2/complete"' not in html

    def test_neighbours_and_position_skip_archived_modules_and_other_courses(self, client, people, make,
                                                                             course_builder):
        course_builder(modules=4, archived=(2,))
        make.course("other-course", modules=5, quiz_modules=())
        sign_in(client, people.learner)
        html = text_of(client.get("/courses/torture-prevention/m/m3"))
        assert "Module 2 of 3" in html
        assert 'rel="prev" href="/courses/torture-prevention/m/m1"' in html
        assert 'rel="next" href="/courses/torture-prevention/m/m4"' in html
        last = text_of(client.get("/courses/torture-prevention/m/m4"))
        assert "Module 3 of 3" in last and 'rel="next"' not in last
        assert client.get("/courses/torture-prevention/m/module-5").status_code == 404

    def test_a_module_with_a_quiz_links_to_it_and_cannot_be_marked_complete(self, app, client, people,
                                                                          course_builder):
        course_builder(modules=1, quiz_modules=(1,))
        sign_in(client, people.learner)
        html = text_of(client.get("/courses/torture-prevention/m/m1"))
        assert 'href="/courses/torture-prevention/m/m1/quiz"' in html and "Mark as complete" not in html
        assert client.post("/courses/torture-prevention/m/m1/complete").status_code == 302
        with app.app_context():
            assert db.session.scalar(select(ModuleProgress.completed_at)) is None

    def test_first_opened_and_last_seen_are_recorded_and_the_visit_enrols(self, app, client, people,
                                                                         course_builder):
        course_builder()
        sign_in(client, people.learner)
        text_of(client.get("/courses/torture-prevention/m/m1"))
        text_of(client.get("/courses/torture-prevention/m/m1"))
        with app.app_context():
            progress = db.session.scalars(select(ModuleProgress)).one()
            assert progress.first_opened_at == progress.last_seen_at and progress.completed_at is None
            assert db.session.scalars(select(Enrolment)).one().source == "self"

    def test_unpublished_courses_are_404_for_learners_and_not_tracked_for_trainers(self, app, people,
                                                                                  course_builder):
        course_builder(status="draft")
        learner = client_for(app, people.learner)
        assert learner.get("/courses/torture-prevention/m/m1").status_code == 404
        assert learner.post("/courses/torture-prevention/m/m1/complete").status_code == 404
        trainer = client_for(app, people.trainer)
        assert "Mark as complete" not in text_of(trainer.get("/courses/torture-prevention/m/m1"))
        with app.app_context():
            assert db.session.scalars(select(ModuleProgress)).all() == []

    def test_reading_a_module_needs_an_account(self, client, course_builder):
        course_builder()
        assert client.get("/courses/torture-prevention/m/m1").status_code == 302
        assert client.get("/courses/torture-prevention/m/nope").status_code == 302


class TestCourseLanguage:
    """A course's words are marked with its language, for screen readers and hyphenation; the site's own words keep
    the interface's. A module's objectives are shown on its page."""

    def test_module_course_and_quiz_pages_mark_the_courses_language(self, client, make, people):
        make.course("cours", language="fr-CA", modules=2, quiz_modules=(2,))
        sign_in(client, people.learner)
        module = text_of(client.get("/courses/cours/m/module-1"))
        assert '<h1 lang="fr-CA" dir="ltr">Module 1</h1>' in module
        assert '<div lang="fr-CA" dir="ltr"><h2 id="introduction">' in module
        objectives = module.split('<section class="objectives"', 1)[1].split("</section>", 1)[0]
        assert "What you will learn" in objectives and '<ul lang="fr-CA" dir="ltr"><li>Explain the standard.</li></ul>' in objectives
        course = text_of(client.get("/courses/cours"))
        assert '<h1 lang="fr-CA" dir="ltr">Test course</h1>' in course and "Français (Canada)" in course
        client.post("/courses/cours/m/module-2/quiz/attempts")
        quiz = text_of(client.get("/courses/cours/m/module-2/quiz"))
        assert 'class="question-prompt" id="prompt-m2-single" lang="fr-CA" dir="ltr"' in quiz
        assert '<ul class="quiz-options" lang="fr-CA" dir="ltr">' in quiz
        assert '<html lang="en"' in quiz  # the interface stays English
        assert '<h1>Quiz: <span lang="fr-CA" dir="ltr">Module 2</span></h1>' in quiz
        assert 'href="/courses/cours" lang="fr-CA" dir="ltr">Test course</a> ›' in module
        submit = re.search(r'action="(/courses/cours/m/module-2/quiz/attempts/[^"]+/submit)"', quiz).group(1)
        result = text_of(client.get(client.post(submit, data={"q-m2-single": "b"}).location))
        assert '<div class="explanation" lang="fr-CA" dir="ltr">' in result and '<ul class="chosen-options" lang="fr-CA" dir="ltr">' in result


    def test_a_course_keeps_its_own_direction_whatever_the_interface_s(self, app, client, make, people):
        make.course("dars", language="ar", modules=1, quiz_modules=())
        sign_in(client, people.learner)
        assert '<h1 lang="ar" dir="rtl">Test course</h1>' in text_of(client.get("/courses/dars"))
        with app.app_context():
            from app.auth.models import User

            db.session.get(User, people.learner.id).language = "ar"
            db.session.commit()
        assert '<html lang="ar" dir="rtl">' in client.get("/courses/dars").text
        make.course("english", modules=1, quiz_modules=())
        assert '<h1 lang="en" dir="ltr">Test course</h1>' in client.get("/courses/english").text

class TestDashboard:
    def test_in_progress_completed_scores_certificates_and_picture(self, client, people, course_builder):
        course_builder(slug="short-course", title="Short course", modules=1)
        course_builder(slug="long-course", title="Long course", modules=2)
        sign_in(client, people.learner)
        client.post("/courses/short-course/m/m1/complete")
        client.post("/courses/long-course/m/m1/complete")
        html = text_of(client.get("/learning"))
        in_progress, completed = html.split('id="completed-title"')
        assert "Long course" in in_progress and "1 of 2 modules completed (50%)" in in_progress
        assert "Short course" in completed and "Certificate for Short course" in completed
        assert '<svg role="img" aria-labelledby="progress-picture-title progress-picture-desc"' in html
        assert "Long course: 50%. Short course: 100%." in html
        assert 'width="130.0"' in html  # the 50% bar

    def test_a_course_enrolled_but_never_opened_offers_start_not_resume(self, client, people, course_builder):
        course_builder(slug="new-course", title="New course", modules=2)
        sign_in(client, people.learner)
        client.post("/courses/new-course/enrol")
        html = text_of(client.get("/learning"))
        assert 'Start: <span lang="en" dir="ltr">Module 1</span>' in html and "Resume:" not in html

    def test_a_course_taken_off_the_catalogue_stays_listed_without_dead_links(self, app, client, people,
                                                                               course_builder):
        course_builder(slug="long-course", title="Long course", modules=2)
        sign_in(client, people.learner)
        client.post("/courses/long-course/m/m1/complete")
        with app.app_context():
            course = db.session.scalar(select(Course).where(Course.slug == "long-course"))
            course.status = CourseStatus.DRAFT  # the trainer unpublished it
            db.session.commit()
        html = text_of(client.get("/learning"))
        assert "Long course" in html and "no longer offered; your progress and scores are kept" in html
        assert "1 of 2 modules completed (50%)" in html
        assert 'href="/courses/long-course' not in html and "Resume:" not in html
        gone = client.get("/courses/long-course")
        assert gone.status_code == 404 and "This course is not, or no longer, on offer" in gone.text
        unknown = client.get("/courses/no-such-course").text
        assert main_of(unknown) == main_of(gone.text)  # unpublished and unknown read the same


    def test_an_empty_dashboard_points_to_the_catalog(self, client, people):
        sign_in(client, people.learner)
        html = text_of(client.get("/learning"))
        assert "Find a course" in html and "<svg" not in html


class TestStandards:
    def test_instruments_articles_teaching_modules_and_coverage(self, client, people, course_builder):
        course_builder(modules=2)
        course_builder(slug="hidden-draft", status="draft", modules=1)
        html = text_of(client.get("/standards"))
        assert 'id="CAT"' in html and 'id="CAT-2"' in html and 'id="ICCPR-7"' in html
        assert 'href="/courses/torture-prevention/m/m1"' in html and "hidden-draft" not in html
        assert "covered" not in html
        sign_in(client, people.learner)
        client.post("/courses/torture-prevention/m/m1/complete")
        html = text_of(client.get("/standards"))
        covered = re.search(r'<li id="CAT-2" class="covered">', html)
        assert covered and '<li id="ICCPR-7" class="">' in html
        assert "You have covered 1 of the 2 standards taught here" in html
        assert '<a href="#CAT">Convention against Torture</a>' in html  # the jump list
        # ... and back to it from each instrument: on a phone the page runs to dozens of screens.
        assert html.count('<a href="#instruments-title">Back to the list of instruments</a>') == html.count(
            '<section class="standard-instrument"')

    def test_articles_are_named_by_their_instruments_unit(self, app, client, course_builder):
        course_builder(modules=1)
        with app.app_context():
            db.session.add_all([
                StandardEntry(code="BPUFF", instrument="BPUFF", article=None, title="Basic Principles",
                              instrument_title="Basic Principles", unit="principle", position=10),
                StandardEntry(code="BPUFF-9", instrument="BPUFF", article="9", title="Firearms",
                              instrument_title="Basic Principles", unit="principle", position=11),
                StandardEntry(code="NMR", instrument="NMR", article=None, title="Nelson Mandela Rules",
                              instrument_title="Nelson Mandela Rules", unit="rule", position=12),
                StandardEntry(code="NMR-43", instrument="NMR", article="43", title="No torture",
                              instrument_title="Nelson Mandela Rules", unit="rule", position=13),
            ])
            db.session.commit()
        html = text_of(client.get("/standards"))
        # Taught by no module: named briefly after the taught ones, still a link target.
        assert '<span id="BPUFF-9" title="Firearms">Principle 9</span>' in html
        assert '<span id="NMR-43" title="No torture">Rule 43</span>' in html
        assert re.search(r'<li id="CAT-2" class=""><strong>Article 2</strong> — Absolute prohibition', html)
        assert "Article 9" not in html and "Article 43" not in html
