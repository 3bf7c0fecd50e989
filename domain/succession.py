"""Mergers and renamings of a provincial directory: who holds an agency's open duties on a day.

A directory version says, for an agency merged into or renamed as another, its successor
and the day that takes effect (`schemas.plan.Succession`). Successions chain (a commune
merged in 2025 whose successor is merged again in 2026): the holder on a day follows every
link already in effect. `domain.planfile` refuses cycles, so the walk ends; it stops at a
repeat all the same.
"""

import datetime as dt
from collections.abc import Iterable

from schemas.plan import Succession


def holder_on(code: str, day: dt.date, successions: Iterable[Succession]) -> str:
    """The agency that holds `code`'s open duties on `day`: `code` itself unless a merger
    or renaming of it is in effect by then, else its successor's holder."""
    links = {s.code: s for s in successions}
    seen = {code}
    while (link := links.get(code)) is not None and link.effective <= day:
        if link.successor in seen:
            break
        code = link.successor
        seen.add(code)
    return code


def cycle_through(code: str, successions: Iterable[Succession]) -> list[str] | None:
    """The chain of successors from `code` back to itself (`[A, B, A]`), or None when the
    chain ends: a merger may not lead back to the agency merged."""
    links = {s.code: s.successor for s in successions}
    chain = [code]
    while (nxt := links.get(chain[-1])) is not None:
        chain.append(nxt)
        if nxt == code:
            return chain
        if nxt in chain[:-1]:
            return None  # a cycle further on, reported from its own members
    return None


def succession_vi(change: Succession, names: dict[str, str], *, today: dt.date) -> str:
    """One line for a coordinator: who goes to whom, from when, on what basis, and whether
    it is already in effect (open assignments moved at load) or waits for its day."""

    def named(code: str) -> str:
        return f"{code} ({names[code]})" if code in names else code

    when = (
        "đã có hiệu lực: phân công còn mở chuyển ngay khi nạp"
        if change.effective <= today
        else "phân công còn mở chuyển vào ngày đó"
    )
    basis = f", theo {change.basis}" if change.basis else ""
    return (
        f"{named(change.code)} → {named(change.successor)} từ ngày "
        f"{change.effective:%d/%m/%Y}{basis} ({when})"
    )
