"""Add staff in bulk from a CSV file: name, email, role, start date.

The file is checked row by row and every problem is listed; nothing is saved unless every
row is right. Each person then gets an invitation email, as when invited one at a time.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email

from app.auth.policy import assignable_roles
from app.auth.services import PersonError, check_new_person
from app.models import Role, User
from app.notifications.accounts import NewPerson, invite_people
from app.spreadsheets import neutralise

COLUMNS = ("name", "email", "role", "start date")
MAX_ROWS = 500
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y")


@dataclass
class Row:
    number: int  # as a spreadsheet counts, the header being row 1
    values: dict[str, str]
    person: NewPerson | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    rows: list[Row]
    problems: list[str]  # about the file as a whole

    @property
    def valid(self) -> bool:
        return not self.problems and bool(self.rows) and all(not r.errors for r in self.rows)

    @property
    def people(self) -> list[NewPerson]:
        return [row.person for row in self.rows if row.person]


def _role(text: str, allowed: list[Role]) -> Role | None:
    wanted = text.strip().lower()
    for role in allowed:
        if wanted in {role.value, role.label.lower()}:
            return role
    if wanted in {"care worker", "carer", "staff"} and Role.STAFF in allowed:
        return Role.STAFF
    return None


def _date(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError


def _header_key(name: str) -> str:
    return " ".join(name.strip().lower().replace("_", " ").split())


def read_csv(text: str, actor: User, service_id: int) -> Preview:
    """Check every row of `text` for `actor` adding people to `service_id`; save nothing."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [_header_key(h) for h in next(reader)]
    except StopIteration:
        return Preview([], ["The file is empty."])
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return Preview(
            [],
            [
                f"The first row must name the columns: {', '.join(COLUMNS)}. Missing: "
                f"{', '.join(missing)}."
            ],
        )
    rows: list[Row] = []
    seen: dict[str, int] = {}
    allowed = assignable_roles(actor)
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        # What the preview shows and what is stored, never a spreadsheet formula.
        values = {
            name: neutralise(cells[i].strip() if i < len(cells) else "")
            for i, name in enumerate(header)
        }
        row = Row(number, values)
        rows.append(row)
        if len(rows) > MAX_ROWS:
            return Preview(rows[:MAX_ROWS], [f"Please send at most {MAX_ROWS} people at a time."])
        _check_row(row, actor, service_id, allowed, seen)
    if not rows:
        return Preview([], ["The file has no people in it, only the column names."])
    return Preview(rows, [])


def _check_row(row: Row, actor: User, service_id: int, allowed: list[Role], seen: dict) -> None:
    name = row.values["name"]
    email = row.values["email"].lower()
    if not name:
        row.errors.append("Add their name.")
    elif len(name) > 120:
        row.errors.append("Shorten the name to 120 characters.")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        row.errors.append("Write an email address like name@example.org.")
        email = ""
    if email and email in seen:
        row.errors.append(f"This email is also on row {seen[email]}.")
    elif email:
        seen[email] = row.number
    role = _role(row.values["role"], allowed)
    if role is None:
        names = ", ".join(r.label for r in allowed)
        row.errors.append(f"Role must be one of: {names}.")
    started_on = None
    if row.values["start date"]:
        try:
            started_on = _date(row.values["start date"])
        except ValueError:
            row.errors.append("Write the start date like 2026-11-30 or 30/11/2026.")
    if email and role is not None:
        try:
            check_new_person(actor, email=email, role=role, service_id=service_id)
        except PersonError as error:
            row.errors.append(str(error))
    if not row.errors:
        row.person = NewPerson(name, email, role, service_id, started_on)


def import_people(text: str, actor: User, service_id: int) -> tuple[Preview, list[User]]:
    """Check the file again and, only if every row is right, invite everyone in it."""
    preview = read_csv(text, actor, service_id)
    if not preview.valid:
        return preview, []
    return preview, invite_people(actor, preview.people)
