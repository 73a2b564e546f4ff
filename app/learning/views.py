"""The learner's path: catalog, course and module pages, My learning, certificates, standards index."""

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.access import can_read_course, can_see_facilitator_notes, owns_record
from app.auth.forms import ConfirmForm
from app.auth.limits import note_wrong_password, password_check_limit
from app.errors import DomainError, NotFound, error_response
from app.extensions import db, utcnow
from app.learning import certificate_pdf, privacy, queries, services
from app.learning.forms import CatalogFilterForm, DeleteAccountForm, audience_label, language_label
from app.transactions import statements_commit_one_by_one

bp = Blueprint("learning", __name__, template_folder="templates")


def readable_course_or_404(slug: str, *, with_intro: bool = False):
    course = queries.course_with_modules(db.session, slug, with_intro=with_intro)
    if course is None or not can_read_course(current_user, course):  # unknown and unpublished read the same
        raise NotFound(_("This course is not, or no longer, on offer: a trainer may have taken it off the catalogue. "
                         "Anything you did in it is kept, in My learning."))
    return course


def active_module_or_404(course, module_slug: str):
    module = next((module for module in course.active_modules if module.slug == module_slug), None)
    if module is None:
        abort(404)
    return module


def owned_certificate_or_404(certificate_id: int):
    certificate = queries.certificate_by_id(db.session, certificate_id)
    # Someone else's certificate is "not found", not "forbidden": ids reveal nothing.
    if certificate is None or not owns_record(current_user, certificate):
        abort(404)
    return certificate


@bp.route("/courses")
def catalog():
    form = CatalogFilterForm(request.args, meta={"csrf": False})
    catalog = queries.catalog_for(db.session, current_user, form.audience.data or "", form.language.data or "")
    form.set_choices(catalog.audiences, catalog.languages)
    form.audience.data, form.language.data = catalog.audience, catalog.language
    return render_template("learning/catalog.html", catalog=catalog, form=form)


@bp.route("/courses/<slug>")
def course(slug: str):
    course = readable_course_or_404(slug, with_intro=True)
    progress = queries.course_progress(db.session, current_user, course)
    standards = queries.standards_by_code(db.session, course.standards or [])
    return render_template("learning/course.html", course=course, progress=progress, standards=standards)


@bp.route("/courses/<slug>/enrol", methods=["POST"])
@login_required
def enrol(slug: str):
    course = readable_course_or_404(slug)
    if not course.is_published or not ConfirmForm().validate_on_submit():
        abort(400)
    services.enrol(db.session, current_user, course)
    db.session.commit()
    flash(_("You are enrolled in %(title)s.", title=course.title), "success")
    if request.args.get("start") and course.active_modules:  # "Start the course": enrolled, on to its first module
        return redirect(url_for("learning.module", slug=course.slug, module_slug=course.active_modules[0].slug))
    return redirect(url_for("learning.course", slug=course.slug))


@bp.route("/courses/<slug>/leave", methods=["POST"])
@login_required
def leave_course(slug: str):
    course = readable_course_or_404(slug)
    try:
        privacy.leave_course(db.session, current_user, course)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("learning.course", slug=course.slug))
    db.session.commit()
    flash(_("You left %(title)s: it is no longer in My learning, and your progress in it is deleted.",
            title=course.title), "success")
    return redirect(url_for("learning.dashboard"))


@bp.route("/courses/<slug>/m/<module_slug>")
@statements_commit_one_by_one
@login_required
def module(slug: str, module_slug: str):
    page = queries.module_page(db.session, current_user.id, slug, module_slug,
                               with_facilitator_notes=can_see_facilitator_notes(current_user))
    if page is None or not can_read_course(current_user, page.course):
        raise NotFound(_("This module is not, or no longer, on offer: a trainer may have removed it, or taken its "
                         "course off the catalogue. Anything you did in it is kept, in My learning."))
    html = render_template(
        "learning/module.html", page=page, course=page.course, module=page.module, progress=page.progress,
        completes_by_hand=not page.module.has_quiz or not services.quizzes_required(page.course),
        quiz_url=url_for("quizzes.quiz_page", course_slug=slug, module_slug=module_slug)
        if page.module.has_quiz else None,
    )
    if page.course.is_published and services.record_module_visit(db.session, current_user, page.module,
                                                                  page.progress):
        db.session.commit()
    return html


@bp.route("/courses/<slug>/m/<module_slug>/complete", methods=["POST"])
@login_required
def complete_module(slug: str, module_slug: str):
    course = readable_course_or_404(slug)
    module = active_module_or_404(course, module_slug)
    if not course.is_published or not ConfirmForm().validate_on_submit():
        abort(400)
    if module.has_quiz and services.quizzes_required(course):
        flash(_("This module is complete when you pass its quiz."), "warning")
        return redirect(url_for("learning.module", slug=slug, module_slug=module_slug))
    certificate = services.mark_module_complete(db.session, current_user, module)
    db.session.commit()
    flash(_("Module completed."), "success")
    if certificate is not None:
        flash(_("You completed the course. Your certificate is ready."), "success")
        return redirect(url_for("learning.certificate", certificate_id=certificate.id))
    progress = queries.course_progress(db.session, current_user, course)
    following = progress.resume_module
    if following is None:
        return redirect(url_for("learning.course", slug=slug))
    return redirect(url_for("learning.module", slug=slug, module_slug=following.slug))


@bp.route("/learning")
@login_required
def dashboard():
    return render_template("learning/dashboard.html", dashboard=queries.dashboard_for(db.session, current_user))


@bp.route("/certificates/<int:certificate_id>")
@login_required
def certificate(certificate_id: int):
    certificate = owned_certificate_or_404(certificate_id)
    return render_template("learning/certificate.html", certificate=certificate,
                           instruments=queries.instruments_covered(db.session, certificate.standards or []),
                           pdf_available=certificate_pdf.pdf_available())


@bp.route("/certificates/<int:certificate_id>/certificate.pdf")
@login_required
def certificate_download(certificate_id: int):
    certificate = owned_certificate_or_404(certificate_id)
    if not certificate_pdf.pdf_available():
        abort(404)
    verify_url = url_for("learning.verify", code=certificate.code, _external=True)
    data = certificate_pdf.render_certificate(
        certificate, verify_url, queries.instruments_covered(db.session, certificate.standards or []))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{certificate.id}.pdf"'})


@bp.route("/certificates/<int:certificate_id>/visibility", methods=["POST"])
@login_required
def certificate_visibility(certificate_id: int):
    certificate = owned_certificate_or_404(certificate_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    public = request.form.get("public") == "1"
    services.set_certificate_public(db.session, certificate, public)
    db.session.commit()
    flash(_("Anyone with the link can verify this certificate.") if public
          else _("The verification page is hidden."), "success")
    return redirect(url_for("learning.certificate", certificate_id=certificate.id))


# Whoever holds a verification link may check it; a search engine must not list a defender's name beside a course.
NOT_FOR_SEARCH_ENGINES = {"X-Robots-Tag": "noindex, nofollow, noarchive"}


@bp.route("/verify/<code>")
def verify(code: str):
    certificate = queries.public_certificate(db.session, code)
    if certificate is None:  # unknown and hidden alike: the page must not tell them apart
        return error_response(404, _("No certificate can be verified with this code. Check it with the holder: "
                                     "they may also have chosen to hide it."), NOT_FOR_SEARCH_ENGINES)
    standards = queries.standards_by_code(db.session, certificate.standards or [])
    # In the registry's order, not in the order modules cite them; a code the registry no longer knows goes last.
    codes = [*standards, *(code for code in certificate.standards or [] if code not in standards)]
    return render_template("learning/verify.html", certificate=certificate, codes=codes, standards=standards), \
        NOT_FOR_SEARCH_ENGINES


@bp.route("/standards")
def standards():
    return render_template("learning/standards.html", index=queries.standards_index(db.session, current_user))


@bp.route("/account/export")
@login_required
def export_data():
    data = privacy.export_user_data(db.session, current_user)
    # No username in the name: a file name is what a seized phone's download list shows first.
    filename = f"article26-my-data-{utcnow().date().isoformat()}.json"
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@password_check_limit
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            privacy.erase_account(db.session, current_user, form.password.data)
        except DomainError as error:
            db.session.rollback()
            note_wrong_password(error)
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your account is deleted. Your answers remain only as anonymous statistics."), "success")
            return redirect(url_for("core.home"))
    return render_template("learning/delete_account.html", form=form)


bp.add_app_template_filter(audience_label, "audience_label")
bp.add_app_template_filter(language_label, "language_label")


@bp.app_template_filter("percent")
def percent_filter(score: float | None) -> str:
    return "" if score is None else f"{score:.0f}%"

