"""Helpers that turn a match inside a paragraph into a sourced draft item."""

from domain.planimport.text import Paragraph
from schemas.plan_draft import DraftField, Span


def span_of(paragraph: Paragraph, start: int = 0, end: int | None = None) -> Span:
    """The source lines of `paragraph.text[start:end]`."""
    stop = len(paragraph.text) if end is None else end
    return Span(
        first_line=paragraph.line_at(start), last_line=paragraph.line_at(max(stop - 1, start))
    )


def field_from(
    value: str | None,
    paragraph: Paragraph | None,
    *,
    start: int = 0,
    end: int | None = None,
    confidence: float,
) -> DraftField:
    """A header field read from part of a paragraph; no paragraph means not found."""
    if paragraph is None or value is None:
        return DraftField(value=None, phrase="", lines=None, confidence=0.0)
    stop = len(paragraph.text) if end is None else end
    return DraftField(
        value=value,
        phrase=paragraph.text[start:stop],
        lines=span_of(paragraph, start, stop),
        confidence=confidence,
    )
