"""An agency's report written on the plan's form (`schemas.plan.ReportForm`), and read back.

A report is kept as its text, versions and all, as before; a form only fixes the text's
shape: one numbered part per standard part, the figures under "Số liệu" one per line as
"- Số tin, bài: 120 tin, bài". `compose` writes that text from what the portal or the API
received, `read` finds the parts and figures again for the consolidated report. A text
written without the form (the plans without one, or before one) reads as its result alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.vocabulary import number_vi
from schemas.plan import NormalizedPlan, ReportForm

FIGURES = "Số liệu"
MAX_FIGURE = 1e15


@dataclass(frozen=True)
class FormAnswers:
    """The parts' texts by code, and the indicators' numbers by code."""

    parts: dict[str, str] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)


class FormError(ValueError):
    """A value the form cannot take; `message_vi` names the field, the value and the rule."""

    def __init__(self, message: str, *, message_vi: str) -> None:
        super().__init__(message)
        self.message_vi = message_vi


def figure(form: ReportForm, code: str, raw: str | float) -> float:
    """One indicator's number from what a person typed: 1.234 or 1234 or 2,5; not negative."""
    indicator = next((i for i in form.indicators if i.code == code), None)
    if indicator is None:
        raise FormError(f"unknown indicator {code!r}", message_vi=f"Mẫu không có chỉ tiêu {code}.")
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = raw.strip().replace(" ", "")
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", text):
            text = text.replace(".", "")
        text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise FormError(
                f"indicator {code}: {raw!r} is not a number",
                message_vi=f"{indicator.label}: “{raw}” không phải là số.",
            ) from None
    if not 0 <= value < MAX_FIGURE or value != value:
        raise FormError(
            f"indicator {code}: {value} is out of range",
            message_vi=f"{indicator.label}: {raw} không hợp lệ (phải là số không âm).",
        )
    return value


def compose(form: ReportForm, answers: FormAnswers) -> str:
    """The report's text: each part under its numbered heading, the figures under "Số liệu"."""
    sections: list[tuple[str, list[str]]] = []
    for part in form.parts:
        sections.append((part.label, [answers.parts.get(part.code, "").strip() or "Không có."]))
        if part.code == "ket_qua" and form.indicators:
            sections.append((FIGURES, _figure_lines(form, answers)))
    if form.indicators and not any(p.code == "ket_qua" for p in form.parts):
        sections.insert(0, (FIGURES, _figure_lines(form, answers)))
    return "\n\n".join(
        f"{n}. {label}\n" + "\n".join(body) for n, (label, body) in enumerate(sections, start=1)
    )


def _figure_lines(form: ReportForm, answers: FormAnswers) -> list[str]:
    return [
        f"- {i.label}: {number_vi(answers.figures.get(i.code, 0.0))} {i.unit}"
        for i in form.indicators
    ]


_HEADING = re.compile(r"^\d+\.\s+(.+?)\s*$")


def read(form: ReportForm | None, text: str) -> FormAnswers:
    """The parts and figures of a text written on `form`; a free text is its result alone."""
    if form is None:
        return FormAnswers(parts={"ket_qua": text.strip()})
    labels = {p.label.casefold(): p.code for p in form.parts}
    labels[FIGURES.casefold()] = "_figures"
    chunks: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        match = _HEADING.match(line.strip())
        code = labels.get(match[1].casefold()) if match else None
        if code is not None:
            current = code
            chunks.setdefault(code, [])
        elif current is not None:
            chunks[current].append(line)
    if not chunks:
        return FormAnswers(parts={"ket_qua": text.strip()})
    figures: dict[str, float] = {}
    by_label = {i.label.casefold(): i for i in form.indicators}
    for line in chunks.pop("_figures", []):
        label, _, rest = line.strip().removeprefix("- ").partition(":")
        indicator = by_label.get(label.strip().casefold())
        if indicator is None or not rest.strip():
            continue
        amount = rest.strip().removesuffix(indicator.unit).strip()
        try:
            figures[indicator.code] = figure(form, indicator.code, amount)
        except FormError:
            continue
    parts = {
        code: "\n".join(lines).strip()
        for code, lines in chunks.items()
        if "\n".join(lines).strip() not in ("", "Không có.")
    }
    return FormAnswers(parts=parts, figures=figures)


def form_for(plan: NormalizedPlan, duty_id: str) -> ReportForm | None:
    """The form a report on `duty_id` is written on: the plan's form applies to the reports
    its final report consolidates; every other duty's report is free text."""
    if plan.plan.final_report.duty != duty_id:
        return None
    return plan.plan.report_form


def answers(
    form: ReportForm, *, parts: Mapping[str, str], figures: Mapping[str, str | float]
) -> FormAnswers:
    """What a person filled in, checked: known codes only, numbers that are numbers, and at
    least the result written. FormError names the field, the value and the rule."""
    known_parts = {p.code for p in form.parts}
    for code in [*parts, *figures]:
        if code not in known_parts and code not in {i.code for i in form.indicators}:
            raise FormError(
                f"unknown field {code!r}", message_vi=f"Mẫu báo cáo không có mục “{code}”."
            )
    numbers = {
        code: figure(form, code, raw)
        for code, raw in figures.items()
        if not (isinstance(raw, str) and not raw.strip())
    }
    texts = {code: text.strip() for code, text in parts.items() if text.strip()}
    first = form.parts[0] if form.parts else None
    if first is not None and first.code not in texts:
        raise FormError(
            f"part {first.code} is empty", message_vi=f"Mục “{first.label}” không được để trống."
        )
    return FormAnswers(parts=texts, figures=numbers)
