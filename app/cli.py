"""Command-line tasks: `flask --app wsgi seed-demo` and `flask --app wsgi create-user`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app import cache
from app.audit import verify_chain
from app.auth import passwords
from app.auth.passwords import PASSWORD_MIN
from app.auth.services import PersonError, add_person
from app.extensions import db
from app.models import Organisation, Role, Service, ServiceKind
from app.seed import DEMO_PASSWORD, seed_demo
from app.seed.bulk import BULK_PASSWORD, seed_bulk


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Create the demo organisation, services, people and content (safe to run twice)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-demo refuses to run in production.")
    logins = seed_demo()
    click.echo(f"Demo data ready. Every demo login uses the password: {DEMO_PASSWORD}")
    for email, role, service in logins:
        click.echo(f"  {email:<26} {role:<11} {service}")


@click.command("seed-bulk")
@click.option("--reports", type=click.IntRange(min=0), default=10_000, show_default=True)
@click.option("--services", type=click.IntRange(min=1, max=500), default=20, show_default=True)
@with_appcontext
def seed_bulk_command(reports: int, services: int) -> None:
    """Generate a large organisation and many reports, for benchmarks (not in production)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-bulk refuses to run in production.")
    total = seed_bulk(reports, services)
    cache.bump_everything()  # the bulk rows went in as raw SQL, unseen by the cache
    click.echo(f"{total} reports in the database. Bulk logins use the password {BULK_PASSWORD}:")
    click.echo(f"  manager1@bulk.learnloop ... manager{services}@bulk.learnloop")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.ADMIN.value)
@click.option("--organisation", required=True, help="Created if it does not exist.")
@click.option("--service", required=True, help="Created if it does not exist.")
@click.option(
    "--service-kind",
    type=click.Choice([k.value for k in ServiceKind]),
    default=ServiceKind.CARE_HOME.value,
)
@click.password_option(help=f"At least {PASSWORD_MIN} characters.")
def create_user_command(email, name, role, organisation, service, service_kind, password) -> None:
    """Create an account for a real deployment (the first admin, typically)."""
    if problem := passwords.problem_with(password, name=name, email=email):
        raise click.ClickException(problem)
    org = db.session.scalars(select(Organisation).where(Organisation.name == organisation)).first()
    if org is None:
        org = Organisation(name=organisation)
        db.session.add(org)
        db.session.flush()
    svc = db.session.scalars(
        select(Service).where(Service.organisation_id == org.id, Service.name == service)
    ).first()
    if svc is None:
        svc = Service(organisation_id=org.id, name=service, kind=ServiceKind(service_kind))
        db.session.add(svc)
        db.session.flush()
    try:
        add_person(
            None, name=name, email=email, role=Role(role), service_id=svc.id, password=password
        )
    except PersonError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {email} ({role}) at {service}.")


@click.group("audit")
def audit_group() -> None:
    """Check the audit trail."""


@audit_group.command("verify")
@with_appcontext
def audit_verify_command() -> None:
    """Recompute the hash chain; exit 1 if any entry was changed, removed or reordered."""
    report = verify_chain()
    if not report.intact:
        raise click.ClickException(
            f"The audit trail is broken at entry {report.broken_at} "
            f"(checked {report.entries} entries)."
        )
    click.echo(f"The audit trail is intact: {report.entries} entries checked.")


@click.command("backup")
@with_appcontext
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def backup_command(path) -> None:
    """Write a consistent copy of the whole database (to BACKUP_DIR when no PATH is given)."""
    from app import backup

    try:
        written = backup.backup(path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {written}. It holds personal data: store it encrypted.")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.confirmation_option(prompt="This replaces everything in the database. Go on?")
def restore_command(path) -> None:
    """Replace the whole database with a backup made by `flask backup`."""
    from app import backup

    try:
        backup.restore(path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    report = verify_chain()
    click.echo(
        f"Restored from {path}. Audit trail: {report.entries} entries, "
        + ("intact." if report.intact else f"BROKEN at entry {report.broken_at}.")
    )
    if not report.intact:
        raise click.ClickException("The restored audit trail is broken.")


@click.group("retention")
def retention_group() -> None:
    """Records kept past their retention period."""


@retention_group.command("review")
@with_appcontext
def retention_review_command() -> None:
    """List records past their retention period for a person to decide. Deletes nothing."""
    from app import retention

    due = retention.review()
    years = current_app.config
    click.echo(
        f"Retention: {years['RETENTION_YEARS']} years, serious incidents "
        f"{years['RETENTION_SERIOUS_YEARS']} years."
    )
    if not due:
        click.echo("Nothing is past its retention period.")
        return
    for record in due:
        serious = " (serious)" if record.serious else ""
        click.echo(
            f"  {record.label} #{record.record_id}{serious}: dated {record.dated.isoformat()}, "
            f"service {record.service_id}"
        )
    click.echo(f"{len(due)} records are past their retention period. Nothing was deleted.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_bulk_command)
    app.cli.add_command(audit_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(retention_group)
    from app.governance.rollups import rollups_cli

    app.cli.add_command(rollups_cli)
    from app.library.cli import library_cli

    app.cli.add_command(library_cli)
    from app.auth.cli import twofactor_cli

    app.cli.add_command(twofactor_cli)
