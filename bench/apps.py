"""The WSGI apps the benchmarks serve: Article 26 itself, and the bare Flask baseline."""

from flask import Flask

hello = Flask("hello")


@hello.get("/")
def say_hello():
    return "Hello, World!"


def article26():
    """The production configuration (from the environment), with sign-in rate limits off: the benchmark signs
    hundreds of learners in from one loopback address during its untimed setup."""
    from app import create_app
    from config import ProductionConfig

    return create_app(ProductionConfig, {"RATELIMIT_ENABLED": False})


PAGE_FLOOR_BODY = "x" * 4192  # the size of the benchmark's module page


def article26_with_page_floors():
    """Article 26 plus two routes that stop part-way through the module page's work, served by a server of their
    own (the module page is never measured on this one). They show how much of the page's cost every signed-in
    request pays before the page does anything of its own:
    - `/bench/floor/signed-in`: loads the signed-in user as every page does, then returns a body of the page's size;
    - `/bench/floor/page-statement/<course>/<module>`: the same after running the module page's statement; no template.
    """
    from flask_login import current_user, login_required

    from app.extensions import db
    from app.learning import queries
    from app.transactions import statements_commit_one_by_one

    application = article26()

    @application.get("/bench/floor/signed-in")
    @statements_commit_one_by_one
    @login_required
    def signed_in_floor():
        return PAGE_FLOOR_BODY

    @application.get("/bench/floor/page-statement/<course_slug>/<module_slug>")
    @statements_commit_one_by_one
    @login_required
    def page_statement_floor(course_slug: str, module_slug: str):
        if queries.module_page(db.session, current_user.id, course_slug, module_slug,
                               with_facilitator_notes=False) is None:
            return "no such module", 404
        return PAGE_FLOOR_BODY

    return application
