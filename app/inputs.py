"""Input the database cannot hold is refused (or cleaned) at the door, in one place.

A 500 for a typo in a URL or a pasted control character tells a care worker the app is
broken; these hooks answer 4xx with a plain message instead, before any view saves anything:

- `<int:...>` in every route is bounded to the ids the database can store: a larger id is a
  404 like any other id that does not exist (`DatabaseIdConverter`, registered once).
- id query parameters go through `database_id` (`request.args.get("x", type=database_id)`),
  so an unusable one reads as absent.
- NUL characters in form fields and query strings are removed (PostgreSQL cannot store them,
  and no one means to type one); the rest of what the person typed is kept.
- JSON bodies nested deeper than any real record, or holding lone surrogates (text that is
  not UTF-8), are refused with 400 before a view parses them.
- Anything that still reaches the database and does not fit (`DataError`) rolls back the
  whole request and answers 400: nothing partial is saved.
"""

from __future__ import annotations

import wtforms
from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import DataError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from app.extensions import db

# The largest id an INTEGER column holds on PostgreSQL (SQLite holds more; the smaller rules).
DB_INT_MAX = 2**31 - 1
# Deeper than any record the app takes (the deepest, an observation, is 3 levels).
MAX_JSON_DEPTH = 32

NUL = "\x00"
UNUSABLE_JSON = "This could not be read: send a JSON object of ordinary text."
TOO_DEEP = "This is nested too deeply to be a record. Send a flat JSON object."
NOT_STORABLE = (
    "Something you sent cannot be stored",
    "A value was too large or not ordinary text. Please check your answers and try again.",
)


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>`, bounded to the database's ids: a larger number is a 404, never a 500."""

    def __init__(self, map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def database_id(value: str) -> int:
    """A record id from a query string or form: ValueError (so the default) outside 1..max."""
    number = int(value)
    if not 1 <= number <= DB_INT_MAX:
        raise ValueError(f"{value!r} is not a record id")
    return number


def bounded_int(value: str, *, minimum: int = 1, maximum: int = DB_INT_MAX) -> int:
    """A whole number the database can hold; ValueError otherwise (use with `type=`)."""
    number = int(value)
    if not minimum <= number <= maximum:
        raise ValueError(f"{value!r} is out of range")
    return number


def _without_nul(data: ImmutableMultiDict) -> ImmutableMultiDict | None:
    """The same fields with NUL characters removed, or None when there were none."""
    pairs = list(data.items(multi=True))
    if not any(NUL in key or (isinstance(value, str) and NUL in value) for key, value in pairs):
        return None
    return ImmutableMultiDict(
        [
            (key.replace(NUL, ""), value.replace(NUL, "") if isinstance(value, str) else value)
            for key, value in pairs
        ]
    )


def _json_depth(raw: bytes) -> int:
    """How deeply the brackets of a JSON text nest, skipping strings; cheap and never recursive."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _has_unstorable_text(value) -> bool:
    """True when any string (key or value) is not valid UTF-8 text, e.g. a lone surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _refuse(message: str, title: str | None = None):
    if request.path.startswith("/api/") or request.is_json:
        return jsonify(error=message), 400
    return (
        render_template("errors/error.html", code=400, title=title or message, hint=message),
        400,
    )


def clean_request_input():
    """Before every view: strip NUL from forms and query strings; refuse unusable JSON."""
    for name in ("args", "form"):
        if name == "form" and request.method in {"GET", "HEAD", "OPTIONS"}:
            continue
        cleaned = _without_nul(getattr(request, name))
        if cleaned is not None:
            setattr(request, name, cleaned)
            request.__dict__.pop("values", None)
    if request.is_json and request.content_length != 0:
        raw = request.get_data(cache=True)
        if _json_depth(raw) > MAX_JSON_DEPTH:
            return _refuse(TOO_DEEP)
        body = request.get_json(silent=True)
        if _has_unstorable_text(body):
            return _refuse(UNUSABLE_JSON)
    return None


def _data_error(_error: DataError):
    """The last line: a value the database refused. Roll back, so nothing partial is saved."""
    db.session.rollback()
    title, hint = NOT_STORABLE
    if request.path.startswith("/api/"):
        return jsonify(error=f"{title}. {hint}"), 400
    return render_template("errors/error.html", code=400, title=title, hint=hint), 400


def init_inputs(app: Flask) -> None:
    """Register the bounded id converter and the input hooks (before the blueprints)."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.before_request(clean_request_input)
    app.register_error_handler(DataError, _data_error)


# ---- Form fields that only take values the database and the calendar can hold. ----------
# Years a date may have: a year 9999 date overflows "the day after" and a year 1 date
# overflows time-zone changes, so both are refused with a message, not a 500. (Closer dates
# in the future are each form's own rule: some may be, like review dates; others may not.)
FIRST_YEAR, LAST_YEAR = 1900, 3000


class DateField(wtforms.DateField):
    """A date from 1900 to 3000; anything else is a field error."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        _check_year(self)


class DateTimeLocalField(wtforms.DateTimeLocalField):
    """A local date and time from 1900 to 3000; anything else is a field error."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        _check_year(self)


def _check_year(field) -> None:
    if field.data is None:
        return
    if field.data.year < FIRST_YEAR:
        field.data = None
        raise ValueError("That date is too far in the past: check the year.")
    if field.data.year > LAST_YEAR:
        field.data = None
        raise ValueError("That date is too far in the future: check the year.")


class IntegerField(wtforms.IntegerField):
    """A whole number the database can hold; a larger one is a field error."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > DB_INT_MAX:
            self.data = None
            raise ValueError("That number is too large.")


def choice_id(value) -> int:
    """`coerce=` for select and checkbox fields of record ids (0 standing for "none"): a
    number the database cannot hold is an invalid choice, never a query that overflows."""
    number = int(value)
    if not 0 <= number <= DB_INT_MAX:
        raise ValueError(f"{value!r} is not a record id")
    return number
