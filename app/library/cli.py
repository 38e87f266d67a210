"""`flask --app wsgi library import`: load the library's articles into a real deployment."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.library.content import CONTENT_DIR, ContentError, import_content
from app.models import Organisation

library_cli = AppGroup("library", help="Look after the learning library.")


@library_cli.command("import")
@click.option("--organisation", help="Organisation name (needed when there is more than one).")
@click.option(
    "--folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=CONTENT_DIR,
    show_default=True,
)
def import_command(organisation: str | None, folder: Path) -> None:
    """Publish the Markdown articles in FOLDER and set up empty induction pathways."""
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
    if organisation:
        organisations = [o for o in organisations if o.name == organisation]
    if not organisations:
        raise click.ClickException("No such organisation. Create it with create-user first.")
    if len(organisations) > 1:
        raise click.ClickException("Say which organisation with --organisation.")
    try:
        result = import_content(organisations[0], folder)
    except ContentError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Library ready for {organisations[0].name}: {result.created} new, "
        f"{result.updated} updated, {result.unchanged} unchanged."
    )
