"""The engine under every state-machine table (orders/lifecycle.py, procurement/lifecycle.py): a row says who may
move a thing from one state to another, under which guard; one function picks the row a person may take."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    who: frozenset[str]
    audit: str  # the audit log action
    slug: str = ""  # the view action in the URL; "" when only the system (or a page of its own) does it
    label: str = ""  # the button; may use placeholders its table fills in
    reason_required: bool = False
    guard: Callable[[Any, datetime], str | None] | None = None  # a message when the move is not possible now
    style: str = "secondary"  # "primary" | "secondary" | "danger"
    form: str = ""  # "" a plain button, or the form a table's views know ("reason", "ship", "confirm", "sign"...)
    note: str = ""  # the timeline note when the actor gives none


def transition(source, target, who, audit, **options) -> Transition:
    return Transition(source=source, target=target, who=frozenset(who), audit=audit, **options)


def transition_pick(*, table: tuple[Transition, ...], subject, target: str, kinds: frozenset[str],
                    kinds_order: tuple[str, ...], now: datetime, no_such: Callable[[], Exception],
                    not_yours: Callable[[], Exception], refused: Callable[[str], Exception]) -> tuple[Transition, str]:
    """The row that moves `subject` (its .status) to `target` for a person who is `kinds` to it, and the kind they
    act as (the first of kinds_order they hold on that row). Raises no_such() when the table has no such move,
    not_yours() when none of its rows is for this person, refused(message) when every guard says no."""
    rows = [t for t in table if t.source == subject.status and t.target == target]
    if not rows:
        raise no_such()
    mine = [t for t in rows if t.who & kinds]
    if not mine:
        raise not_yours()
    problems = []
    for row in mine:
        problem = row.guard(subject, now) if row.guard else None
        if problem is None:
            return row, next(kind for kind in kinds_order if kind in row.who & kinds)
        problems.append(problem)
    raise refused(problems[0])
