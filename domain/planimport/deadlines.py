"""Deadline phrases of a duty sentence, read into the plan model's vocabulary.

Rules run from the most specific wording to the least ("trước ngày 16 hàng tháng" before
"hàng tháng"); a phrase a rule has read is not read again. Cited-document dates are blanked
first (see `citations`). A phrase gives its kind (date, month, quarter, year, relative,
recurring, periodic, adhoc, continuous, event) and its values; a bare frequency that a
more specific phrase of the same duty already states is dropped.
"""

from domain.planimport.citations import blank_citations
from domain.planimport.deadline_rules import RULES, Found
from domain.planimport.text import searchable

__all__ = ["Found", "find_deadlines"]


def find_deadlines(text: str) -> list[Found]:
    """Every deadline phrase of one duty's text, in reading order, without overlaps."""
    readable = blank_citations(searchable(text))
    claimed: list[tuple[int, int]] = []
    found: list[Found] = []
    for pattern, build in RULES:
        for match in pattern.finditer(readable):
            if any(match.start() < e and s < match.end() for s, e in claimed):
                continue
            item = build(match)
            if item is None:
                continue
            item.text = match.group(0)
            claimed.append((item.start, item.end))
            found.append(item)
    found.sort(key=lambda f: f.start)
    return _drop_bare_repeats(found)


def _drop_bare_repeats(found: list[Found]) -> list[Found]:
    """A bare "hằng năm" adds nothing when the duty states an annual day already, nor
    "định kỳ" when the frequency is stated; one ad-hoc phrase per duty is enough."""
    specific = {f.recurrence for f in found if f.kind == "recurring" and f.values}
    kept: list[Found] = []
    adhoc_seen = False
    phrases_seen: set[tuple[str, str | None]] = set()
    for item in found:
        phrase = (item.text.lower(), item.recurrence)
        if item.kind == "recurring" and not item.values:
            if phrase in phrases_seen:
                continue  # the same words again ("trung hạn, hằng năm … hằng năm")
            phrases_seen.add(phrase)
        if item.kind == "adhoc":
            if adhoc_seen:
                continue  # "hoặc khi có yêu cầu báo cáo đột xuất" is one ad-hoc duty
            adhoc_seen = True
        if item.kind == "recurring" and not item.values and item.recurrence in specific:
            continue
        if item.kind == "periodic" and any(f.kind == "recurring" for f in found):
            continue
        kept.append(item)
    return kept
