import re

from sqlalchemy import func, select

from app.auth.models import User
from app.classrooms.codes import new_passphrase, passphrase_words
from app.classrooms.models import AuditEvent, ClassroomMember
from app.extensions import db
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD

CARD = re.compile(r'<dd class="credential">([^<]+)</dd>\s*<dt>Passphrase</dt><dd class="credential passphrase">([^<]+)</dd>')


def test_passphrases_are_three_short_words_and_two_digits_from_the_bundled_list():
    words = set(passphrase_words())
    assert len(words) > 500 and all(3 <= len(word) <= 6 and word.isalpha() for word in words)
    for _ in range(20):
        *three, digits = new_passphrase().split("-")
        assert len(three) == 3 and set(three) <= words and len(digits) == 2 and digits.isdigit()


def test_a_trainer_creates_named_accounts_and_prints_cards_that_work_for_sign_in(client, app, make, people):
    classroom = make.classroom(people.trainer, name="Class 5B")
    sign_in(client, people.trainer)
    response = client.post(f"/classes/{classroom.id}/accounts",
                           data={"username_prefix": "Class5b", "display_names": "Amira\nBen\n\nChloé\n"})
    assert response.status_code == 200
    cards = CARD.findall(response.text)
    assert [username for username, _passphrase in cards] == ["class5b-01", "class5b-02", "class5b-03"]
    assert "Amira" in response.text and "Chloé" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    for username, passphrase in cards:
        sign_in(app.test_client(), User(username=username), password=passphrase)
    with app.app_context():
        users = db.session.scalars(select(User).where(User.username.like("class5b-%"))).all()
        assert {user.email for user in users} == {None} and {user.role for user in users} == {"learner"}
        assert all(cards[0][1] not in user.password_hash for user in users)
        memberships = db.session.scalars(select(ClassroomMember).where(
            ClassroomMember.classroom_id == classroom.id)).all()
        assert len(memberships) == 3 and all(m.account_created_by_trainer for m in memberships)


def test_usernames_skip_the_ones_already_taken(client, app, make, people):
    make.user(username="class5b-01")
    classroom = make.classroom(people.trainer)
    sign_in(client, people.trainer)
    cards = CARD.findall(client.post(f"/classes/{classroom.id}/accounts",
                                     data={"username_prefix": "class5b", "count": "2"}).text)
    assert [username for username, _passphrase in cards] == ["class5b-02", "class5b-03"]


def test_too_many_accounts_or_a_bad_prefix_are_refused(client, make, people):
    classroom = make.classroom(people.trainer)
    sign_in(client, people.trainer)
    assert "Up to 60" in client.get(f"/classes/{classroom.id}/accounts").text
    assert client.post(f"/classes/{classroom.id}/accounts",
                       data={"username_prefix": "class5b", "count": "61"}).status_code == 200
    bad = client.post(f"/classes/{classroom.id}/accounts", data={"username_prefix": "-x", "count": "2"})
    assert "Start with a letter or digit" in bad.text and not CARD.search(bad.text)


def test_passphrases_never_reach_the_database_or_the_audit_log(client, app, make, people):
    classroom = make.classroom(people.trainer)
    sign_in(client, people.trainer)
    cards = CARD.findall(client.post(f"/classes/{classroom.id}/accounts",
                                     data={"username_prefix": "pupil", "count": "2"}).text)
    member_id = _user_id(app, cards[0][0])
    reset = client.post(f"/classes/{classroom.id}/members/{member_id}/password")
    new_passphrase_shown = CARD.findall(reset.text)[0][1]
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        logged = repr([(event.action, event.details) for event in events])
        dump = repr(db.session.execute(select(User.password_hash, User.username, User.display_name)).all())
    assert [event.action for event in events][-2:] == ["accounts_created", "password_reset"]
    for secret in [passphrase for _username, passphrase in cards] + [new_passphrase_shown]:
        assert secret not in logged and secret not in dump


def _user_id(app, username):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def test_a_password_reset_signs_the_learner_out_and_the_new_passphrase_works(client, app, make, people):
    child = make.user(username="pupil-01")
    classroom = make.classroom(people.trainer, created_accounts=[child])
    tablet = app.test_client()
    sign_in(tablet, child)
    assert tablet.get("/account").status_code == 200
    sign_in(client, people.trainer)
    response = client.post(f"/classes/{classroom.id}/members/{child.id}/password")
    username, passphrase = CARD.findall(response.text)[0]
    assert username == "pupil-01"
    assert tablet.get("/account").status_code == 302
    sign_in(app.test_client(), child, password=passphrase)


def test_a_trainer_cannot_reset_the_password_of_a_learner_who_made_their_own_account(client, make, people):
    classroom = make.classroom(people.trainer, members=[people.learner])
    sign_in(client, people.trainer)
    assert client.post(f"/classes/{classroom.id}/members/{people.learner.id}/password").status_code == 403
    assert "New passphrase for" not in client.get(f"/classes/{classroom.id}").text


def test_a_trainer_cannot_reset_the_password_of_someone_in_another_class(client, make, people):
    child = make.user(username="pupil-01")
    make.classroom(people.other_trainer, created_accounts=[child])
    mine = make.classroom(people.trainer)
    sign_in(client, people.trainer)
    assert client.post(f"/classes/{mine.id}/members/{child.id}/password").status_code == 404


def test_a_trainer_erases_an_account_the_class_made_and_it_is_gone_for_good(client, app, make, people):
    from app.learning.models import ModuleProgress
    from app.quizzes.models import QuizAttempt

    course = make.course(modules=2, quiz_modules=(2,))
    child = make.user(username="pupil-01", display_name="Noah Example")
    classroom = make.classroom(people.trainer, created_accounts=[child], members=[people.learner])
    tablet = app.test_client()
    sign_in(tablet, child)
    tablet.get("/courses/test-course/m/module-1")
    make.submitted_attempt(child, course.modules[1], {"q-m2-single": "b"})
    sign_in(client, people.trainer)
    page = client.get(f"/classes/{classroom.id}").text
    assert "Erase the account of pupil-01" in page and "Erase the account of lena" not in page  # lena made hers
    # Each row's buttons sit behind its own disclosure, named for the learner.
    row = page.split('<summary>Manage<span class="visually-hidden"> pupil-01</span></summary>', 1)[1]
    assert row.index("Erase the account of pupil-01") < row.index("</details>")

    erased = client.post(f"/classes/{classroom.id}/members/{child.id}/erase", follow_redirects=True)
    assert "The account of Noah Example is erased" in erased.text and "pupil-01" not in erased.text
    assert tablet.get("/account").status_code == 302  # signed out, and it can never sign in again
    refused = app.test_client().post("/signin", data={"username": "pupil-01", "password": DEFAULT_PASSWORD})
    assert refused.status_code == 200 and "Unknown username or wrong password." in refused.text
    with app.app_context():
        row = db.session.get(User, child.id)
        assert row.erased and row.display_name == "" and row.username != "pupil-01"
        assert db.session.scalar(select(func.count()).select_from(ModuleProgress)
                                 .where(ModuleProgress.user_id == child.id)) == 0
        attempt = db.session.scalars(select(QuizAttempt)).one()
        assert attempt.user_id is None and attempt.anonymous_member  # the class's statistics stay true
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "class_account_erased")).one()
        assert event.actor_id == people.trainer.id and "pupil-01" not in str(event.details)


def test_only_accounts_the_class_made_and_only_in_no_other_class_can_be_erased(client, app, make, people):
    child = make.user(username="pupil-01")
    classroom = make.classroom(people.trainer, members=[people.learner], created_accounts=[child])
    sign_in(client, people.trainer)
    assert client.post(f"/classes/{classroom.id}/members/{people.learner.id}/erase").status_code == 403
    other_class = make.classroom(people.other_trainer, members=[child])
    refused = client.post(f"/classes/{classroom.id}/members/{child.id}/erase", follow_redirects=True)
    assert "pupil-01 is also in another class: remove them from this class instead." in refused.text
    with app.app_context():
        assert not db.session.get(User, child.id).erased
    stranger = app.test_client()
    sign_in(stranger, people.other_trainer)  # teaches the child too, but did not make the account
    assert stranger.post(f"/classes/{other_class.id}/members/{child.id}/erase").status_code == 403
    assert stranger.post(f"/classes/{classroom.id}/members/{child.id}/erase").status_code == 404


def test_a_class_made_account_since_made_a_trainers_is_no_longer_the_class_to_reset_or_erase(client, app, make,
                                                                                               people):
    child = make.user(username="pupil-01")
    classroom = make.classroom(people.trainer, created_accounts=[child])
    with app.app_context():
        db.session.get(User, child.id).role = "trainer"  # an admin promoted the account
        db.session.commit()
    sign_in(client, people.trainer)
    assert "Erase the account of pupil-01" not in client.get(f"/classes/{classroom.id}").text
    assert client.post(f"/classes/{classroom.id}/members/{child.id}/erase").status_code == 403
    assert client.post(f"/classes/{classroom.id}/members/{child.id}/password").status_code == 403
    with app.app_context():
        assert not db.session.get(User, child.id).erased


ONCE_IN_FORM = re.compile(r'name="once" type="hidden" value="([^"]+)"')
RESET_ACTION = re.compile(r'action="(/classes/\d+/members/\d+/password\?once=[^"]+)"')


def test_a_form_refused_for_a_mistake_creates_the_accounts_once_corrected(client, app, make, people):
    classroom = make.classroom(people.trainer)
    sign_in(client, people.trainer)
    once = ONCE_IN_FORM.search(client.get(f"/classes/{classroom.id}/accounts").text).group(1)
    refused = client.post(f"/classes/{classroom.id}/accounts",
                          data={"username_prefix": "Cadets Nov", "count": "3", "once": once})
    assert refused.status_code == 200 and not CARD.findall(refused.text)
    assert ONCE_IN_FORM.search(refused.text).group(1) == once  # the same form, posted again once corrected
    corrected = client.post(f"/classes/{classroom.id}/accounts", data={"username_prefix": "cadets", "count": "3",
                                                                      "once": once})
    assert corrected.status_code == 200 and len(CARD.findall(corrected.text)) == 3
    assert 'data-print hidden>Print the cards</button>' in corrected.text
    assert f'<a class="button" href="/classes/{classroom.id}">Back to the class</a>' in corrected.text


def test_reloading_the_cards_page_creates_no_second_batch_and_resets_nothing_twice(client, app, make, people):
    classroom = make.classroom(people.trainer)
    sign_in(client, people.trainer)
    once = ONCE_IN_FORM.search(client.get(f"/classes/{classroom.id}/accounts").text).group(1)
    form = {"username_prefix": "class5b", "display_names": "Amira\nBen", "once": once}
    assert len(CARD.findall(client.post(f"/classes/{classroom.id}/accounts", data=form).text)) == 2
    reloaded = client.post(f"/classes/{classroom.id}/accounts", data=form)
    assert reloaded.status_code == 302 and reloaded.location.endswith(f"/classes/{classroom.id}")
    assert "These accounts were already created" in client.get(reloaded.location).text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.username.like("class5b-%"))) == 2

    reset_url = RESET_ACTION.search(client.get(f"/classes/{classroom.id}").text).group(1).replace("&amp;", "&")
    first = client.post(reset_url)
    assert first.status_code == 200 and len(CARD.findall(first.text)) == 1
    again = client.post(reset_url)
    assert again.status_code == 302
    assert "That passphrase was already changed" in client.get(again.location).text


def test_a_double_click_answered_by_another_worker_creates_no_second_batch(client, app, make, people):
    """The second click's request carries the cookie from before the first answer: only the database can tell."""
    classroom = make.classroom(people.trainer)
    sign_in(client, people.trainer)
    once = ONCE_IN_FORM.search(client.get(f"/classes/{classroom.id}/accounts").text).group(1)
    cookie_before_the_first_answer = client.get_cookie("a26_session").value
    form = {"username_prefix": "class5b", "display_names": "Amira\nBen", "once": once}
    assert len(CARD.findall(client.post(f"/classes/{classroom.id}/accounts", data=form).text)) == 2
    client.set_cookie("a26_session", cookie_before_the_first_answer)
    second = client.post(f"/classes/{classroom.id}/accounts", data=form, follow_redirects=True)
    assert "These accounts were already created" in second.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.username.like("class5b-%"))) == 2

    reset_url = RESET_ACTION.search(client.get(f"/classes/{classroom.id}").text).group(1).replace("&amp;", "&")
    cookie_before_the_first_answer = client.get_cookie("a26_session").value
    assert client.post(reset_url).status_code == 200
    client.set_cookie("a26_session", cookie_before_the_first_answer)
    assert client.post(reset_url).status_code == 302  # refused: the card first shown stays valid


def test_two_children_with_the_same_name_can_be_told_apart(client, make, people, course):
    classroom = make.classroom(people.trainer)
    make.assignment(classroom, course)
    sign_in(client, people.trainer)
    cards = client.post(f"/classes/{classroom.id}/accounts",
                        data={"username_prefix": "cm2b", "display_names": "Zoé\nNoah\nzoé"}).text
    assert "Listed more than once: Zoé, zoé." in cards
    grid = client.get(f"/classes/{classroom.id}/report").text
    assert ">Zoé (cm2b-01)</a>" in grid and ">zoé (cm2b-03)</a>" in grid and ">Noah</a>" in grid


def test_a_number_that_disagrees_with_the_names_listed_is_questioned(client, make, people):
    classroom = make.classroom(people.trainer)
    sign_in(client, people.trainer)
    response = client.post(f"/classes/{classroom.id}/accounts",
                           data={"username_prefix": "cadets", "count": "3", "display_names": "Amira\nBen\nChloé\nDan"})
    assert response.status_code == 200 and not CARD.findall(response.text)
    assert "You listed 4 names: leave the number empty, or make it 4." in response.text
    agreed = client.post(f"/classes/{classroom.id}/accounts",
                         data={"username_prefix": "cadets", "count": "4", "display_names": "Amira\nBen\nChloé\nDan"})
    assert len(CARD.findall(agreed.text)) == 4


def test_a_trainer_renews_every_passphrase_the_class_made_at_once_and_only_once(client, app, make, people):
    children = [make.user(username=f"pupil-0{number}") for number in (2, 1)]
    classroom = make.classroom(people.trainer, created_accounts=children, members=[people.learner])
    tablet = app.test_client()
    sign_in(tablet, children[0])
    sign_in(client, people.trainer)
    page = client.get(f"/classes/{classroom.id}").text
    assert "New passphrases for all 2 accounts this class created" in page  # lena made her own: not hers
    url = re.search(r'action="(/classes/\d+/passphrases\?once=[^"]+)"', page).group(1).replace("&amp;", "&")

    cards = client.post(url)
    assert cards.status_code == 200 and "The new passphrases are shown only this once." in cards.text
    renewed = CARD.findall(cards.text)
    assert [username for username, _passphrase in renewed] == ["pupil-01", "pupil-02"]
    assert tablet.get("/account").status_code == 302  # signed out
    for username, passphrase in renewed:
        assert app.test_client().post("/signin", data={"username": username, "password": passphrase}
                                      ).status_code == 302
    assert app.test_client().post("/signin", data={"username": people.learner.username, "password": DEFAULT_PASSWORD}
                                  ).status_code == 302  # the learner's own account is untouched
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "password_reset")) == 2

    again = client.post(url, follow_redirects=True)  # a reload, or the back button and a second click
    assert "Those passphrases were already renewed" in again.text and not CARD.findall(again.text)
    for username, passphrase in renewed:
        assert app.test_client().post("/signin", data={"username": username, "password": passphrase}
                                      ).status_code == 302


def test_a_class_that_made_no_accounts_has_no_passphrases_to_renew(client, make, people):
    classroom = make.classroom(people.trainer, members=[people.learner])
    sign_in(client, people.trainer)
    assert "New passphrases for all" not in client.get(f"/classes/{classroom.id}").text
    refused = client.post(f"/classes/{classroom.id}/passphrases", follow_redirects=True)
    assert "This class has created no accounts" in refused.text
