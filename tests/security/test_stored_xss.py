"""Stored XSS through every field that shows user or trainer text, entered through the real forms: display name,
class name, course title, summary and introduction, module body, quiz prompt, option, feedback and explanation (via
the editor), short answers to a quiz and to a live question. Every page where they show is rendered, and parsed:
the payload may appear only as text — no script element but the site's own, no on* attribute, no javascript: URL.
(Usernames cannot carry markup at all: a–z, digits, dots, hyphens and underscores; the content tests hold the
sanitiser's own corpus.)"""

import re
from html.parser import HTMLParser

from sqlalchemy import select

from app.classrooms.models import Classroom, LiveSession
from app.extensions import db
from app.learning.models import Certificate
from tests.security.conftest import signed_in

PAYLOAD = ('XSS"\'><script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>'
           '<a href="javascript:alert(4)">x</a>')
# Course text may not name an image that is not in the course (the editor refuses it), so it goes without one.
CONTENT_PAYLOAD = PAYLOAD.replace("<img src=x onerror=alert(2)>", "")
MARKDOWN_PAYLOAD = (f"{CONTENT_PAYLOAD}\n\n[click](javascript:alert(5)) "
                    "<iframe src=\"javascript:alert(7)\"></iframe> <div style=\"x\" onclick=\"alert(8)\">d</div>")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "srcset"}


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.text.extend(value for _name, value in attrs if value)  # a form field shows its value
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and value and re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(
                    ("javascript:", "vbscript:", "data:text")):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
        if tag == "script" and not (dict(attrs).get("src") or "").startswith("/static/"):
            self.problems.append("<script> that is not the site's own")
        if tag in ("iframe", "object", "embed", "base", "frame"):  # (the site's own inline SVG icons are fine)
            self.problems.append(f"<{tag}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.problems.append("<img src=x>")

    def handle_data(self, data):
        self.text.append(data)


def assert_escaped(page: str, where: str, *, shown: bool = True) -> None:
    parser = Elements()
    parser.feed(page)
    assert not parser.problems, f"{where}: {parser.problems}"
    if shown:
        assert "xss" in "".join(parser.text).lower(), f"{where}: the field is not on the page, so this proves nothing"


def editor_course(trainer, world) -> None:
    """A course made in the browser editor, every text field carrying the payload, published."""
    assert trainer.post("/author/new", data={"slug": "xss-course", "title": CONTENT_PAYLOAD, "summary": CONTENT_PAYLOAD,
                                             "audiences": "student", "language": "en",
                                             "estimated_minutes": "20"}).status_code == 302
    with trainer.application.app_context():
        from app.catalog.models import Course

        source = db.session.scalar(select(Course.source).where(Course.slug == "xss-course"))
    source = source.rstrip() + f"\n\n{MARKDOWN_PAYLOAD}\n"
    saved = trainer.post("/author/xss-course/course", data={"source": source, "version": "1", "save": "1"})
    assert saved.status_code == 302, re.findall(r"<li[^>]*>[^<]*[Ll]ine[^<]*</li>|class=\"problem[^>]*>.*?<", saved.text)
    module = (
        "---\ntitle: Module XSS\nestimated_minutes: 10\nobjectives:\n  - Stay safe.\nstandards: [UDHR-1]\n---\n"
        f"## Introduction\n\n{MARKDOWN_PAYLOAD}\n\n"
        ":::quiz pass=70 attempts=3\n\n"
        f"### {CONTENT_PAYLOAD} {{#xss-choice}}\n- [x] {CONTENT_PAYLOAD}\n  > {CONTENT_PAYLOAD}\n- [ ] Other\n"
        f"Explanation: {CONTENT_PAYLOAD}\n\n"
        f"### Type the article {{#xss-short}}\nAccept: 26\nExplanation: {CONTENT_PAYLOAD}\n:::\n"
    )
    created = trainer.post("/author/xss-course/modules/new", data={"slug": "xss-module", "source": module,
                                                                   "save": "1"})
    assert created.status_code == 302, created.text[:3000]
    assert trainer.post("/author/xss-course/publish").status_code == 302


def test_stored_payloads_render_only_as_text_on_every_page_that_shows_them(app, world):
    people = world.people
    learner, trainer, admin = (signed_in(app, people.learner), signed_in(app, people.trainer),
                               signed_in(app, people.admin))
    assert learner.post("/account", data={"display_name": PAYLOAD[:120], "audience": "student",
                                          "language": "en"}).status_code == 302
    assert trainer.post("/classes/new", data={"name": PAYLOAD[:120], "audience": "student"}).status_code == 302
    editor_course(trainer, world)
    with app.app_context():
        xss_class = db.session.scalar(select(Classroom).where(Classroom.name == PAYLOAD[:120]))
        class_id, join_code = xss_class.id, xss_class.join_code
    assert learner.post("/join", data={"code": join_code}).status_code == 302
    with app.app_context():
        from app.catalog.models import Course, Module

        course_id = db.session.scalar(select(Course.id).where(Course.slug == "xss-course"))
        module_id = db.session.scalar(select(Module.id).where(Module.slug == "xss-module"))
    assert trainer.post(f"/classes/{class_id}/assignments", data={"target": f"course:{course_id}"}).status_code == 302

    quiz = "/courses/xss-course/m/xss-module/quiz"
    learner.post(f"{quiz}/attempts")
    token = re.search(r"/quiz/attempts/([A-Za-z0-9_-]+)/submit", learner.get(quiz).text).group(1)
    assert learner.post(f"{quiz}/attempts/{token}/submit", data={"q-xss-choice": "a", "q-xss-short": PAYLOAD}
                        ).status_code == 302
    learner.post(f"{quiz}/attempts")  # a second, passing attempt: the certificate carries the payload names too
    second = re.search(r"/quiz/attempts/([A-Za-z0-9_-]+)/submit", learner.get(quiz).text).group(1)
    learner.post(f"{quiz}/attempts/{second}/submit", data={"q-xss-choice": "a", "q-xss-short": "26"})

    assert trainer.post(f"/classes/{class_id}/live", data={"module_id": module_id}).status_code == 302
    with app.app_context():
        live = db.session.scalar(select(LiveSession).where(LiveSession.classroom_id == class_id))
        live_id, live_code = live.id, live.code
    presenter = f"/classes/{class_id}/live/{live_id}"
    for _step in range(3):  # to the short-answer question, opened
        version = re.search(r'name="version"[^>]*value="(\d+)"', trainer.get(presenter).text).group(1)
        trainer.post(f"{presenter}/next", data={"version": version})
        if "xss-short" in trainer.get(presenter).text or "Type the article" in trainer.get(presenter).text:
            break
    page = trainer.get(presenter).text
    for action in ("open",):
        version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
        trainer.post(f"{presenter}/{action}", data={"version": version})
    learner.post(f"/live/{live_code}/answer", data={"question": "xss-short", "text": PAYLOAD})
    with app.app_context():
        certificate_code = db.session.scalar(select(Certificate.code).where(
            Certificate.user_id == people.learner.id, Certificate.course_title == CONTENT_PAYLOAD))

    pages = [
        (learner, "/account"), (learner, "/learning"), (learner, "/join"), (learner, "/courses"),
        (learner, "/courses/xss-course"), (learner, "/courses/xss-course/m/xss-module"), (learner, quiz),
        (learner, f"{quiz}/attempts/{token}"), (learner, "/standards"), (learner, f"/live/{live_code}"),
        (learner, f"/live/{live_code}/stage"),
        (trainer, "/classes"), (trainer, f"/classes/{class_id}"), (trainer, f"/classes/{class_id}/report"),
        (trainer, f"/classes/{class_id}/learners/{people.learner.id}"),
        (trainer, f"/classes/{class_id}/items/{module_id}"), (trainer, f"/classes/{class_id}/standards"),
        (trainer, f"/classes/{class_id}/accounts"), (trainer, presenter), (trainer, f"{presenter}/results"),
        (trainer, "/author/"), (trainer, "/author/xss-course"), (trainer, "/author/xss-course/course"),
        (trainer, "/author/xss-course/m/xss-module"), (trainer, "/author/xss-course/m/xss-module/history"),
        (trainer, "/courses/xss-course/m/xss-module"),
        (admin, "/admin/users"), (admin, "/admin/audit"), (admin, f"/classes/{class_id}"),
    ]
    assert certificate_code, "the learner completed the payload course"
    pages.append((app.test_client(), f"/verify/{certificate_code}"))
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.text, url, shown=url not in ("/standards",))
    assert_escaped(trainer.post("/author/xss-course/preview", data={"source": MARKDOWN_PAYLOAD}).json["html"],
                   "preview", shown=False)
