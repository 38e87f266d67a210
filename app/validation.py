"""One exception for input that cannot be saved as it is, whatever area refuses it.

`Invalid(errors)` carries `{field: [what to fix, ...]}`. Service functions raise it (or one of
its subclasses, which only name the area); the HTML views show the messages beside the fields,
and the JSON API answers every `Invalid` the same way (app/api/views.py): 400 with
`{"error": ..., "errors": {field: [message, ...]}}`, or 422 for a `ClientIdConflict`
(app/sync.py). A message that belongs to no one field goes under `FORM` ("_form").
"""

from __future__ import annotations

FORM = "_form"


class Invalid(ValueError):
    """What to fix, field by field. `Invalid("message")` is one message for the whole form;
    `Invalid("message", field="name")` one for a field."""

    def __init__(self, errors: dict[str, list[str]] | str, *, field: str = FORM):
        if isinstance(errors, str):
            errors = {field: [errors]}
        self.errors: dict[str, list[str]] = {
            name: list(messages) if isinstance(messages, list | tuple) else [str(messages)]
            for name, messages in errors.items()
        }
        super().__init__("; ".join(m for messages in self.errors.values() for m in messages))

    @property
    def field(self) -> str:
        """The first field named (for a form that shows one message)."""
        return next(iter(self.errors), FORM)

    def first_messages(self) -> dict[str, str]:
        """{field: its first message}, for pages that show one message a field."""
        return {name: messages[0] for name, messages in self.errors.items() if messages}

    @property
    def message(self) -> str:
        """The first message."""
        return next((m for messages in self.errors.values() for m in messages), "")
