"""The browser editor for trainers and admins. Every route is gated by the blueprint."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app import content
from app.access import can_author_courses, gate
from app.authoring import queries, services
from app.authoring.forms import (
    NEW_MODULE_TEMPLATE,
    ImageUploadForm,
    NewCourseForm,
    NewModuleForm,
    RestoreForm,
    SourceForm,
)
from app.catalog.models import ContentRevision, Course, Module
from app.catalog.queries import all_courses, asset_paths, course_by_slug
from app.catalog.services import quiz_as_data
from app.errors import Conflict, DomainError, InvalidInput, error_response, wants_json
from app.extensions import db
from app.quizzes.presenters import questions_for_author

bp = Blueprint("authoring", __name__, url_prefix="/author", template_folder="templates")
bp.before_request(gate(can_author_courses))


def load_course(slug: str) -> Course:
    course = course_by_slug(db.session, slug, with_modules=True)
    if course is None:
        abort(404)
    return course


def load_module(course: Course, module_slug: str) -> Module:
    module = next((module for module in course.modules if module.slug == module_slug and not module.archived), None)
    if module is None:
        abort(404)
    return module


@bp.route("/")
def index():
    return render_template("authoring/index.html", courses=db.session.scalars(all_courses()).all())


@bp.route("/help/course-format")
def course_format_guide():
    return render_template("authoring/guide.html", guide=services.course_format_guide())


@bp.route("/new", methods=["GET", "POST"])
def new_course():
    form = NewCourseForm()
    if form.validate_on_submit():
        try:
            course = services.create_course(
                db.session, slug=form.slug.data, title=form.title.data, summary=form.summary.data,
                audiences=form.audiences.data, language=form.language.data,
                estimated_minutes=form.estimated_minutes.data, author=current_user)
        except DomainError as error:
            db.session.rollback()
            form[getattr(error, "field", "slug")].errors.append(error.message)  # a Conflict is about the address
        else:
            db.session.commit()
            flash(_("Course created as a draft. Add its first module."), "success")
            return redirect(url_for("authoring.course", slug=course.slug))
    return render_template("authoring/new_course.html", form=form)


@bp.route("/<slug>")
def course(slug: str):
    course = load_course(slug)
    return render_template("authoring/course.html", course=course, upload_form=ImageUploadForm(),
                           images=sorted(asset_paths(db.session, course.id)))


@bp.route("/<slug>/publish", methods=["POST"])
@bp.route("/<slug>/unpublish", methods=["POST"], endpoint="unpublish")
def publish(slug: str):
    course = load_course(slug)
    publishing = request.endpoint == "authoring.publish"
    try:
        checked = services.set_published(db.session, course, publishing, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("authoring.course", slug=slug))
    if checked.errors:
        db.session.rollback()
        flash(_("course.md has errors; fix them before publishing."), "error")
    else:
        db.session.commit()
        flash(_("Published: learners can see this course.") if publishing else
              _("Unpublished: only trainers can see this course."), "success")
    return redirect(url_for("authoring.course", slug=slug))


ARCHIVED_MODULES_ANCHOR = "archived-modules"
IMAGES_ANCHOR = "images"


@bp.route("/<slug>/m/<module_slug>/archive", methods=["POST"])
def archive_module(slug: str, module_slug: str):
    course = load_course(slug)
    module = load_module(course, module_slug)
    try:
        services.archive_module(db.session, module, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("authoring.course", slug=slug, _anchor=f"module-{module_slug}"))
    db.session.commit()
    flash(_("“%(title)s” is archived: learners no longer see it; their progress in it is kept.",
            title=module.title), "success")
    # Where the module went (and where Tab continues from), not the top of the page.
    return redirect(url_for("authoring.course", slug=slug, _anchor=ARCHIVED_MODULES_ANCHOR))


@bp.route("/<slug>/m/<module_slug>/move-up", methods=["POST"], defaults={"steps": -1}, endpoint="move_module_up")
@bp.route("/<slug>/m/<module_slug>/move-down", methods=["POST"], defaults={"steps": 1}, endpoint="move_module_down")
def move_module(slug: str, module_slug: str, steps: int):
    course = load_course(slug)
    module = load_module(course, module_slug)
    if services.move_module(module, steps):
        db.session.commit()
        flash(_("“%(title)s” moved up.", title=module.title) if steps < 0 else
              _("“%(title)s” moved down.", title=module.title), "success")
    return redirect(url_for("authoring.course", slug=slug, _anchor=f"module-{module_slug}"))


@bp.route("/<slug>/m/<module_slug>/unarchive", methods=["POST"])
def restore_module(slug: str, module_slug: str):
    course = load_course(slug)
    module = next((module for module in course.modules if module.slug == module_slug and module.archived), None)
    if module is None:
        abort(404)
    services.restore_module(db.session, module, current_user)
    db.session.commit()
    flash(_("“%(title)s” is back in the course.", title=module.title), "success")
    return redirect(url_for("authoring.course", slug=slug, _anchor=f"module-{module_slug}"))


@bp.route("/<slug>/images", methods=["POST"])
def upload_image(slug: str):
    course = load_course(slug)
    form = ImageUploadForm()
    if form.validate_on_submit():
        upload = form.image.data
        try:
            uploaded = services.upload_image(db.session, course, upload.filename or "image", upload.read())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            path = uploaded.asset.path
            if uploaded.outcome == "replaced":
                flash(_("Replaced %(path)s: every module that shows it now shows the new image.", path=path), "success")
            elif uploaded.outcome == "unchanged":
                flash(_("%(path)s was already uploaded with exactly this content: nothing changed.", path=path), "info")
            else:
                flash(_("Uploaded. Use it in Markdown as: ![Describe the image](%(path)s)", path=path), "success")
    else:
        flash(" ".join(form.image.errors) or _("Choose an image to upload."), "error")
    return redirect(url_for("authoring.course", slug=slug))


@bp.route("/<slug>/images/<path:path>/delete", methods=["POST"])
def delete_image(slug: str, path: str):
    course = load_course(slug)
    try:
        services.delete_image(db.session, course, path)
    except InvalidInput as error:  # still shown somewhere; an unknown image is a 404
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Deleted %(path)s.", path=path), "success")
    return redirect(url_for("authoring.course", slug=slug, _anchor=IMAGES_ANCHOR))


@bp.errorhandler(RequestEntityTooLarge)
def request_too_large(error: RequestEntityTooLarge):
    """A body over MAX_CONTENT_LENGTH is refused while it is read, before the view (and the blueprint's gate) runs.
    An image that large gets the course page and the message of any image over the limit, as smaller ones do;
    anything else gets the generic page."""
    if request.endpoint == "authoring.upload_image" and not wants_json() \
            and current_user.is_authenticated and can_author_courses(current_user):
        flash(_("Images can be at most 2 MB."), "error")
        return redirect(url_for("authoring.course", slug=request.view_args["slug"]))
    return error_response(413)


@bp.route("/<slug>/course", methods=["GET", "POST"])
def edit_course_file(slug: str):
    course = load_course(slug)
    return _edit_source(course, None)


@bp.route("/<slug>/m/<module_slug>", methods=["GET", "POST"])
def edit_module(slug: str, module_slug: str):
    course = load_course(slug)
    return _edit_source(course, load_module(course, module_slug))


def _expected_version(posted: str | None) -> int:
    """The version the editor was opened at (a hidden field): a tampered value is a bad request, not a crash."""
    if posted and not posted.isdigit():
        abort(400)
    return int(posted or 0)


def _edit_source(course: Course, module: Module | None):
    """One editor for course.md and module files: preview, save with optimistic locking, errors by line."""
    current_source, current_version = (module.source, module.version) if module else (course.source, course.version)
    form = SourceForm()
    if request.method == "GET":
        form.source.data, form.version.data = current_source, str(current_version)
    checked, conflict = None, None
    if form.validate_on_submit():
        text = (form.source.data or "").replace("\r\n", "\n")  # a post without the field is an empty document
        if form.save.data:
            try:
                expected = _expected_version(form.version.data)
                if module:
                    checked = services.save_module(db.session, module, text, expected_version=expected,
                                                   author=current_user)
                else:
                    checked = services.save_course(db.session, course, text, expected_version=expected,
                                                   author=current_user)
            except Conflict:
                db.session.rollback()
                db.session.refresh(module or course)
                latest = module or course
                conflict = {"source": latest.source, "diff": queries.line_diff(latest.source, text),
                            "revision": queries.latest_revision(db.session, course, module)}
                form.version.data = str(latest.version)
                checked = _check(course, module, text)  # the preview shows the text in this person's editor
            else:
                if checked.unchanged:
                    flash(_("No changes to save."), "info")
                    return redirect(request.path)
                if not checked.errors:
                    db.session.commit()
                    flash(_("Saved."), "success")
                    for warning in checked.problems:  # e.g. a question learners answered was renamed: said again
                        flash(_("Line %(n)d: %(message)s", n=warning.line, message=warning.message), "warning")
                    return redirect(request.path)
                db.session.rollback()
        else:
            checked = _check(course, module, text)
    # Text with errors does not render: the pane shows the saved version meanwhile (and says so), not nothing.
    preview_html = _preview_html(checked, module, course) or _preview_html(None, module, course)
    return render_template("authoring/edit_source.html", course=course, module=module, form=form,
                           checked=checked, conflict=conflict, preview_html=preview_html)


def _check(course: Course, module: Module | None, text: str) -> services.Checked:
    if module is None:
        return services.check_course_source(db.session, course, text)
    return services.check_module_source(db.session, course, text, module.filename, module)


def _preview_html(checked: services.Checked | None, module: Module | None, course: Course) -> str:
    if checked is not None and checked.parsed is not None:
        parsed = checked.parsed
        return _module_preview(parsed) if module else parsed.intro_html
    if checked is None:
        return _module_preview_html(module.trainer_html, module.quiz) if module else course.intro_html
    return ""


def _module_preview(parsed: content.Module) -> str:
    return _module_preview_html(parsed.trainer_html, quiz_as_data(parsed.quiz))


def _module_preview_html(trainer_html: str, quiz: dict | None) -> str:
    """A module as its trainers check it: the text with facilitator notes, then the quiz with its answers marked
    (the quiz block is not part of the text)."""
    if not quiz:
        return trainer_html
    return trainer_html + render_template("authoring/_quiz_preview.html", quiz=quiz,
                                          groups=questions_for_author(quiz))


NEW_MODULE_PLACEHOLDER_SLUG = "new-module"  # checks a new module's text before its address is typed


def _check_new_module(course: Course, typed_slug: str, text: str) -> services.Checked:
    slug = typed_slug if services.SLUG.match(typed_slug or "") else NEW_MODULE_PLACEHOLDER_SLUG
    return services.check_module_source(db.session, course, text, services.next_module_filename(course, slug))


@bp.route("/<slug>/preview", methods=["POST"])
def preview(slug: str):
    """Live preview for the editor's script: the rendered HTML (sanitised) and the problems, as JSON."""
    course = load_course(slug)
    text = request.form.get("source", "").replace("\r\n", "\n")
    if "new_module_slug" in request.form:  # the new-module page: a module file, not the course file
        checked = _check_new_module(course, request.form["new_module_slug"].strip(), text)
        html = _module_preview(checked.parsed) if checked.parsed else ""
    else:
        module_slug = request.form.get("module", "")
        module = load_module(course, module_slug) if module_slug else None
        checked = _check(course, module, text)
        html = _preview_html(checked, module, course)
    return jsonify({
        "html": html,
        "problems": [{"line": p.line, "message": p.message, "severity": p.severity} for p in checked.problems],
        "problems_html": render_template("authoring/_problem_list.html", checked=checked, live=True),
    })


@bp.route("/<slug>/modules/new", methods=["GET", "POST"])
def new_module(slug: str):
    course = load_course(slug)
    form = NewModuleForm()
    if request.method == "GET":
        form.source.data = NEW_MODULE_TEMPLATE.format(title=_("New module"))
    checked = None
    if form.validate_on_submit():
        text = form.source.data.replace("\r\n", "\n")
        try:
            if form.save.data:
                module, checked = services.create_module(db.session, course, slug=form.slug.data, text=text,
                                                         author=current_user)
                if module is not None:
                    db.session.commit()
                    flash(_("Module created."), "success")
                    return redirect(url_for("authoring.edit_module", slug=slug, module_slug=module.slug))
                db.session.rollback()
            else:
                checked = _check_new_module(course, form.slug.data, text)
        except DomainError as error:
            db.session.rollback()
            form.slug.errors.append(error.message)
    preview_html = _module_preview(checked.parsed) if checked and checked.parsed else ""
    return render_template("authoring/new_module.html", course=course, form=form, checked=checked,
                           preview_html=preview_html)


@bp.route("/<slug>/m/<module_slug>/history")
def history(slug: str, module_slug: str):
    course = load_course(slug)
    module = load_module(course, module_slug)
    revisions = queries.revisions_of_module(db.session, module)
    asked = request.args.get("revision")
    selected = next((r for r in revisions if str(r.number) == asked), None)
    if asked is not None and selected is None:
        abort(404)  # not a revision of this module: say so rather than show the list as if nothing was asked
    diff = queries.line_diff(selected.source, module.source) if selected else None
    return render_template("authoring/history.html", course=course, module=module, revisions=revisions,
                           selected=selected, diff=diff, restore_form=RestoreForm(version=str(module.version)))


@bp.route("/<slug>/m/<module_slug>/restore/<int:number>", methods=["POST"])
def restore(slug: str, module_slug: str, number: int):
    course = load_course(slug)
    module = load_module(course, module_slug)
    form = RestoreForm()
    if not form.validate_on_submit():
        abort(400)
    revision = db.session.scalar(db.select(ContentRevision).where(
        ContentRevision.module_id == module.id, ContentRevision.number == number))
    if revision is None:
        abort(404)
    try:
        checked = services.restore_revision(db.session, module, revision,
                                            expected_version=_expected_version(form.version.data),
                                            author=current_user)
    except Conflict:
        db.session.rollback()
        flash(_("Someone saved this module since you opened the history. Nothing was changed."), "error")
        return redirect(url_for("authoring.history", slug=slug, module_slug=module_slug))
    if checked.errors:
        db.session.rollback()
        flash(_("That revision no longer passes validation: %(problem)s", problem=str(checked.errors[0])), "error")
    elif checked.unchanged:
        flash(_("Revision %(n)d is the same as the current text: nothing to restore.", n=number), "info")
    else:
        db.session.commit()
        flash(_("Revision %(n)d restored as a new revision.", n=number), "success")
    return redirect(url_for("authoring.edit_module", slug=slug, module_slug=module_slug))
