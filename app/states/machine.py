"""The machinery every life cycle shares: a transition table and its one 409.

A life cycle is data: the (from, to) pairs it allows and the actions that cause each. Every
refusal has one shape, whatever the life cycle (SPEC 3): 409 ``invalid_transition`` with
``current_status``, the ``allowed_actions`` from there and the ``target_status`` asked for
(plus what a life cycle adds, e.g. a case's ``allowed_outcomes``).

This module is pure: no I/O, no framework.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.errors import Conflict
from app.states.codes import LabelledEnum

S = TypeVar("S", bound=LabelledEnum)
A = TypeVar("A", bound=LabelledEnum)


class InvalidTransition(Conflict):
    """409 ``invalid_transition``: the change is not allowed from the current state."""

    code = "invalid_transition"
    title = "Invalid state transition"

    def __init__(
        self,
        detail: str,
        *,
        current_status: str,
        allowed_actions: list[str],
        target_status: str | None,
        extra: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(
            detail,
            extra={
                "current_status": current_status,
                "allowed_actions": allowed_actions,
                "target_status": target_status,
                **(extra or {}),
            },
        )
        self.current_status = current_status
        self.allowed_actions = allowed_actions


@dataclass(frozen=True)
class Lifecycle(Generic[S, A]):
    """One life cycle: its states, its actions and the moves between them."""

    subject_zh: str
    """What moves, for the refusal's message (案件, 委派…)."""
    subject_en: str
    """The same in English with its article ("an assignment")."""
    statuses: type[S]
    actions: type[A]
    transitions: Mapping[tuple[S, S], tuple[A, ...]]
    """Every allowed (from, to) pair and the actions that cause it."""

    def actions_for(self, current: S, target: S) -> tuple[A, ...]:
        """The actions that move from ``current`` to ``target`` (empty when none do)."""
        return self.transitions.get((current, target), ())

    def allowed_actions(self, current: S) -> list[str]:
        """The action codes possible from ``current``, in the actions' declaration order."""
        return list(self._allowed_actions[current])

    @functools.cached_property
    def _allowed_actions(self) -> dict[S, tuple[str, ...]]:
        # Once per life cycle: every case read shows its allowed actions (issue 16).
        found: dict[S, set[A]] = {status: set() for status in self.statuses}
        for (src, _), actions in self.transitions.items():
            found[src].update(actions)
        return {
            status: tuple(a.value for a in self.actions if a in found[status])
            for status in self.statuses
        }

    def allowed_targets(self, current: S) -> list[S]:
        """The states reachable from ``current`` in one step, in declaration order."""
        targets = {dst for (src, dst) in self.transitions if src is current}
        return [s for s in self.statuses if s in targets]

    @property
    def terminal(self) -> frozenset[S]:
        """States nothing leaves."""
        return frozenset(
            s for s in self.statuses if not any(src is s for src, _ in self.transitions)
        )

    def refusal(
        self,
        current: S,
        target: S | None,
        *,
        detail: str | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> InvalidTransition:
        """The 409 for a move from ``current`` that is not allowed (``target`` None when the
        request names an action rather than a state)."""
        if detail is None:
            wanted = target.value if target is not None else "that"
            detail = (
                f"{self.subject_zh}当前状态为“{current.label_zh}”({current.value}), "
                f"不能变更为 {wanted}"
            )
        return InvalidTransition(
            detail,
            current_status=current.value,
            allowed_actions=self.allowed_actions(current),
            target_status=target.value if target is not None else None,
            extra=extra,
        )

    def ensure(self, current: S, target: S, *, action: A | None = None) -> A:
        """The action of an allowed move (``action`` when given and allowed); raises
        :class:`InvalidTransition` for any other."""
        actions = self.actions_for(current, target)
        if actions and (action is None or action in actions):
            return action if action is not None else actions[0]
        detail = None
        if action is not None:
            detail = (
                f"{self.subject_zh}当前状态为“{current.label_zh}”({current.value}), "
                f"不能变更为 {action.value} ({current.value} → {target.value})"
            )
        raise self.refusal(current, target, detail=detail)

    def require(self, current: S, expected: S | frozenset[S], *, verb: str, target: S) -> None:
        """Refuse a request that only makes sense in ``expected`` (e.g. answering an offer
        that is no longer live), naming what is allowed now."""
        allowed = expected if isinstance(expected, frozenset) else frozenset({expected})
        if current in allowed:
            return
        raise self.refusal(
            current, target, detail=f"cannot {verb} {self.subject_en} that is {current.value}"
        )
