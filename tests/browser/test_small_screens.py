"""Usable at 320 px wide (a small phone): no page scrolls sideways. Wide content (the progress grid, tables) scrolls
inside its own box instead, so the page around it still fits."""

import pytest
from playwright.sync_api import expect

from app.auth.models import User
from app.catalog.models import Module
from app.classrooms.live import start_live_session
from app.classrooms.models import Classroom
from app.extensions import db

NARROW = {"width": 320, "height": 640}

LEARNER_PAGES = ["/", "/courses", "/courses/test-course", "/courses/test-course/m/module-1",
                 "/courses/test-course/m/module-2/quiz", "/learning", "/standards", "/account", "/join"]
TRAINER_PAGES = ["/classes", "/classes/{id}", "/classes/{id}/report", "/classes/{id}/live/{live}", "/author/",
                 "/author/test-course", "/author/test-course/m/module-1", "/author/help/course-format"]


@pytest.fixture
def site(app, make, people):
    """A class (named in one long word, as teachers sometimes do: it must wrap, not widen every class page) with
    an assignment and a live session."""
    course = make.course(modules=2, quiz_modules=(2,))
    classroom = make.classroom(people.trainer, name="Menschenrechtsbildungsklassefortgeschrittene5B",
                               members=[people.learner])
    make.assignment(classroom, course)
    with app.app_context():
        live = start_live_session(db.session, db.session.get(User, people.trainer.id),
                                  db.session.get(Classroom, classroom.id), db.session.get(Module, course.modules[1].id))
        db.session.commit()
        return {"id": classroom.id, "live": live.id}


def gap_under_header(page) -> float:
    """Pixels between the header's bottom and the first visible thing in <main>."""
    return page.evaluate("""() => {
        const header = document.querySelector("header.site-header").getBoundingClientRect().bottom;
        const first = [...document.querySelectorAll("main *")].find(element => element.getClientRects().length);
        return first.getBoundingClientRect().top - header;
    }""")


def menu_targets(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll(".nav-list a, .nav-list button")].map(
        element => ({text: element.textContent.trim(), height: element.getBoundingClientRect().height}))""")


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("who, language, paths", [
    ("anonymous", "en", ["/", "/courses", "/signin", "/signup", "/privacy"]),
    ("learner", "en", LEARNER_PAGES), ("trainer", "en", TRAINER_PAGES),
    # Longer words than English, and right to left: the same pages in the other interface languages.
    ("learner", "fr", LEARNER_PAGES), ("learner", "ar", LEARNER_PAGES), ("trainer", "es", TRAINER_PAGES),
    ("trainer", "ar", TRAINER_PAGES)])
def test_no_page_scrolls_sideways_at_320_px(app, browser, live_server, browser_login, axe_violations, people, site,
                                            who, language, paths):
    if who != "anonymous":
        with app.app_context():
            db.session.get(User, getattr(people, who).id).language = language
            db.session.commit()
    context = browser.new_context(base_url=live_server.url, viewport=NARROW, bypass_csp=True)
    page = context.new_page()
    try:
        if who != "anonymous":
            browser_login(page, getattr(people, who))
        wide, gaps, taps, inaccessible = {}, {}, {}, {}
        for path in paths:
            response = page.goto(path.format(**site))
            assert response.status == 200, path
            assert page.locator("html").get_attribute("lang") == language, path
            if overflow(page) > 0:
                wide[path] = overflow(page)
            gaps[path] = gap_under_header(page)
            taps.update({f"{path} {box['text']}": box["height"] for box in menu_targets(page) if 0 < box["height"] < 24})
            found = axe_violations(page) if language == "ar" else []
            if found:
                inaccessible[path] = found
    finally:
        context.close()
    assert inaccessible == {}
    assert wide == {}
    assert {path: gap for path, gap in gaps.items() if gap < 12} == {}  # the page's first line never touches the bar
    assert taps == {}  # the menu's links and buttons are at least 24 px tall (WCAG 2.2's minimum target size)


def test_the_class_page_keeps_every_control_in_view_on_a_phone(browser, live_server, browser_login, people, site):
    # Its tables of learners and assignments hold forms: on a phone they stack instead of scrolling sideways,
    # where the buttons sat cut off at the edge of the box.
    context = browser.new_context(base_url=live_server.url, viewport=NARROW)
    page = context.new_page()
    try:
        browser_login(page, people.trainer)
        page.goto(f"/classes/{site['id']}")
        edges = page.eval_on_selector_all(
            "main button, main input:not([type=hidden]), main select",
            "els => els.map(e => [e.textContent.trim() || e.name, e.getBoundingClientRect().right])")
    finally:
        context.close()
    assert [name for name, right in edges if right > NARROW["width"]] == []


def edge_shadows(page) -> dict:
    """Which of the heat-map frame's edge shadows show (their opacity), and whether they lie above the cells."""
    return page.eval_on_selector(".scroll-frame", """frame => {
        const shown = pseudo => getComputedStyle(frame, pseudo).opacity === "1";
        return {before: shown("::before"), after: shown("::after"),
                aboveCells: Number(getComputedStyle(frame, "::after").zIndex) > 1};
    }""")


def test_a_table_that_scrolls_shows_a_shadow_where_more_lies_hidden(browser, live_server, browser_login, people,
                                                                    site):
    # The heat-map's cells paint their own background, which hid the box's background shadows.
    context = browser.new_context(base_url=live_server.url, viewport=NARROW)
    page = context.new_page()
    try:
        browser_login(page, people.trainer)
        page.goto(f"/classes/{site['id']}/standards")
        scroller = page.locator(".scroll-frame > .table-scroll")
        assert scroller.evaluate("box => box.scrollWidth > box.clientWidth")
        assert edge_shadows(page) == {"before": False, "after": True, "aboveCells": True}
        scroller.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
        # expect() polls without evaluating a string in the page: the site's CSP forbids eval, which
        # wait_for_function needs whenever the condition is not yet true on its first check.
        expect(page.locator(".scroll-frame")).to_have_attribute("data-more-before", "")
        assert edge_shadows(page) == {"before": True, "after": False, "aboveCells": True}
        # The standards' column stays in view, and the shadow starts where it ends, over the hidden columns.
        names = page.locator(".heatmap tbody th").first
        assert abs(names.bounding_box()["x"] - scroller.bounding_box()["x"]) < 1
        shadow_start = page.eval_on_selector(".scroll-frame", "f => getComputedStyle(f, '::before').left")
        assert abs(float(shadow_start.removesuffix("px")) - names.bounding_box()["width"]) < 1
    finally:
        context.close()




def test_the_quiz_s_past_attempts_stack_on_a_phone_instead_of_scrolling(app, browser, live_server, browser_login,
                                                                        people, make, site):
    from sqlalchemy import select

    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "module-2"))
        db.session.expunge(module)
    for _ in range(2):
        make.submitted_attempt(people.learner, module, {"q-m2-single": "a"})
    context = browser.new_context(base_url=live_server.url, viewport=NARROW)
    page = context.new_page()
    try:
        browser_login(page, people.learner)
        page.goto("/courses/test-course/m/module-2/quiz")
        expect(page.get_by_role("heading", name="Your attempts")).to_be_visible()
        box = page.locator(".past-attempts .table-scroll")
        assert box.evaluate("box => box.scrollWidth - box.clientWidth") <= 0  # nothing hidden at its edge
        expect(page.locator(".past-attempts").get_by_text("Not passed").first).to_be_visible()
    finally:
        context.close()
