"""The words of the consolidated report, shared by the Markdown and the .docx renderers, so
the two never disagree."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.vocabulary import REPORT_STATUS_VI
from schemas.calendar import VN_TZ
from schemas.consolidation import (
    AgencyReport,
    ConsolidationInput,
    LateReport,
    MissingReport,
)

FONT = "Times New Roman"
BODY_PT = 14
HEADER_PT = 12  # Decree 30 allows 12-13; at 12 the two header lines each fit on one line
NUMBER_PT = 13
TABLE_PT = 13
SIGNATURE_SPACE_LINES = 4


# Characters XML 1.0 cannot carry (C0 controls but tab, lone surrogates, U+FFFE/U+FFFF).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """The text with characters no .docx can hold replaced by U+FFFD, the rest untouched."""
    return NOT_XML.sub("\ufffd", text)


def lines(body: str) -> list[str]:
    """A report body as paragraphs: one per non-blank line, trimmed."""
    return [line.strip() for line in clean(body).splitlines() if line.strip()]


def dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(VN_TZ).date()


def place_and_date(report: ConsolidationInput) -> str:
    """Decree 30, Appendix I: a zero before days under 10 and months 1 and 2 only."""
    day = report.report_date
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{report.place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def symbol(report: ConsolidationInput, *, blank: str = " ") -> str:
    """The number and symbol, 125/BC-STTTT; a draft leaves blanks for the clerk's number."""
    suffix = f"/BC-{report.coordinator_short}"
    if report.report_number is None:
        return blank * 5 + suffix
    number = report.report_number.strip()
    return number if "/" in number else f"{number}{suffix}"


def number_line(report: ConsolidationInput, *, blank: str = " ") -> str:
    return f"Số: {symbol(report, blank=blank)}"


def running_name(name: str, place: str) -> str:
    """An upper-case body name as running text: Sở Thông tin và Truyền thông.

    Vietnamese capitalises a name's first word, each part after "và", a comma or a dash,
    the word after "Sở", and the place. Unusual names should be passed in explicitly.
    """
    text = name.lower()
    text = re.sub(r"(?:^|(?<=^sở )|(?<=\svà )|(?<=, )|(?<= - ))(\w)", lambda m: m[1].upper(), text)
    return text.replace(place.lower(), place)


def issuer_text(report: ConsolidationInput) -> str:
    return report.issuer_text or running_name(report.issuer_name, report.place)


def coordinator_text(report: ConsolidationInput) -> str:
    return report.coordinator_text or running_name(report.coordinator_name, report.place)


def issuer_header(report: ConsolidationInput) -> str:
    return report.issuer_header or report.issuer_name.replace("ỦY BAN NHÂN DÂN", "UBND")


def coordinator_header(report: ConsolidationInput) -> str:
    """The issuing body under its superior; "TỈNH GIA LAI" is not said twice."""
    province = f" TỈNH {report.place.upper()}"
    name = report.coordinator_name
    if name.endswith(province) and issuer_header(report).endswith(province):
        return name.removesuffix(province)
    return name


def title(report: ConsolidationInput) -> str:
    return f"Kết quả thực hiện {report.plan_title} (Kế hoạch số {report.plan_number})"


def opening(report: ConsolidationInput) -> str:
    about = report.plan_title
    if about.startswith("Kế hoạch "):
        about = about.removeprefix("Kế hoạch ")
    return (
        f"Thực hiện Kế hoạch số {report.plan_number} ngày {dmy(report.plan_issued_on)} "
        f"của {issuer_text(report)} về {about}; trên cơ sở báo cáo của các cơ quan, đơn vị, "
        f"{coordinator_text(report)} tổng hợp, báo cáo kết quả thực hiện {when(report)} "
        "như sau:"
    )


def when(report: ConsolidationInput) -> str:
    """ "năm 2023" for a yearly report; "kỳ 2026-05" for one period of a recurring one."""
    if report.period is None or report.period == str(report.year):
        return f"năm {report.year}"
    return f"kỳ {report.period}"


def summary(report: ConsolidationInput) -> list[str]:
    on_time = sum(1 for r in report.accepted if r.outcome == "on_time")
    late = len(report.accepted) - on_time
    agencies = len(by_agency(report.accepted))
    others = report.total_assignments - len(report.accepted) - len(report.missing)
    accepted = f"Số báo cáo đã được chấp nhận: {len(report.accepted)}"
    if report.accepted:
        accepted += (
            f" của {agencies} cơ quan, đơn vị; trong đó đúng hạn: {on_time}, nộp quá hạn: {late}"
        )
    lines = [
        f"Tổng số nhiệm vụ phải báo cáo: {report.total_assignments}.",
        f"{accepted}.",
        f"Số báo cáo chưa có hoặc chưa được chấp nhận: {len(report.missing)}.",
    ]
    if others:
        lines.append(f"Số nhiệm vụ đã hủy hoặc được miễn báo cáo: {others}.")
    if report.late or report.missing:
        lines.append(
            "Danh sách cơ quan, đơn vị nộp báo cáo quá hạn và chưa nộp báo cáo tại Phụ lục "
            "kèm theo."
        )
    return lines


@dataclass(frozen=True)
class AgencySection:
    """One agency's subsection of part II: its name, then each report's line and text."""

    name: str
    reports: list[tuple[str, list[str]]]


def by_agency(accepted: Sequence[AgencyReport]) -> list[AgencySection]:
    """Accepted reports grouped by agency, agencies in the order they first appear."""
    groups: dict[str, list[AgencyReport]] = {}
    for item in accepted:
        groups.setdefault(item.agency_code, []).append(item)
    return [
        AgencySection(
            name=clean(items[0].agency_name),
            reports=[(report_line(r), lines(r.body) or [NO_TEXT]) for r in items],
        )
        for items in groups.values()
    ]


NO_TEXT = "(Báo cáo không có nội dung văn bản.)"
NONE_ACCEPTED = "Chưa có cơ quan, đơn vị nào có báo cáo được chấp nhận tại thời điểm báo cáo."
NONE_LATE = "Không có cơ quan, đơn vị nộp báo cáo quá hạn."
NONE_MISSING = "Không có cơ quan, đơn vị chưa nộp báo cáo."


def report_line(item: AgencyReport) -> str:
    when = "đúng hạn" if item.outcome == "on_time" else "quá hạn"
    return (
        f"Nhiệm vụ mục {clean(item.clause)}, kỳ {clean(item.period)}: báo cáo nộp ngày "
        f"{dmy(local_day(item.submitted_at))} ({when})."
    )


def proposals_placeholder(report: ConsolidationInput) -> str:
    return f"({coordinator_text(report)} bổ sung nội dung đề xuất, kiến nghị.)"


def closing(report: ConsolidationInput) -> str:
    return (
        f"Trên đây là báo cáo kết quả thực hiện Kế hoạch số {report.plan_number} "
        f"{when(report)} của {coordinator_text(report)}./."
    )


def recipient_lines(report: ConsolidationInput) -> list[str]:
    """Each recipient on its own dash line, ending ";" and the last one "."."""
    names = [clean(r).strip().rstrip(";.") for r in report.recipients if r.strip()]
    return [f"- {n}{'.' if i == len(names) - 1 else ';'}" for i, n in enumerate(names)]


def signer_lines(report: ConsolidationInput) -> list[str]:
    return [line.strip() for line in clean(report.signer_title).splitlines() if line.strip()]


def annex_reference(report: ConsolidationInput) -> str:
    return (
        f"(Kèm theo Báo cáo số {symbol(report)} ngày {dmy(report.report_date)} "
        f"của {coordinator_text(report)})"
    )


LATE_HEADINGS = ("STT", "Cơ quan, đơn vị", "Nhiệm vụ (mục)", "Kỳ", "Hạn nộp", "Ngày nộp")
MISSING_HEADINGS = ("STT", "Cơ quan, đơn vị", "Nhiệm vụ (mục)", "Kỳ", "Hạn nộp", "Tình trạng")
ANNEX_WIDTHS_MM = (14, 55, 24, 17, 27, 28)


def late_rows(late: Iterable[LateReport]) -> list[tuple[str, ...]]:
    return [
        (
            str(i),
            clean(r.agency_name),
            clean(r.clause),
            clean(r.period),
            dmy(r.last_day),
            dmy(local_day(r.submitted_at)),
        )
        for i, r in enumerate(late, start=1)
    ]


def missing_rows(missing: Iterable[MissingReport]) -> list[tuple[str, ...]]:
    return [
        (
            str(i),
            clean(r.agency_name),
            clean(r.clause),
            clean(r.period),
            dmy(r.last_day) if r.last_day else "Chưa đặt hạn",
            REPORT_STATUS_VI.get(r.status, clean(r.status)),
        )
        for i, r in enumerate(missing, start=1)
    ]
