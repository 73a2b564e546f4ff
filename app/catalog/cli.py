"""`flask --app app courses check|sync|export`."""

import hashlib
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app import content
from app.catalog.export import FolderEditsWouldBeLost, courses_to_export, export_course
from app.catalog.services import sync_standards
from app.catalog.sync import folder_fingerprint, stored_fingerprint, sync_course
from app.extensions import db

courses_cli = AppGroup("courses", help="Check, sync and export course folders.")


def _courses_dir(path: str | None) -> Path:
    return Path(path or current_app.config["COURSES_DIR"])


def _print_problems(problems) -> None:
    for problem in problems:
        click.echo(str(problem))


@courses_cli.command("check")
@click.argument("path", required=False)
def check_command(path):
    """Validate every course in PATH (default: COURSES_DIR), or the one course whose folder PATH is. Exit 1 when there
    is an error."""
    library = content.check_library(_courses_dir(path))
    _print_problems(library.problems)
    click.echo(library.summary)
    sys.exit(1 if library.errors else 0)


def sync_library(path: Path, *, force: bool = False, echo=click.echo) -> bool:
    """Sync every course folder of `path` (or, given one course's folder, that course), one transaction per course.
    Returns True when every course synced.

    A folder whose files are byte-for-byte those of the last sync is not even parsed."""
    courses_dir, only = content.library_of(path)
    registry_path = courses_dir / "standards.yaml"
    registry, registry_problems = content.load_registry(registry_path, root=courses_dir)
    registry_errors = [problem for problem in registry_problems if problem.severity == "error"]
    if registry_errors or not courses_dir.is_dir():
        for problem in registry_errors:
            echo(str(problem))
        echo("standards.yaml has errors: nothing synced")
        return False
    sync_standards(db.session, registry)
    db.session.commit()
    registry_digest = hashlib.sha256(registry_path.read_bytes()).hexdigest()
    all_synced = True
    changed: dict[Path, str] = {}
    for folder in [only] if only else content.course_folders(courses_dir):
        fingerprint = folder_fingerprint(folder, registry_digest)
        if not force and stored_fingerprint(db.session, folder.name) == fingerprint:
            echo(f"{folder.name}: unchanged")
        else:
            changed[folder] = fingerprint
    db.session.rollback()  # end the read transaction before the (possibly long) parse
    for result in content.parse_course_folders(list(changed), registry, courses_dir):
        folder = courses_dir / result.slug
        try:
            outcome = sync_course(db.session, result, folder, fingerprint=changed[folder], force=force)
        except Exception as error:  # one broken course must not stop the others; its transaction is rolled back
            db.session.rollback()
            echo(f"{result.slug}: failed ({type(error).__name__}); the previous version is still served")
            all_synced = False
            continue
        if outcome.status in ("skipped", "conflict"):
            db.session.rollback()
            all_synced = False
        else:
            db.session.commit()
        echo(str(outcome))
    return all_synced


@courses_cli.command("sync")
@click.argument("path", required=False)
@click.option("--force", is_flag=True, help="Take the files even where the browser changed the same module.")
def sync_command(path, force):
    """Load the courses in PATH (default: COURSES_DIR), or the one course whose folder PATH is, into the database.
    Exit 1 if a course was skipped or in conflict."""
    sys.exit(0 if sync_library(_courses_dir(path), force=force) else 1)


@courses_cli.command("export")
@click.argument("slug", required=False)
@click.argument("destination", required=False)
@click.option("--force", is_flag=True, help="Overwrite files even where they were changed in the folder.")
def export_command(slug, destination, force):
    """Write a course (or every course) back to DESTINATION (default: COURSES_DIR) in the folder format.
    Exit 1 if a course was not exported because that would overwrite edits made in the folder."""
    target = _courses_dir(destination)
    courses = courses_to_export(db.session, slug)
    if slug and not courses:
        raise click.ClickException(f"no course with the slug {slug!r}")
    refused = False
    for course in courses:
        try:
            export_course(db.session, course, target, force=force)
        except FolderEditsWouldBeLost as refusal:
            click.echo(str(refusal), err=True)
            refused = True
        else:
            click.echo(f"{course.slug}: exported to {target / course.slug}")
    if not (target / "standards.yaml").exists():
        click.echo(f"note: {target} has no standards.yaml; to check or sync this folder, copy the standards registry "
                   f"(standards.yaml of the courses folder) beside the courses")
    sys.exit(1 if refused else 0)
