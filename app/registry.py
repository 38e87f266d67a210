"""Contributions that areas make to pages they do not own, in a fixed order.

The dashboard shows figures, the evidence pack evidence items, the home page panels, a
supervision its prompts and the weekly digest its sections, without knowing which areas exist:
each area registers its own from its own package, and the package is imported when its
blueprint is registered, so everything is in place once `create_app()` returns.

    FIGURES = Registry("dashboard figures")

    @FIGURES.register(order=10)
    def reports_each_month(scope): ...

Lower orders come first. No two entries may share an order: they would show in whatever order
Python happened to import their modules, which nobody chose, so the second is refused.
Registration happens once, when the area's module is imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Entry:
    """One registered contribution: `build` makes it, `details` say where it goes."""

    order: int
    build: Callable[..., Any]
    details: dict[str, Any] = field(default_factory=dict)


class Registry:
    """An ordered set of builders that the areas add to with a decorator."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: list[Entry] = []

    def register(self, order: int = 50, **details: Any) -> Callable:
        """Decorator: add the function with its order and details (e.g. a template)."""

        def add(build: Callable) -> Callable:
            taken = next((e for e in self._entries if e.order == order), None)
            if taken is not None:
                raise ValueError(
                    f"{self.name}: order {order} of {build.__module__}.{build.__qualname__} "
                    f"is taken by {taken.build.__module__}.{taken.build.__qualname__}"
                )
            self._entries.append(Entry(order, build, details))
            return build

        return add

    def __iter__(self) -> Iterator[Entry]:
        return iter(sorted(self._entries, key=lambda entry: entry.order))

    def __len__(self) -> int:
        return len(self._entries)

    def built(self, *args: Any) -> list[tuple[Entry, Any]]:
        """Call every builder in order; an entry whose builder returns None is left out."""
        results = ((entry, entry.build(*args)) for entry in self)
        return [(entry, result) for entry, result in results if result is not None]


class PanelRegistry(Registry):
    """Panels rendered by a template from a context their builder returns (None hides one):
    the home page's panels and the prompts a supervisor sees before a supervision."""

    def panel(self, template: str, order: int = 50) -> Callable:
        """Register `build(...) -> context | None` to render `template`."""
        return self.register(order, template=template)

    def shown(self, *args: Any) -> list[tuple[str, dict]]:
        """The (template, context) pairs to show, in order."""
        return [(entry.details["template"], context) for entry, context in self.built(*args)]
