"""IDOR: every route with URL arguments, found in app.url_map, as each person, with the ids, slugs, tokens and codes
of objects that person may not reach — one argument swapped at a time, then all of them at once.

Each person has a table of their own values (what they may open) and of foreign ones (someone else's). Foreign
values must get 403 or 404 (anonymous visitors: sign in first), never someone else's data and never a 500; POSTs
with them change nothing. The own values are checked too, so the 404s prove ownership rules and not bad URLs.
"""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.security.conftest import DRAFT, MARKERS, MODULE, OPEN, PEOPLE, signed_in

SKIPPED = {"static"}  # files from app/static, no objects


def own_and_foreign(world, who: str) -> tuple[dict, dict]:
    """(own, foreign): argument name -> value, or "<endpoint or blueprint>:<argument>" -> value where one name
    means different things (a `code` is a certificate's in /verify and a live session's in /live). Foreign values
    are (value, whose marker must not show)."""
    p = world.people
    public = {"slug": OPEN, "course_slug": OPEN, "module_slug": MODULE, "path": f"images/{OPEN}.png",
              "module_id": world.module.id, "number": 1, "action": "next",
              "learning.verify:code": world.certificate["learner"][1]}
    draft = {"slug": (DRAFT, None), "course_slug": (DRAFT, None), "path": (f"images/{DRAFT}.png", None)}
    learners = {"learner": ("other_learner", "ours", "theirs"), "other_learner": ("learner", "theirs", "ours")}
    trainers = {"trainer": ("ours", "theirs", "learner", "other_learner"),
                "other_trainer": ("theirs", "ours", "other_learner", "learner")}
    hidden_certificate = ("learning.verify:code", (world.certificate["other_learner"][1], MARKERS["other_learner"]))
    if who == "anonymous":
        foreign = {**draft, "token": (world.submitted["learner"], MARKERS["learner"]),
                   "certificate_id": (world.certificate["learner"][0], MARKERS["learner"]),
                   "classroom_id": (world.ours, MARKERS["learner"]), "user_id": (p.learner.id, MARKERS["learner"]),
                   "assignment_id": (world.assignment["ours"], None), "session_id": (world.live["ours"][0], None),
                   "classroom_learner:code": (world.live["ours"][1], None)}
        return public, dict([hidden_certificate], **foreign)
    if who in learners:
        other, mine, theirs = learners[who]
        own = {**public, "token": world.submitted[who], "certificate_id": world.certificate[who][0],
               "classroom_learner:code": world.live[mine][1], "classroom_id": world.__dict__[mine],
               "user_id": getattr(p, who).id, "assignment_id": world.assignment[mine],
               "session_id": world.live[mine][0]}
        foreign = {**draft, "token": (world.submitted[other], MARKERS[other]),
                   "certificate_id": (world.certificate[other][0], MARKERS[other]),
                   "classroom_learner:code": (world.live[theirs][1], None),
                   "classroom_id": (world.__dict__[theirs], MARKERS[other]),
                   "user_id": (getattr(p, other).id, MARKERS[other]),
                   "assignment_id": (world.assignment[theirs], None), "session_id": (world.live[theirs][0], None)}
        if who == "other_learner":
            own["learning.verify:code"] = world.certificate["learner"][1]  # public: anyone with the link
        return own, dict([hidden_certificate], **foreign)
    if who in trainers:
        mine, theirs, member, stranger = trainers[who]
        own = {**public, "slug": DRAFT, "course_slug": DRAFT, "path": f"images/{DRAFT}.png",
               "classroom_id": world.__dict__[mine], "user_id": getattr(p, member).id,
               "classes.remove_trainer:user_id": getattr(p, who).id,
               "assignment_id": world.assignment[mine], "session_id": world.live[mine][0]}
        foreign = {"classroom_id": (world.__dict__[theirs], MARKERS[stranger]),
                   "classes:user_id": (getattr(p, stranger).id, MARKERS[stranger]),
                   "assignment_id": (world.assignment[theirs], None), "session_id": (world.live[theirs][0], None),
                   "token": (world.submitted["learner"], MARKERS["learner"]),
                   "certificate_id": (world.certificate["learner"][0], MARKERS["learner"]),
                   "classroom_learner:code": (world.live[theirs][1], None)}
        return own, dict([hidden_certificate], **foreign)
    # Admins manage every class and every account; what stays foreign is each learner's own record.
    own = {**public, "slug": DRAFT, "course_slug": DRAFT, "path": f"images/{DRAFT}.png", "classroom_id": world.ours,
           "user_id": p.learner.id, "classes.remove_trainer:user_id": p.trainer.id,
           "admin.reset_password:user_id": world.made,  # a new passphrase for lena would lock the sweeps out
           "assignment_id": world.assignment["ours"], "session_id": world.live["ours"][0]}
    foreign = {"token": (world.submitted["learner"], MARKERS["learner"]),
               "certificate_id": (world.certificate["learner"][0], MARKERS["learner"]),
               "classroom_learner:code": (world.live["ours"][1], None),
               "classes:user_id": (p.other_learner.id, MARKERS["other_learner"])}  # not a member of ours
    return own, dict([hidden_certificate], **foreign)


def lookup(table: dict, endpoint: str, argument: str):
    for key in (f"{endpoint}:{argument}", f"{endpoint.split('.')[0]}:{argument}", argument):
        if key in table:
            return table[key]
    return None


def build(rule, values: dict) -> str:
    url = rule.rule
    for argument in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{argument}>", str(values[argument]), url)
    return url


def object_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.arguments and rule.endpoint not in SKIPPED]


def foreign_requests(app, world, who):
    """(method, url, markers) for every object rule: each argument with a foreign value swapped in alone, then all."""
    own, foreign = own_and_foreign(world, who)
    for rule in object_rules(app):
        base = {argument: lookup(own, rule.endpoint, argument) for argument in rule.arguments}
        swaps = {argument: lookup(foreign, rule.endpoint, argument) for argument in rule.arguments}
        swaps = {argument: value for argument, value in swaps.items() if value is not None}
        variants = [{argument: value} for argument, value in swaps.items()]
        if len(swaps) > 1:
            variants.append(swaps)
        for variant in variants:
            values = {**base, **{argument: value for argument, (value, _marker) in variant.items()}}
            if any(value is None for value in values.values()):
                values = {argument: (value if value is not None else 1) for argument, value in values.items()}
            markers = {marker for _value, marker in variant.values() if marker}
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method, build(rule, values), markers


def refused(response, who: str) -> bool:
    if response.status_code in (403, 404):
        return True
    if who == "anonymous":
        return response.status_code == 401 or (response.status_code == 302
                                               and response.headers["Location"].startswith("/signin"))
    return False


def snapshot(app) -> dict:
    """Every row of every table but the sign-in bookkeeping, to prove refused POSTs wrote nothing."""
    with app.app_context():
        state = {}
        for table in db.metadata.sorted_tables:
            if table.name == "login_sessions":
                continue
            columns = [column for column in table.columns if column.name not in ("last_sign_in_at", "last_seen_at")]
            state[table.name] = sorted(repr(tuple(row)) for row in db.session.execute(select(*columns)))
        return state


def test_the_sweep_covers_every_route_with_url_arguments(app, world):
    swept = {rule.endpoint for who in PEOPLE for rule, *_rest in foreign_requests(app, world, who)}
    expected = {rule.endpoint for rule in object_rules(app)}
    # A route whose arguments name nothing anyone owns (a revision number, a live action) is swept through the
    # other arguments of its URL; none is left out.
    assert expected == swept


@pytest.mark.parametrize("who", PEOPLE)
def test_nobody_reaches_anothers_objects_by_changing_an_id_in_the_url(app, world, who):
    user = getattr(world.people, who)
    client = signed_in(app, user)
    before = snapshot(app)
    failures = []
    for rule, method, url, markers in foreign_requests(app, world, who):
        response = client.open(url, method=method, data={"version": "1", "public": "1", "question": "q-m1-single",
                                                         "choice": "b", "source": "x", "module_id": world.module.id})
        if not refused(response, who) or any(marker.encode() in response.data for marker in markers):
            failures.append(f"{method} {url} ({rule.endpoint}) -> {response.status_code}")
    assert not failures, f"{who} reached someone else's object:\n" + "\n".join(failures)
    assert snapshot(app) == before, f"a refused request by {who} changed the database"


def test_own_values_open_every_object_page_for_someone_so_the_refusals_are_about_ownership(app, world):
    opened, errors = set(), []
    for who in PEOPLE:
        client = signed_in(app, getattr(world.people, who))
        own, _foreign = own_and_foreign(world, who)
        for rule in object_rules(app):
            values = {argument: lookup(own, rule.endpoint, argument) for argument in rule.arguments}
            if "GET" not in rule.methods or None in values.values():
                continue
            status = client.get(build(rule, values)).status_code
            opened.update([rule.endpoint] if status == 200 else [])
            errors.extend([f"{who} {build(rule, values)}"] if status >= 500 else [])
    assert not errors
    assert opened == {rule.endpoint for rule in object_rules(app) if "GET" in rule.methods}
