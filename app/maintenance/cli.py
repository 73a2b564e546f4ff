"""`flask --app app backup DEST` and `flask --app app restore SRC`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db
from app.maintenance.backup import BackupError, create_backup, restore_backup


def _migration_scripts():
    from alembic.script import ScriptDirectory  # Alembic only when a command needs it (see MigrationSettings)

    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def _known_revisions() -> set[str]:
    return {script.revision for script in _migration_scripts().walk_revisions()}


def _head_revision() -> str | None:
    return _migration_scripts().get_current_head()


@click.command("backup")
@click.argument("destination", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(destination: Path):
    """Back up the whole database to DESTINATION (a new file, or a folder to put a dated file in)."""
    try:
        path, manifest = create_backup(db.engine, destination)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {len(manifest.row_counts)} tables ({manifest.total_rows} rows) to {path}")
    click.echo(f"sha256 {manifest.sha256}")


@click.command("restore")
@click.argument("source", type=click.Path(path_type=Path))
@with_appcontext
def restore_command(source: Path):
    """Restore a backup made with `backup` into the empty database DATABASE_URL points at."""
    try:
        manifest = restore_backup(db.engine, source, _known_revisions())
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {len(manifest.row_counts)} tables ({manifest.total_rows} rows, counts verified) "
               f"from the backup of {manifest.created_at}")
    if manifest.alembic_revision != _head_revision():
        click.echo("The backup is from an older version of the schema: run `flask --app app db upgrade` next.")
