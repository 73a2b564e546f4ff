"""Live, teacher-paced sessions. The whole state is the `live_sessions` row, so any app server answers any request.

Steps: one per section of the module (its learner HTML split where each `<h2>` starts; text before the first
heading, if any, is a first untitled section), then one per quiz question in quiz order. A question step starts
closed to answers ("none"); the presenter opens it, closes it and reveals the answer. Every change bumps
`version`, which is the students' ETag: a poll costs one indexed lookup and a 304 until something changes.
"""

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog.models import Module
from app.classrooms.codes import LIVE_CODE_LENGTH, random_code
from app.classrooms.models import Classroom, ClassroomMember, LiveAnswer, LiveParticipant, LiveSession
from app.classrooms.names import told_apart
from app.classrooms.services import record_audit
from app.content import normalise_answer
from app.errors import Conflict, InvalidInput
from app.extensions import utcnow
from app.learning.services import _insert
from app.quizzes.grading import MAX_SHORT_ANSWER_CHARS, grade_question
from app.quizzes.models import PracticeAnswer

SECTION_START = re.compile(r"(?=<h2[\s>])")
HEADING_ID = re.compile(r'^<h2[^>]*\bid="([^"]+)"')
LEADING_HEADING = re.compile(r"^<h2[\s>].*?</h2>\s*", re.S)  # the step's title, shown once as its h1
FACILITATOR_NOTES = re.compile(r'<aside class="callout callout-facilitator".*?</aside>', re.S)
LINK_TAG = re.compile(r"<a\s[^>]*>")
CONTROL_ACTIONS = ("next", "back", "goto", "open", "close", "reveal", "end")  # "goto" takes a step number
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # options as the presenter's screen and the children's pages letter them
TYPED_ANSWER_BARS = 8  # the most common typed answers shown; a long tail of single answers would fill the screen


@dataclass(frozen=True)
class Step:
    number: int  # 0-based
    kind: str  # "section" | "question"
    title: str
    html: str  # what learners see: the section, or the question's prompt
    notes_html: str = ""  # facilitator notes of the section: presenter only
    question: dict[str, Any] | None = None
    scenario: dict[str, Any] | None = None


def links_in_new_tab(html: str) -> Markup:
    """The course's links (a standard, another module) open in a new tab during a live session: followed in the
    same tab, they would take the child out of the lesson. Links within the page stay as they are."""
    # The course's HTML, sanitised when it was rendered; only fixed attributes are added to its links.
    return Markup(LINK_TAG.sub(_opening_in_a_new_tab, html))  # nosec B704


def _opening_in_a_new_tab(link: re.Match) -> str:
    tag = link.group(0)
    if not re.search(r'\bhref="(?!#)', tag) or re.search(r"\starget=", tag):
        return tag
    return tag[:2] + ' target="_blank"' + ("" if re.search(r"\srel=", tag) else ' rel="noopener"') + tag[2:]


def _sections(html: str) -> list[str]:
    return [part for part in SECTION_START.split(html or "") if part.strip()]


def _anchor(section: str) -> str | None:
    match = HEADING_ID.match(section)
    return match.group(1) if match else None


def module_steps(module: Module) -> list[Step]:
    titles = {entry.get("anchor"): entry.get("title") for entry in module.toc or [] if entry.get("level") == 2}
    notes = {_anchor(section): "".join(FACILITATOR_NOTES.findall(section))
             for section in _sections(module.trainer_html)}
    steps = []
    for section in _sections(module.learner_html):
        anchor = _anchor(section)
        title = titles.get(anchor)
        steps.append(Step(number=len(steps), kind="section", title=title or module.title,
                          html=LEADING_HEADING.sub("", section, count=1) if title else section,
                          notes_html=notes.get(anchor, "")))
    quiz = module.quiz or {}
    scenarios = {scenario["id"]: scenario for scenario in quiz.get("scenarios") or []}
    questions = quiz.get("questions") or []
    for index, question in enumerate(questions, start=1):
        steps.append(Step(number=len(steps), kind="question",
                          title=_("Question %(n)d of %(total)d", n=index, total=len(questions)),
                          html=question["prompt_html"], question=question,
                          scenario=scenarios.get(question.get("scenario_id"))))
    return steps


def current_step(live: LiveSession, steps: list[Step]) -> Step | None:
    return steps[min(live.step, len(steps) - 1)] if steps else None


def _unused_live_code(session: Session) -> str:
    while True:
        code = random_code(LIVE_CODE_LENGTH)
        if session.scalar(select(LiveSession.id).where(LiveSession.code == code)) is None:
            return code


def start_live_session(session: Session, actor: User, classroom: Classroom, module: Module) -> LiveSession:
    if module.archived or not module_steps(module):
        raise InvalidInput(_("This module cannot be presented."))
    if session.scalar(select(LiveSession.id).where(LiveSession.classroom_id == classroom.id,
                                                   LiveSession.ended_at.is_(None)).limit(1)) is not None:
        # Children's screens would offer two sessions to join; one at a time keeps the class together.
        raise Conflict(_("A live session is already running in this class: present it, or end it before starting "
                         "another."))
    live = LiveSession(classroom_id=classroom.id, module_id=module.id, code=_unused_live_code(session),
                       step=0, question_state="none", version=1, started_by_id=actor.id, opened_questions=[])
    session.add(live)
    session.flush()
    record_audit(session, actor, "live_session_started", classroom=classroom, code=live.code,
                 module=module.title, course_id=module.course_id)
    return live


def _next_state(live: LiveSession, steps: list[Step], action: str, to_step: int | None) -> dict[str, Any]:
    step = current_step(live, steps)
    is_question = step is not None and step.kind == "question"
    state = live.question_state
    if action == "next" and live.step < len(steps) - 1:
        return _arrive_at(live, steps, live.step + 1)
    if action == "back" and live.step > 0:
        return _arrive_at(live, steps, live.step - 1)
    if action == "goto" and to_step is not None and 0 <= to_step < len(steps) and to_step != live.step:
        return _arrive_at(live, steps, to_step)
    if action == "open" and is_question and state in ("none", "closed", "revealed"):
        opened = live.opened_questions or []
        key = step.question["id"]
        return {"question_state": "open", "opened_questions": opened if key in opened else [*opened, key]}
    if action == "close" and is_question and state == "open":
        return {"question_state": "closed"}
    if action == "reveal" and is_question and state in ("open", "closed"):
        return {"question_state": "revealed"}
    if action == "end":
        return {"ended_at": utcnow()}
    raise InvalidInput(_("This control does not apply to the current step."))


def _arrive_at(live: LiveSession, steps: list[Step], number: int) -> dict[str, Any]:
    """A question asked before comes back closed, not unopened: its answers stand and can be revealed again without
    reopening it to changes."""
    question = steps[number].question
    asked = question is not None and question["id"] in (live.opened_questions or [])
    return {"step": number, "question_state": "closed" if asked else "none"}


def control_live_session(session: Session, actor: User, classroom: Classroom, live: LiveSession, module: Module,
                         action: str, seen_version: int, to_step: int | None = None) -> None:
    """Apply one presenter control ("goto" moves to `to_step`, 0-based). The UPDATE only succeeds on the version
    the presenter saw, so a double click or a second presenter's screen that is behind never moves the session
    twice."""
    if action not in CONTROL_ACTIONS:
        raise InvalidInput(_("Unknown control."))
    if live.ended_at is not None:
        raise Conflict(_("This session has ended."))
    moved_on = Conflict(_("The session had already moved on; here is where it is now."))
    if live.version != seen_version:  # a screen that is behind: say so, not that its button makes no sense now
        raise moved_on
    values = _next_state(live, module_steps(module), action, to_step)
    changed = session.execute(
        update(LiveSession).where(LiveSession.id == live.id, LiveSession.version == seen_version,
                                  LiveSession.ended_at.is_(None))
        .values(version=LiveSession.version + 1, **values).execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise moved_on
    session.refresh(live)
    if action == "end":
        live.hidden_answers = None  # words a child should not have typed: no longer needed by any screen
        stored = store_practice_answers(session, live, module)
        record_audit(session, actor, "live_session_ended", classroom=classroom, code=live.code,
                     module=module.title, answers=stored)


def store_practice_answers(session: Session, live: LiveSession, module: Module) -> int:
    """Each learner's last answer to each question, graded, into their record as practice (not an attempt)."""
    questions = {question["id"]: question for question in (module.quiz or {}).get("questions") or []}
    answers = session.scalars(select(LiveAnswer).where(LiveAnswer.session_id == live.id)).all()
    for answer in answers:
        question = questions.get(answer.question_key)
        session.add(PracticeAnswer(user_id=answer.user_id, module_id=module.id, live_session_id=live.id,
                                   question_key=answer.question_key, response=answer.response,
                                   correct=bool(question) and answer_accepted(question, answer.response)))
    session.flush()
    return len(answers)


def answer_accepted(question: dict[str, Any], response: Any) -> bool:
    return grade_question(question, response).correct


def clean_response(question: dict[str, Any], choices: list[str], text: str) -> Any:
    """What the form sent, reduced to what the question accepts; None when nothing usable was sent."""
    if question["type"] == "short_answer":
        text = (text or "").strip()
        return text[:MAX_SHORT_ANSWER_CHARS] if text else None
    known = [option["id"] for option in question.get("options") or [] if option["id"] in set(choices)]
    if question["type"] != "multiple":
        known = known[:1]
    return known or None


def record_live_answer(session: Session, user: User, live: LiveSession, module: Module, question_key: str,
                       choices: list[str], text: str) -> None:
    """Save or replace the learner's answer to the open question."""
    step = current_step(live, module_steps(module))
    if live.ended_at is not None:
        raise Conflict(_("The session has ended, so that answer was not saved."))
    if step is None or step.question is None or step.question["id"] != question_key:
        # A tablet that had not caught up yet: the error shows above the step the class is on now.
        raise Conflict(_("Your teacher had moved on, so that answer was not saved. Here is where the class is now."))
    if live.question_state != "open":
        raise Conflict(_("This question is closed, so that answer was not saved."))
    response = clean_response(step.question, choices, text)
    if response is None:
        raise InvalidInput(_("Type an answer first.") if step.question["type"] == "short_answer"
                           else _("Choose an answer first."))
    now = utcnow()
    session.execute(
        _insert(session, LiveAnswer)
        .values(session_id=live.id, user_id=user.id, question_key=question_key, response=response, updated_at=now)
        .on_conflict_do_update(index_elements=["session_id", "user_id", "question_key"],
                               set_={"response": response, "updated_at": now})
    )


def record_participant(session: Session, live: LiveSession, user: User) -> None:
    """The learner opened the session's page: once per session, whatever they reload."""
    if live.ended_at is None:
        session.execute(_insert(session, LiveParticipant).values(session_id=live.id, user_id=user.id,
                                                                  joined_at=utcnow()).on_conflict_do_nothing())


def class_names(session: Session, live: LiveSession) -> dict[int, str]:
    """The class's learners by id, each name told apart from the others'."""
    return told_apart(session.execute(select(User.id, User.display_name, User.username).join(
        ClassroomMember, ClassroomMember.user_id == User.id).where(ClassroomMember.classroom_id == live.classroom_id)
    ).all())


def _in_name_order(names: dict[int, str], leaving_out: set[int]) -> list[str]:
    return sorted((name for user_id, name in names.items() if user_id not in leaving_out), key=str.casefold)


@dataclass(frozen=True)
class Presence:
    joined: int  # learners of the class who opened the session's page (a learner who left the class is not one)
    class_size: int
    not_joined: list[str]  # display names, in name order


def presence(session: Session, live: LiveSession, names: dict[int, str]) -> Presence:
    joined = set(session.scalars(select(LiveParticipant.user_id).where(LiveParticipant.session_id == live.id)))
    return Presence(joined=len(joined & names.keys()), class_size=len(names),
                    not_joined=_in_name_order(names, joined))


@dataclass(frozen=True)
class SummaryRow:
    step: Step
    answered: int
    correct: int
    asked: bool = True  # False when the presenter never opened the question

    @property
    def percent_correct(self) -> float | None:
        return 100 * self.correct / self.answered if self.answered else None


def ended_session_summary(session: Session, live: LiveSession, steps: list[Step]) -> list[SummaryRow]:
    """Each question of an ended session: how many answered, how many rightly (from the practice answers the
    end saved, graded then)."""
    counts = {key: (answered, int(correct or 0)) for key, answered, correct in session.execute(
        select(PracticeAnswer.question_key, func.count(),
               func.sum(case((PracticeAnswer.correct.is_(True), 1), else_=0)))
        .where(PracticeAnswer.live_session_id == live.id).group_by(PracticeAnswer.question_key))}
    opened = live.opened_questions
    return [SummaryRow(step, *counts.get(step.question["id"], (0, 0)),
                       asked=opened is None or step.question["id"] in opened)
            for step in steps if step.question]


@dataclass(frozen=True)
class GivenAnswer:
    text: str  # the letters of the options chosen ("A, C"), or what was typed
    correct: bool


@dataclass(frozen=True)
class AnswersByLearner:
    questions: list[Step]  # the questions the presenter opened, in order
    rows: list[tuple[str, list[GivenAnswer | None]]]  # each learner of the class, in name order; None: no answer
    not_listed: int  # answers of learners no longer in the class: counted in the summary, not named here


def answers_by_learner(session: Session, live: LiveSession, steps: list[Step]) -> AnswersByLearner:
    """Learner by learner, what each answered to each question asked and whether rightly: the teacher sees who to
    help with what. An ended session's answers are the practice answers its end saved (graded then); a running
    session's are its answers so far, graded now."""
    opened = live.opened_questions
    questions = [step for step in steps if step.question and (opened is None or step.question["id"] in opened)]
    by_key = {step.question["id"]: step.question for step in questions}
    if live.ended_at is None:
        answers = [(user_id, key, response, key in by_key and answer_accepted(by_key[key], response))
                   for user_id, key, response in session.execute(
                       select(LiveAnswer.user_id, LiveAnswer.question_key, LiveAnswer.response)
                       .where(LiveAnswer.session_id == live.id))]
    else:
        answers = session.execute(select(PracticeAnswer.user_id, PracticeAnswer.question_key,
                                         PracticeAnswer.response, PracticeAnswer.correct)
                                  .where(PracticeAnswer.live_session_id == live.id)).all()
    letters = {key: {option["id"]: LETTERS[index] for index, option in enumerate(question.get("options") or [])}
               for key, question in by_key.items()}
    given: dict[tuple[int | None, str], GivenAnswer] = {}
    for user_id, key, response, correct in answers:
        text = response if isinstance(response, str) \
            else ", ".join(letters.get(key, {}).get(choice, "?") for choice in response or [])
        given[user_id, key] = GivenAnswer(text, correct)
    names = class_names(session, live)
    return AnswersByLearner(
        questions=questions,
        rows=[(name, [given.get((user_id, key)) for key in by_key])
              for user_id, name in sorted(names.items(), key=lambda item: item[1].casefold())],
        not_listed=sum(1 for user_id, _key in given if user_id not in names))


def set_answer_hidden(session: Session, live: LiveSession, module: Module, question_key: str, text: str,
                      hidden: bool) -> None:
    """Take a typed answer off the presenter's screen (a rude or personal one), or put it back. Every answer with
    the same normalised text goes, as it is counted in one bar; the learners' own answers and records keep it."""
    question = next((question for question in (module.quiz or {}).get("questions") or []
                     if question["id"] == question_key), None)
    answer = normalise_answer(text or "")
    if question is None or question["type"] != "short_answer" or not answer:
        raise InvalidInput(_("There is no such typed answer to hide."))
    if live.ended_at is not None:
        raise Conflict(_("This session has ended."))
    session.refresh(live, with_for_update=True)  # two co-teachers hiding at once both count
    by_question = dict(live.hidden_answers or {})
    texts = [known for known in by_question.get(question_key, []) if known != answer]
    by_question[question_key] = texts + [answer] if hidden else texts
    live.hidden_answers = {key: texts for key, texts in by_question.items() if texts}
    session.flush()


@dataclass(frozen=True)
class Distribution:
    answered: int
    class_size: int  # the class's learners: the presenter sees how many have not answered yet
    bars: list[tuple[str, int, bool]]  # label, count, correct
    not_answered: list[str]  # display names of the class's learners who have not answered, in name order
    hidden: tuple[tuple[str, int], ...] = ()  # typed answers the presenter took off the screen, how many typed each


def answer_distribution(session: Session, live: LiveSession, question: dict[str, Any],
                        names: dict[int, str]) -> Distribution:
    answers = session.execute(select(LiveAnswer.user_id, LiveAnswer.response).where(
        LiveAnswer.session_id == live.id, LiveAnswer.question_key == question["id"])).all()
    responses = [response for _user_id, response in answers]
    if question["type"] == "short_answer":
        accepted = {normalise_answer(answer) for answer in question.get("accepted_answers") or []}
        counts = Counter(normalise_answer(response) for response in responses if isinstance(response, str))
        taken_off = set((live.hidden_answers or {}).get(question["id"], []))
        bars = [(text, count, text in accepted) for text, count in counts.most_common()
                if text not in taken_off][:TYPED_ANSWER_BARS]
        hidden = tuple((text, count) for text, count in counts.most_common() if text in taken_off)
    else:
        hidden = ()
        counts = Counter(option_id for response in responses for option_id in response or [])
        # Markup(...).striptags() turns sanitised option HTML into plain text, which templates escape.
        bars = [(Markup(option["html"]).striptags(), counts.get(option["id"], 0),  # nosec B704
                 bool(option.get("correct")))
                for option in question.get("options") or []]
    not_answered = _in_name_order(names, {user_id for user_id, _response in answers})
    return Distribution(answered=len(responses), class_size=len(names), bars=bars, not_answered=not_answered,
                        hidden=hidden)
