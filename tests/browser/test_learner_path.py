"""A learner's whole path in a real browser (the quiz steps live with the quiz tests), and axe-core on each page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect


@pytest.fixture
def course(make):
    return make.course("rights-basics", title="Rights basics", modules=2, quiz_modules=())


def test_a_learner_finds_a_course_reads_completes_it_and_proves_it(page, new_page, browser_login, people, course):
    browser_login(page, people.learner)
    page.get_by_role("link", name="Courses").first.click()
    page.get_by_label("Audience").select_option("police")
    page.get_by_role("button", name="Show courses").click()
    expect(page).to_have_url(re.compile(r"audience=police"))
    page.get_by_role("link", name="Rights basics").click()
    page.get_by_role("button", name="Start the course").click()
    expect(page.get_by_text("You are enrolled in Rights basics.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Module 1")).to_be_visible()
    expect(page.get_by_text("Human dignity is the foundation").first).to_be_visible()
    assert "SECRET FACILITATOR NOTE" not in page.content()
    page.get_by_role("link", name="Practice").click()
    expect(page).to_have_url(re.compile(r"#practice$"))

    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_role("heading", level=1, name="Module 2")).to_be_visible()
    page.get_by_role("link", name=re.compile("Previous: Module 1")).click()
    expect(page.get_by_text("Completed").first).to_be_visible()
    page.get_by_role("link", name=re.compile("Next: Module 2")).click()
    page.get_by_role("button", name="Mark as complete").click()

    expect(page.get_by_role("heading", name="Certificate of completion")).to_be_visible()
    expect(page.get_by_text("You completed the course.")).to_be_visible()
    # A phone hides Print in a menu: the page has its own button, which opens the browser's print dialog.
    page.evaluate("() => { window.print = () => document.body.setAttribute('data-printed', ''); }")
    page.get_by_role("button", name="Print the certificate").click()
    expect(page.locator("body[data-printed]")).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    pdf_path = download_info.value.path()
    with open(pdf_path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    verify_link = page.locator("a[href^='/verify/']").get_attribute("href")

    page.get_by_role("link", name="My learning").click()
    expect(page.get_by_role("link", name="Certificate for Rights basics")).to_be_visible()

    stranger = new_page()
    stranger.goto(verify_link)
    expect(stranger.get_by_role("heading", name="Valid certificate")).to_be_visible()
    expect(stranger.get_by_text("Rights basics")).to_be_visible()
    expect(stranger.get_by_role("link", name="Sign in")).to_be_visible()  # a signed-out browser


@pytest.mark.parametrize("path", ["/courses", "/courses/rights-basics", "/courses/rights-basics/m/module-1",
                                  "/learning", "/standards"])
def test_learner_pages_have_no_wcag_violations(page, browser_login, people, course, axe_violations, path):
    browser_login(page, people.learner)
    page.goto("/courses/rights-basics/m/module-1")
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_role("heading", level=1, name="Module 2")).to_be_visible()
    page.goto(path)
    assert axe_violations(page) == []


def test_certificate_and_verification_pages_have_no_wcag_violations(page, new_page, browser_login, make,
                                                                    axe_violations):
    make.course("one-module", title="One module", modules=1, quiz_modules=())
    browser_login(page, make.user(username="amira", display_name="أميرة"))
    page.goto("/courses/one-module/m/module-1")
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_role("heading", name="Certificate of completion")).to_be_visible()
    assert axe_violations(page) == []
    stranger = new_page()
    stranger.goto(page.locator("a[href^='/verify/']").get_attribute("href"))
    assert axe_violations(stranger) == []


def test_on_a_phone_the_verification_page_lists_the_standards_under_their_label(page, new_page, browser_login,
                                                                               make):
    make.course("one-module", title="One module", modules=1, quiz_modules=())
    browser_login(page, make.user(username="amira", display_name="Amira"))
    page.goto("/courses/one-module/m/module-1")
    page.get_by_role("button", name="Mark as complete").click()
    verify_link = page.locator("a[href^='/verify/']").get_attribute("href")
    phone = new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(verify_link)
    label, standards = phone.locator(".facts dt").last, phone.locator(".facts dd").last
    expect(standards).to_contain_text("UDHR-1")
    # Stacked: the list starts where its label starts and takes the whole width, not a column beside it.
    assert abs(standards.bounding_box()["x"] - label.bounding_box()["x"]) < 2
    assert standards.bounding_box()["width"] > 0.8 * phone.locator(".facts").bounding_box()["width"]


def test_the_module_page_fits_a_phone_screen(page, browser_login, people, course):
    browser_login(page, people.learner)
    page.goto("/courses/rights-basics/m/module-1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("module_slug", ["the-arrest", "in-custody", "review"])
def test_real_course_content_has_no_wcag_violations(page, browser_login, make, people, axe_violations,
                                                    module_slug):
    """The sample course has callouts, a table, an image, links between modules and a quiz link."""
    make.synced_course(Path(__file__).resolve().parent.parent / "fixtures" / "courses", "sample-course")
    browser_login(page, people.learner)
    page.goto(f"/courses/sample-course/m/{module_slug}")
    assert axe_violations(page) == []


def test_callouts_stand_out_on_the_learners_module_page(page, browser_login, make, people):
    make.synced_course(Path(__file__).resolve().parent.parent / "fixtures" / "courses", "sample-course")
    browser_login(page, people.learner)
    page.goto("/courses/sample-course/m/the-arrest")
    callouts = page.locator("main aside.callout")
    assert callouts.count() > 0
    for index in range(callouts.count()):
        style = callouts.nth(index).evaluate(
            "node => { const s = getComputedStyle(node); return [s.backgroundColor, s.borderLeftWidth]; }")
        assert style[0] not in ("rgba(0, 0, 0, 0)", "transparent") and style[1] != "0px", style
