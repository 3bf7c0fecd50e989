"""The words of a notice: Jinja2 templates (`domain/templates/`) rendered into a subject,
a plain-text body and an HTML body. Pure: no I/O beyond reading the templates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from domain.vocabulary import last_day_vi

DUTY_TEXT_CHARS = 300

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=lambda name: name is not None and name.endswith(".html.j2"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _block(template: Template, name: str, context: dict[str, object]) -> str:
    return "".join(template.blocks[name](template.new_context(context)))


def render(template_name: str, context: dict[str, object]) -> Rendered:
    """Render `<template_name>.j2`'s subject and lead into the text and HTML layouts.

    The kind templates are plain text; the HTML layout escapes what they produce.
    """
    template = _TEMPLATES.get_template(f"{template_name}.j2")
    subject = " ".join(_block(template, "subject", context).split())
    lead = _block(template, "lead", context)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", lead) if p.strip()]
    full = {**context, "subject": subject, "paragraphs": paragraphs}
    return Rendered(
        subject=subject,
        text=_TEMPLATES.get_template("_layout.txt.j2").render(full),
        html=_TEMPLATES.get_template("_layout.html.j2").render(full),
    )


def deadline_day(deadline: dt.datetime | None) -> str | None:
    """The last day on time, dd/mm/YYYY in Vietnam: the deadline is the instant it ends."""
    if deadline is None:
        return None
    if deadline.utcoffset() is None:
        deadline = deadline.replace(tzinfo=dt.UTC)
    return last_day_vi(deadline)


def shorten(text: str, limit: int = DUTY_TEXT_CHARS) -> str:
    """`text` on one line, cut at a word boundary to about `limit` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return f"{cut.rstrip(',;:')}…"
