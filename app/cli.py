"""Flask commands: `flask --app app users create`, `flask --app app demo`."""

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from app.auth.models import Audience, Role
from app.errors import DomainError
from app.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")

DEMO_ACCOUNTS = (
    ("admin", Role.ADMIN, "Demo Administrator", Audience.OTHER, "demo-admin-pass-26"),
    ("trainer", Role.TRAINER, "Demo Trainer", Audience.DEFENDER, "demo-trainer-pass-26"),
    ("learner", Role.LEARNER, "Demo Learner", Audience.POLICE, "demo-learner-pass-26"),
)


@users_cli.command("create")
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.LEARNER.value)
@click.option("--username", prompt=True)
@click.option("--display-name", default="")
@click.option("--email", default="")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when not given.")
def create_user_command(role, username, display_name, email, password):
    """Create an account."""
    from app.auth.services import create_user

    try:
        user = create_user(db.session, username=username, password=password, display_name=display_name,
                           email=email, role=role)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.username}.")


def upgrade_database() -> None:
    from flask_migrate import upgrade

    upgrade()


@click.command("demo")
@with_appcontext
def demo_command():
    """Create or upgrade the database, load the courses and create demo accounts."""
    from pathlib import Path

    from flask import current_app

    from app.auth.services import create_user, find_user_by_username, set_password
    from app.catalog.cli import sync_library

    upgrade_database()
    courses_dir = Path(current_app.config["COURSES_DIR"])
    if courses_dir.is_dir():
        sync_library(courses_dir)
    for username, role, display_name, audience, password in DEMO_ACCOUNTS:
        user = find_user_by_username(db.session, username)
        if user is None:
            create_user(db.session, username=username, password=password, display_name=display_name,
                        role=role, audience=audience)
        else:
            set_password(db.session, user, password)
            user.active = True
    db.session.commit()
    click.echo("Demo accounts (sign in at http://127.0.0.1:5000/signin):")
    for username, role, _name, _audience, password in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:8} username: {username:8} password: {password}")


class MigrationCommands(click.Group):
    """`flask db ...`: Flask-Migrate's command group, imported only when the command line runs it (see
    MigrationSettings: serving requests never needs Alembic)."""

    def __init__(self):
        super().__init__("db", short_help="Perform database migrations (Flask-Migrate).")

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        from flask_migrate.cli import db as flask_migrate_group

        return flask_migrate_group.make_context(info_name, args, parent=parent, **extra)


def register_cli(app: Flask) -> None:
    from app.catalog.cli import courses_cli
    from app.maintenance.cli import backup_command, restore_command

    app.cli.add_command(courses_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(MigrationCommands())
