import csv
import io
from datetime import datetime

import pytest

from app.classrooms.reports import csv_safe
from app.extensions import utcnow
from tests.classrooms.conftest import ALL_RIGHT, ALL_WRONG, answers
from tests.conftest import counting_queries, main_of, sign_in, without_csrf_tokens
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def results(make, people, cast):
    """lena passed module 2 at the second attempt; omar (another class) passed it at once; nobody did module 3."""
    module2 = cast.modules[1]
    make.submitted_attempt(people.learner, module2, answers(2, ALL_WRONG))
    make.submitted_attempt(people.learner, module2, answers(2, ALL_RIGHT))
    make.submitted_attempt(people.other_learner, module2, answers(2, ALL_RIGHT))
    return cast


def test_the_grid_shows_status_and_score_as_text_and_icon_not_only_colour(client, people, results):
    sign_in(client, people.trainer)
    page = without_csrf_tokens(client.get(f"/classes/{results.ours.id}/report").text)
    assert people.learner.display_name in page and people.other_learner.display_name not in page
    assert '<td class="c-completed"><span aria-hidden="true">✓</span><span class="visually-hidden">Completed</span> 100%</td>' in page
    assert page.count('<td class="c-not_started">') == 2  # modules 1 and 3
    assert "Key:" in page and "1/1 done" in page


def test_a_failed_quiz_shows_as_not_passed_with_its_best_score(client, make, people, cast):
    make.submitted_attempt(people.learner, cast.modules[2], answers(3, ALL_WRONG))
    sign_in(client, people.trainer)
    page = client.get(f"/classes/{cast.ours.id}/report").text
    assert '<span class="visually-hidden">Not passed</span> 0%</td>' in page


def test_the_csv_matches_the_screen_and_cannot_start_a_formula(client, app, make, people, cast):
    sneaky = make.user(username="sneaky", display_name="=HYPERLINK(\"http://evil\")")
    dashed = make.user(username="-dashed", display_name="@SUM(A1)")
    classroom = make.classroom(people.trainer, name="Formula class", members=[sneaky, dashed, people.learner])
    make.assignment(classroom, cast.course)
    make.submitted_attempt(people.learner, cast.modules[1], answers(2, ALL_RIGHT))
    sign_in(client, people.trainer)
    response = client.get(f"/classes/{classroom.id}/report.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # Excel then reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Learner", "Username", "Test course — Module 1", "Test course — Module 2",
                       "Test course — Module 2: best score (%)", "Test course — Module 3",
                       "Test course — Module 3: best score (%)"]
    by_username = {row[1]: row for row in rows[1:]}  # a username may start with "-": quoted too
    # The status in words; each quiz's best score as a number a spreadsheet can sort and average.
    assert by_username["lena"][2:] == ["Not started", "Completed", "100", "Not started", ""]
    assert by_username["sneaky"][0] == "'=HYPERLINK(\"http://evil\")"
    assert by_username["'-dashed"][:2] == ["'@SUM(A1)", "'-dashed"]


def csv_with_days(client, url: str):
    """The response, and the day (UTC, the suite's TIME_ZONE) before and after it: the file's name carries the day it
    was made, and a request around midnight is made on either."""
    before = f"{utcnow():%Y-%m-%d}"
    response = client.get(url)
    return response, {before, f"{utcnow():%Y-%m-%d}"}


def test_a_past_due_date_shows_in_the_grid_and_the_csv_with_the_work_still_open(client, make, people, cast):
    classroom = make.classroom(people.trainer, name="Class 5B", members=[people.learner])
    make.assignment(classroom, cast.course, cast.modules[1], due_at=datetime(2020, 3, 2, 9, 0))
    make.assignment(classroom, cast.course, cast.modules[2])
    make.submitted_attempt(people.learner, cast.modules[1], answers(2, ALL_WRONG))
    sign_in(client, people.trainer)
    page = client.get(f"/classes/{classroom.id}/report").text
    heading = page.split('<th scope="col">', 2)[2].split("</th>", 1)[0]
    assert '<span class="when">Due 2020-03-02 09:00 UTC</span>' in heading and "due date passed" in heading
    assert ('<span class="visually-hidden">Not passed</span> 0% <span class="badge badge-bad">overdue</span></td>'
            in page)
    assert page.count("overdue") == 1  # module 3 has no due date

    response, days = csv_with_days(client, f"/classes/{classroom.id}/report.csv")
    assert response.headers["Content-Disposition"] in {
        f'attachment; filename="class-5b-progress-{day}.csv"; filename*=UTF-8\'\'class-5b-progress-{day}.csv'
        for day in days}
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][2:] == ["Test course — Module 2 (due 2020-03-02 09:00 UTC)", "Test course — Module 2: best score (%)",
                           "Test course — Module 3", "Test course — Module 3: best score (%)"]
    assert rows[1][2:] == ["Not passed (overdue)", "0", "Not started", ""]


def test_grid_columns_follow_the_course_order_whatever_order_the_modules_were_assigned_in(client, make, people, cast):
    classroom = make.classroom(people.trainer, name="Order class", members=[people.learner])
    make.assignment(classroom, cast.course, cast.modules[2], due_at=datetime(2030, 1, 1))
    make.assignment(classroom, cast.course, cast.modules[0], due_at=datetime(2030, 6, 1))
    sign_in(client, people.trainer)
    rows = list(csv.reader(io.StringIO(client.get(f"/classes/{classroom.id}/report.csv").data.decode("utf-8-sig"))))
    assert [heading.split(" (")[0] for heading in rows[0][2:]] == [
        "Test course — Module 1", "Test course — Module 3", "Test course — Module 3: best score"]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_safe_quotes_every_formula_start(text):
    assert csv_safe(text) == "'" + text


def test_csv_safe_leaves_ordinary_text_alone():
    assert csv_safe("Amira") == "Amira" and csv_safe(None) == "" and csv_safe(42.5) == "42.5"


def test_the_drill_down_shows_every_attempt_with_its_answers(client, people, results):
    sign_in(client, people.trainer)
    page = client.get(f"/classes/{results.ours.id}/learners/{people.learner.id}").text
    assert "Attempt 1: 0%, not passed" in page and "Attempt 2: 100%, passed" in page
    assert "Which article excludes statements obtained by torture?" in page
    assert "Article 3" in page and "Article 15" in page  # the wrong then the right option, by their text
    assert "25" in page  # the short answer as typed


def test_item_analysis_uses_first_attempts_and_names_the_most_common_wrong_answer(client, make, app, people, cast):
    module = cast.modules[1]
    ali, bea = make.user(username="ali"), make.user(username="bea")
    classroom = make.classroom(people.trainer, name="Item class", members=[people.learner, ali, bea])
    make.assignment(classroom, cast.course, module)
    make.submitted_attempt(people.learner, module, answers(2, ALL_WRONG))
    make.submitted_attempt(people.learner, module, answers(2, ALL_RIGHT))  # a second attempt does not count
    make.submitted_attempt(ali, module, answers(2, ALL_WRONG))
    make.submitted_attempt(bea, module, answers(2, ALL_RIGHT))
    sign_in(client, people.trainer)
    page = client.get(f"/classes/{classroom.id}/items/{module.id}").text
    single = page[page.index("Which article excludes"):page.index("Which rights are guaranteed")]
    assert "33% correct" in single and "3 answers" in single
    assert "<td>2 (67%)</td>" in single  # Article 3 chosen twice
    assert "Most common wrong answer:" in single and "<strong>Article 3</strong> (2)" in single
    short = page[page.index("Which UDHR article"):page.index("What should the judge do first?")]
    assert "<strong>25</strong> (2)" in short
    # What learners typed, with the accepted answers marked.
    assert "<tr><td>25</td><td>2</td></tr>" in short
    assert '<tr><td>article 26 <span class="badge badge-ok">accepted</span></td><td>1</td></tr>' in short
    # A case-study question names its case study, with the text a click away.
    case = page[page.index("Which UDHR article"):]
    assert "Case study: The confession" in case and "Read the case study" in case


def test_item_analysis_says_what_a_partly_right_multiple_choice_answer_missed(client, make, people, cast):
    module = cast.modules[1]
    ali = make.user(username="ali")
    classroom = make.classroom(people.trainer, name="Item class", members=[people.learner, ali])
    make.assignment(classroom, cast.course, module)
    for learner in (people.learner, ali):  # one right option ticked, the other left out
        make.submitted_attempt(learner, module, answers(2, {**ALL_RIGHT, "multiple": ["a"]}))
    sign_in(client, people.trainer)
    page = client.get(f"/classes/{classroom.id}/items/{module.id}").text
    multiple = page[page.index("Which rights are guaranteed"):page.index("Torture may be justified")]
    assert ("Most common wrong answer:\n          <strong>A public hearing (not ticked: The presumption of innocence)"
            "</strong> (2)") in multiple


def test_a_learner_who_erases_their_account_still_counts_in_the_class_statistics(client, app, make, people, cast):
    """The account page promises it: answers stay, anonymised, so the class's figures stay true."""
    module = cast.modules[1]
    # A username no random token on the page could contain by chance (a bare "ali" once matched a CSRF token).
    ali, bea = make.user(username="ali.walker"), make.user(username="bea")
    classroom = make.classroom(people.trainer, name="Item class", members=[ali, bea])
    make.assignment(classroom, cast.course, module)
    make.submitted_attempt(ali, module, answers(2, ALL_WRONG))
    make.submitted_attempt(ali, module, answers(2, ALL_RIGHT))
    make.submitted_attempt(bea, module, answers(2, ALL_RIGHT))
    sign_in(client, people.trainer)
    items_url, mastery_url = f"/classes/{classroom.id}/items/{module.id}", f"/classes/{classroom.id}/standards"
    items_before, mastery_before = client.get(items_url).text, client.get(mastery_url).text
    assert "50% correct" in items_before and "2 answers" in items_before

    ali_client = app.test_client()
    sign_in(ali_client, ali)
    assert ali_client.post("/account/delete", data={"password": DEFAULT_PASSWORD, "understood": "y"}).status_code == 302
    items_after, mastery_after = client.get(items_url).text, client.get(mastery_url).text
    assert "ali.walker" not in items_after and "ali.walker" not in mastery_after
    # The main part only: the menu's sign-out form carries a CSRF token that changes every second. Ali's first
    # attempt still counts, once; only the words Ali typed ("25") are gone, for they may name someone.
    short_before, short_after = (main_of(page).split("Which UDHR article", 1)[1].split("</section>", 1)[0]
                                 for page in (items_before, items_after))
    assert main_of(items_after).replace(short_after, "") == main_of(items_before).replace(short_before, "")
    assert "<strong>25</strong> (1)" in short_before and "<tr><td>25</td>" in short_before
    assert "25" not in short_after.split("</h2>", 1)[1]
    for short in (short_before, short_after):  # the figures stay true
        assert "50% correct" in short and "(2 answers)" in short
    table = mastery_after.split('<table class="heatmap">', 1)[1].split("</table>", 1)[0]
    assert table == mastery_before.split('<table class="heatmap">', 1)[1].split("</table>", 1)[0]
    assert "100%" in table  # both latest attempts right


def test_item_analysis_of_a_module_not_assigned_to_the_class_is_404(client, make, people, course):
    classroom = make.classroom(people.trainer)
    sign_in(client, people.trainer)
    assert client.get(f"/classes/{classroom.id}/items/{course.modules[1].id}").status_code == 404


def test_the_standards_heat_map_is_a_coloured_table_naming_each_standard(client, people, results):
    sign_in(client, people.trainer)
    page = client.get(f"/classes/{results.ours.id}/standards").text
    table = page.split('<table class="heatmap">', 1)[1].split("</table>", 1)[0]
    assert '<a class="code" href="/standards#CAT-15">CAT-15</a> — ' in table and '<a class="code" href="/standards#UDHR-26">UDHR-26</a> — ' in table
    # Rows follow the standards registry (UDHR before CAT, article 7 before 14), not the codes' spelling.
    assert table.index("UDHR-26") < table.index("CAT-15")
    assert '<th scope="col">Module 2</th>' in table
    # lena's latest attempt at module 2 is all right; nobody answered module 3.
    assert '<td class="heat-4">100%</td>' in table and '<td class="heat-none">–</td>' in table


def test_standards_come_in_registry_order_and_unknown_codes_last(app, course):
    from app.classrooms.reports import _in_registry_order
    from app.extensions import db

    with app.app_context():
        assert _in_registry_order(db.session, ["ICCPR-14", "GONE-2", "CAT-15", "ICCPR-7", "UDHR-26"]) == [
            "UDHR-26", "ICCPR-7", "ICCPR-14", "CAT-15", "GONE-2"]


def _grid_queries(app, client, classroom_id):
    with counting_queries(app) as statements:
        assert client.get(f"/classes/{classroom_id}/report").status_code == 200
    return len(statements)


def test_the_grid_runs_the_same_number_of_queries_for_a_small_and_a_large_class(client, app, make, people):
    small_course = make.course("small", modules=2, quiz_modules=(2,))
    big_course = make.course("big", modules=8, quiz_modules=(2, 4, 6, 8))
    small = make.classroom(people.trainer, name="Small", members=[people.learner])
    make.assignment(small, small_course)
    learners = [make.user(username=f"pupil{n}") for n in range(12)]
    large = make.classroom(people.trainer, name="Large", members=learners)
    make.assignment(large, big_course)
    for learner in learners[:4]:
        make.submitted_attempt(learner, big_course.modules[1], answers(2, ALL_RIGHT))
        make.submitted_attempt(learner, big_course.modules[3], answers(4, ALL_WRONG))
    sign_in(client, people.trainer)
    assert _grid_queries(app, client, small.id) == _grid_queries(app, client, large.id)


def test_the_csv_keeps_a_class_name_in_any_script(client, make, people, cast):
    classroom = make.classroom(people.trainer, name="Гражданские права 7B")
    make.assignment(classroom, cast.course)
    sign_in(client, people.trainer)
    response, days = csv_with_days(client, f"/classes/{classroom.id}/report.csv")
    disposition = response.headers["Content-Disposition"]
    assert any(f'filename="7b-progress-{day}.csv"' in disposition for day in days)  # the ASCII fallback
    assert "filename*=UTF-8''%D0%B3%D1%80%D0%B0%D0%B6%D0%B4%D0%B0%D0%BD%D1%81%D0%BA%D0%B8%D0%B5-" in disposition


def test_names_are_told_apart_only_where_they_repeat():
    from app.classrooms.names import repeated, told_apart

    assert told_apart([(1, "Zoé", "a-01"), (2, "Noah", "a-02"), (3, "ZOÉ", "a-03")]) == {
        1: "Zoé (a-01)", 2: "Noah", 3: "ZOÉ (a-03)"}
    assert repeated(["Zoé", "Noah", "ZOÉ"]) == ["ZOÉ", "Zoé"]
