"""The words of a notice: Jinja2 templates (`domain/templates/`) rendered into a subject,
a plain-text body and an HTML body. Pure: no I/O beyond reading the templates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from domain.vocabulary import date_vi, last_day_vi
from schemas.store import Person

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
    text = _TEMPLATES.get_template("_layout.txt.j2").render(full)
    return Rendered(
        subject=subject,
        text=re.sub(r"\n{3,}", "\n\n", text),  # blocks left out leave no gaps
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


def greeting(agency_name: str, person: Person | None) -> str:
    """Kính gửi: Đồng chí Nguyễn Văn A, Phó Giám đốc Sở Ngoại vụ; the agency itself while
    the directory holds only a placeholder for the person."""
    if person is None or person.placeholder:
        return agency_name
    return f"Đồng chí {person.name}, {person.title} {agency_name}"


def plan_citation(*, number: str, issued_on: dt.date | None, issuer_name: str | None) -> str:
    """Kế hoạch số 516/KH-UBND ngày 09/3/2023 của Ủy ban nhân dân tỉnh Gia Lai."""
    text = f"Kế hoạch số {number}"
    if issued_on is not None:
        text += f" ngày {date_vi(issued_on)}"
    if issuer_name:
        text += f" của {issuer_name}"
    return text


def contact_line(person: Person | None, phone: str | None) -> str | None:
    """Who to call at the coordinator: a named person with a phone, else nothing."""
    if person is None or person.placeholder:
        return f"điện thoại {phone}" if phone else None
    line = f"{person.name}, {person.title}"
    return f"{line}, điện thoại {phone}" if phone else line


def who(email: str | None, people: Iterable[tuple[str, Person]]) -> str | None:
    """An actor's e-mail address as the person's name and agency, never the address itself;
    None when the directory does not name them."""
    if not email:
        return None
    for agency_name, person in people:
        if person.email.lower() == email.lower() and not person.placeholder:
            return f"{person.name}, {person.title} {agency_name}"
    for agency_name, person in people:
        if person.email.lower() == email.lower():
            return f"lãnh đạo {agency_name}" if "lãnh đạo" in person.title.lower() else agency_name
    return None


FAILURE_VI: tuple[tuple[str, str], ...] = (
    ("has no", "danh bạ chưa có địa chỉ thư của người nhận"),
    ("invalid address", "địa chỉ thư trong danh bạ không hợp lệ"),
    ("HTTP", "hệ thống của cơ quan nhận từ chối thông báo"),
)


def failure_vi(error: str) -> str:
    """Why a delivery failed, in words for the coordinator (the log keeps the details)."""
    for marker, words in FAILURE_VI:
        if marker in error:
            return words
    return "máy chủ thư của người nhận từ chối thư"
