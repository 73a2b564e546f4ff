"""The quiz and result pages run a fixed number of SQL statements, however many questions the quiz has."""

from tests.conftest import counting_queries
from tests.course_builder import write_course
from tests.quizzes.conftest import ALL_RIGHT, ALL_WRONG, start_attempt, submit

# user, module with course, open attempt, its revision's quiz
QUIZ_PAGE_BUDGET = 4
# user, module with course, attempt, its answers, its revision's quiz, the learner's attempts, standards; after a
# pass, the next step (the following module and the certificate, one statement)
RESULT_PAGE_BUDGET = 8
# user, module with course and attempt and its revision's quiz, the submit flip, the answers (one executemany),
# the progress update, the course's modules with progress; this pass completes the course: the certificate, the
# enrolment (an upsert), the certificate read back; after the commit, the user again (the flash message's language)
SUBMISSION_BUDGET = 10


def quiz_with(questions: int) -> str:
    """A module quiz with `questions` standalone single-choice questions and a scenario with as many again."""
    def question(number: int) -> str:
        return (f"### Question number {number}? {{#big-{number}}}\n- [x] Yes\n  > Feedback {number}.\n- [ ] No\n"
                f"Explanation: Because {number}.\nStandards: CAT-15\n\n")

    standalone = "".join(question(number) for number in range(questions))
    in_scenario = "".join(question(number) for number in range(questions, 2 * questions))
    return (f":::quiz pass=50\n\n{standalone}## A case {{#big-case}}\nThe case text.\n\n{in_scenario}:::\n")


def pages_queries(make, app, login, people, root, slug: str, questions: int) -> tuple[int, int, int]:
    folder = write_course(root, slug, modules=1, quiz_modules=())
    module_file = folder / "01-module-1.md"
    module_file.write_text(module_file.read_text() + "\n" + quiz_with(questions))
    make.synced_course(root, slug)
    client = login(app.test_client(), people.learner)
    quiz_url = f"/courses/{slug}/m/module-1/quiz"
    token = start_attempt(client, quiz_url)
    with counting_queries(app) as quiz_page:
        assert client.get(quiz_url).status_code == 200
    with counting_queries(app) as submission:
        result_url = submit(client, token, {f"q-big-{number}": "a" for number in range(questions)}, quiz_url).location
    with counting_queries(app) as result_page:
        assert client.get(result_url).status_code == 200
    assert "/attempts/" in result_url
    return len(quiz_page), len(result_page), len(submission)


def test_the_quiz_and_result_pages_and_the_submission_run_a_bounded_number_of_queries(make, app, login, people, tmp_path):
    small = pages_queries(make, app, login, people, tmp_path / "lib", "small-course", questions=2)
    large = pages_queries(make, app, login, people, tmp_path / "lib", "large-course", questions=30)
    assert small == large, f"queries grow with the quiz: {small} for 4 questions, {large} for 60"
    budgets = (QUIZ_PAGE_BUDGET, RESULT_PAGE_BUDGET, SUBMISSION_BUDGET)
    assert all(count <= budget for count, budget in zip(large, budgets, strict=True)), f"{large} over {budgets}"



def test_a_failed_submission_does_not_read_the_course_to_check_its_completion(course, app, login, people):
    client = login(app.test_client(), people.learner)
    submissions = []
    for answers in (ALL_RIGHT, ALL_WRONG):
        token = start_attempt(client)
        with counting_queries(app) as statements:
            assert submit(client, token, answers).status_code == 302
        submissions.append(statements)
    passing, failing = (
        [sql for sql in statements if "FROM modules" in sql and "module_progress" in sql] for statements in submissions)
    assert len(passing) == 1, "a pass may complete the course: its modules and progress are read"
    assert failing == [], "a fail completes no module, so the course is not read"
