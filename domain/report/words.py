"""The words of the consolidated report, shared by the Markdown and the .docx renderers, so
the two never disagree."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.vocabulary import DUTY_STATE_VI, REPORT_STATUS_VI, date_vi, number_vi, period_vi
from schemas.calendar import VN_TZ
from schemas.consolidation import (
    AgencyReport,
    ConsolidationInput,
    DutyRow,
    IndicatorTotal,
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
    return date_vi(day)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(VN_TZ).date()


DATE_BLANK = " " * 6


def place_and_date(report: ConsolidationInput) -> str:
    """Decree 30, Appendix I: a zero before days under 10 and months 1 and 2 only. A draft
    without its number leaves the day and month blank too: the clerk fills both at issue."""
    day = report.report_date
    if report.report_number is None:
        return f"{report.place}, ngày{DATE_BLANK}tháng{DATE_BLANK}năm {day.year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{report.place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def author_short(report: ConsolidationInput) -> str:
    return report.issuer_short if report.author == "issuer" else report.coordinator_short


def symbol(report: ConsolidationInput, *, blank: str = " ") -> str:
    """The number and symbol, 125/BC-STTTT (or /BC-UBND for the Committee's own report);
    a draft leaves blanks for the clerk's number."""
    suffix = f"/BC-{author_short(report)}"
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


def header_lines(report: ConsolidationInput) -> list[tuple[str, bool]]:
    """The left header column as (text, bold): the superior body then the author, or, for
    the People's Committee's own report, its name alone on two lines (Decree 30)."""
    if report.author == "issuer":
        name = report.issuer_name
        province = f" TỈNH {report.place.upper()}"
        if name.endswith(province):
            return [(name.removesuffix(province), True), (province.strip(), True)]
        return [(name, True)]
    return [(issuer_header(report), False), (coordinator_header(report), True)]


def author_text(report: ConsolidationInput) -> str:
    return issuer_text(report) if report.author == "issuer" else coordinator_text(report)


def plan_citation(report: ConsolidationInput) -> str:
    """Kế hoạch số 516/KH-UBND ngày 09/3/2023 của Ủy ban nhân dân tỉnh Gia Lai."""
    return (
        f"Kế hoạch số {report.plan_number} ngày {dmy(report.plan_issued_on)} "
        f"của {issuer_text(report)}"
    )


def title(report: ConsolidationInput) -> str:
    return f"Kết quả thực hiện {plan_citation(report)} {when(report)}"


def opening(report: ConsolidationInput) -> str:
    about = report.plan_title
    if about.startswith("Kế hoạch "):
        about = about.removeprefix("Kế hoạch ")
    return (
        f"Thực hiện {plan_citation(report)} về {about}; trên cơ sở báo cáo của các cơ quan, "
        f"đơn vị, {author_text(report)} báo cáo kết quả thực hiện {when(report)} như sau:"
    )


def cut_off(report: ConsolidationInput) -> str | None:
    """The data cut-off period (Decree 09/2019/NĐ-CP, Art. 12)."""
    if report.data_from is None or report.data_to is None:
        return None
    return (
        f"Thời gian chốt số liệu: từ ngày {dmy(report.data_from)} đến ngày {dmy(report.data_to)}."
    )


def when(report: ConsolidationInput) -> str:
    """ "năm 2023" for a yearly report; the period in words for one of a recurring one."""
    if report.period is None or report.period == str(report.year):
        return f"năm {report.year}"
    return period_vi(report.period)


# --- the document as blocks both renderers print ------------------------------------------


@dataclass(frozen=True)
class Heading:
    """A bold run-in heading: level 1 "I. …", level 2 "1. …"."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    """A body paragraph, justified with its first line indented."""

    text: str
    italic: bool = False


@dataclass(frozen=True)
class Centred:
    """A centred line: an annex's name, title and reference."""

    text: str
    bold: bool = True
    italic: bool = False


@dataclass(frozen=True)
class Grid:
    """A table with a header row; `left` are the columns read as text, aligned left."""

    headings: tuple[str, ...]
    rows: list[tuple[str, ...]]
    widths_mm: tuple[float, ...]
    left: tuple[int, ...] = (1,)


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Para | Centred | Grid | PageBreak


@dataclass(frozen=True)
class AgencySection:
    """One agency's subsection of Phụ lục III: its name, then each report's line and text."""

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
NONE_LATE = "Không có cơ quan, đơn vị gửi báo cáo chậm."
NONE_MISSING = "Không có cơ quan, đơn vị chưa gửi báo cáo."
NONE_PROPOSED = "Các cơ quan, đơn vị không có đề xuất, kiến nghị."


def report_line(item: AgencyReport) -> str:
    state = "on_time_extended" if item.extended else item.outcome
    return (
        f"(Báo cáo {period_vi(clean(item.period))} gửi ngày "
        f"{dmy(local_day(item.submitted_at))}: {DUTY_STATE_VI[state].lower()}.)"
    )


@dataclass(frozen=True)
class Reporting:
    """Who reported: agencies counted once each, in the order the input lists them."""

    total: list[str]
    sent: list[str]
    late: list[str]
    unsent: list[str]


def reporting(report: ConsolidationInput) -> Reporting:
    sent = list(dict.fromkeys(clean(r.agency_name) for r in report.accepted))
    late = list(dict.fromkeys(clean(r.agency_name) for r in report.accepted if r.outcome == "late"))
    unsent = [
        n for n in dict.fromkeys(clean(r.agency_name) for r in report.missing) if n not in sent
    ]
    return Reporting(total=[*sent, *unsent], sent=sent, late=late, unsent=unsent)


def reporting_line(report: ConsolidationInput) -> str:
    """41/43 cơ quan, đơn vị đã gửi báo cáo (7 gửi chậm); chưa gửi: …"""
    who = reporting(report)
    if not who.total:
        return "Chưa có cơ quan, đơn vị nào phải gửi báo cáo."
    line = f"{len(who.sent)}/{len(who.total)} cơ quan, đơn vị đã gửi báo cáo"
    if who.sent:
        line += f" ({len(who.late)} gửi chậm)" if who.late else " (đúng hạn)"
    if who.unsent:
        line += f"; chưa gửi: {', '.join(who.unsent)}"
    return f"{line}."


DELIVERABLE_DONE = {
    "plan": "đã xây dựng, ban hành kế hoạch thực hiện của cơ quan, đơn vị mình",
    "contact_list": "đã cử lãnh đạo phụ trách và công chức đầu mối theo yêu cầu của Kế hoạch",
}


def direction(report: ConsolidationInput) -> list[Block]:
    """Part I: how the plan was put into effect, and who has reported."""
    who = reporting(report)
    out: list[Block] = [
        Heading("I. CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI"),
        Para(
            f"Sau khi {plan_citation(report)} được ban hành, {coordinator_text(report)} đã "
            f"thông báo nhiệm vụ đến {len(who.total)} cơ quan, đơn vị được giao; theo dõi, "
            "đôn đốc việc thực hiện và tổng hợp kết quả."
        ),
    ]
    for row in report.duties:
        done = DELIVERABLE_DONE.get(row.deliverable)
        if done and row.agencies and row.tracked:
            out.append(Para(f"- {row.reported}/{row.agencies} cơ quan, đơn vị {done}."))
    out.append(Para(f"- {reporting_line(report)}"))
    return out


def totals(report: ConsolidationInput, code: str) -> tuple[float, list[tuple[str, float]]]:
    """An indicator's total over the accepted reports, and each agency's share (not zero)."""
    shares: dict[str, float] = {}
    for item in report.accepted:
        value = item.figures.get(code)
        if value:
            name = clean(item.agency_name)
            shares[name] = shares.get(name, 0.0) + value
    return sum(shares.values()), list(shares.items())


def indicator_line(report: ConsolidationInput, indicator: IndicatorTotal) -> str:
    """The total in the body; each agency's figure is in the figures' annex."""
    total, shares = totals(report, indicator.code)
    line = f"- {indicator.label}: {number_vi(total)} {indicator.unit}"
    if shares:
        line += f" ({len(shares)} cơ quan, đơn vị báo cáo)"
    return f"{line}."


def area_duties(report: ConsolidationInput, clause: str) -> list[DutyRow]:
    return [d for d in report.duties if d.clause == clause or d.clause.startswith(f"{clause}.")]


def results(report: ConsolidationInput) -> list[Block]:
    """Part II: results by the plan's own content areas, with the indicators' totals."""
    out: list[Block] = [Heading("II. KẾT QUẢ THỰC HIỆN")]
    index = 0
    for area in report.areas:
        index += 1
        out.append(Heading(f"{index}. {clean(area.title).rstrip(':;. ')} (mục {area.clause})", 2))
        shown = [i for i in report.indicators if i.area == area.clause]
        out += [Para(indicator_line(report, i)) for i in shown]
        for row in area_duties(report, area.clause):
            out.append(
                Para(
                    f"- Nhiệm vụ mục {row.clause} ({clean(row.lead)}): "
                    f"{DUTY_STATE_VI[row.state].lower()}."
                )
            )
        if not shown and not area_duties(report, area.clause):
            out.append(
                Para(
                    f"Các cơ quan, đơn vị báo cáo kết quả tại {annex_of(report, REPORTS_HEADING)}."
                )
            )
    general = [i for i in report.indicators if i.area not in {a.clause for a in report.areas}]
    if general:
        index += 1
        out.append(Heading(f"{index}. Số liệu tổng hợp", 2))
        out += [Para(indicator_line(report, i)) for i in general]
    index += 1
    out.append(Heading(f"{index}. Kết quả thực hiện các nhiệm vụ của Kế hoạch", 2))
    out.append(Para(duty_counts(report)))
    if not report.accepted:
        out.append(Para(NONE_ACCEPTED))
    return out


def duty_counts(report: ConsolidationInput) -> str:
    if not report.duties:
        return f"Kết quả của từng cơ quan, đơn vị tại {annex_of(report, REPORTS_HEADING)}."
    counts: dict[str, int] = {}
    for row in report.duties:
        counts[row.state] = counts.get(row.state, 0) + 1
    parts = [f"{DUTY_STATE_VI[s]}: {counts[s]}" for s in DUTY_STATE_VI if s in counts]
    return (
        f"Tổng số nhiệm vụ của Kế hoạch: {len(report.duties)}; trong đó: {'; '.join(parts)} "
        f"(chi tiết tại Phụ lục I; báo cáo của từng cơ quan, đơn vị tại "
        f"{annex_of(report, REPORTS_HEADING)})."
    )


def quoted(report: ConsolidationInput, field: str) -> list[Block]:
    """The agencies' own words of one part of their form, one dash line per agency."""
    out: list[Block] = []
    for item in report.accepted:
        text = " ".join(lines(getattr(item, field)))
        if text:
            out.append(Para(f"- {clean(item.agency_name)}: {text}"))
    return out


DONE_STATES = ("on_time", "on_time_extended", "late")
OPEN_STATES = ("in_term", "overdue", "not_done", "untracked")


def duty_progress(report: ConsolidationInput) -> str | None:
    """x/y duties with deadlines done; x/y continuous ones reported on."""
    tracked = [d for d in report.duties if d.tracked]
    continuous = [d for d in report.duties if not d.tracked]
    parts: list[str] = []
    if tracked:
        done = sum(1 for d in tracked if d.state in DONE_STATES)
        parts.append(f"{done}/{len(tracked)} nhiệm vụ được giao theo thời hạn đã hoàn thành")
    if continuous:
        told = sum(1 for d in continuous if d.state == "reported")
        parts.append(
            f"{told}/{len(continuous)} nhiệm vụ thường xuyên đã được các cơ quan chủ trì "
            "báo cáo kết quả"
        )
    return "; ".join(parts) or None


def assessment(report: ConsolidationInput) -> list[Block]:
    """Part III: strengths, then shortcomings and their causes as the agencies state them."""
    who = reporting(report)
    on_time = [n for n in who.sent if n not in who.late]
    strengths = f"{len(on_time)}/{len(who.total)} cơ quan, đơn vị gửi báo cáo đúng hạn"
    progress = duty_progress(report)
    if progress:
        strengths += f"; {progress}"
    out: list[Block] = [
        Heading("III. ĐÁNH GIÁ CHUNG"),
        Heading("1. Ưu điểm", 2),
        Para(f"{strengths}."),
        Heading("2. Hạn chế, nguyên nhân", 2),
    ]
    shortcomings: list[str] = []
    if who.late:
        shortcomings.append(f"{len(who.late)} cơ quan, đơn vị gửi báo cáo chậm")
    if who.unsent:
        shortcomings.append(f"{len(who.unsent)} cơ quan, đơn vị chưa gửi báo cáo")
    overdue = [d for d in report.duties if d.state in ("overdue", "not_done")]
    if overdue:
        shortcomings.append(f"{len(overdue)} nhiệm vụ quá hạn hoặc không hoàn thành")
    out.append(
        Para(f"Còn {'; '.join(shortcomings)}.")
        if shortcomings
        else Para("Không có cơ quan, đơn vị gửi báo cáo chậm hoặc chưa gửi báo cáo.")
    )
    difficulties = quoted(report, "difficulties")
    if difficulties:
        out.append(Para("Khó khăn, vướng mắc do các cơ quan, đơn vị nêu:"))
        out += difficulties
    return out


def outlook(report: ConsolidationInput) -> list[Block]:
    """Part IV: what is left to do, from the open duties and the agencies yet to report."""
    who = reporting(report)
    out: list[Block] = [Heading("IV. PHƯƠNG HƯỚNG NHIỆM VỤ THỜI GIAN TỚI")]
    open_duties = [d.clause for d in report.duties if d.state in OPEN_STATES]
    line = f"- Tiếp tục triển khai thực hiện {plan_citation(report)}"
    if open_duties:
        line += f"; tập trung các nhiệm vụ chưa hoàn thành (mục {', '.join(open_duties)})"
    out.append(Para(f"{line}."))
    if who.unsent:
        out.append(
            Para(f"- Đôn đốc {', '.join(who.unsent)} gửi báo cáo kết quả thực hiện Kế hoạch.")
        )
    return out


def proposals(report: ConsolidationInput) -> list[Block]:
    """Part V: the agencies' proposals, quoted."""
    quotes = quoted(report, "proposals")
    return [Heading("V. ĐỀ XUẤT, KIẾN NGHỊ"), *(quotes or [Para(NONE_PROPOSED)])]


def closing(report: ConsolidationInput) -> str:
    if report.author == "issuer":
        return f"Trên đây là báo cáo kết quả thực hiện {plan_citation(report)} {when(report)}./."
    return (
        f"Trên đây là báo cáo kết quả thực hiện {plan_citation(report)} {when(report)}, "
        f"{coordinator_text(report)} kính báo cáo {issuer_text(report)}./."
    )


def body(report: ConsolidationInput) -> list[Block]:
    """The report from its opening to its closing sentence."""
    out: list[Block] = [Para(opening(report))]
    cut = cut_off(report)
    if cut:
        out.append(Para(cut, italic=True))
    out += direction(report)
    out += results(report)
    out += assessment(report)
    out += outlook(report)
    out += proposals(report)
    out.append(Para(closing(report)))
    return out


def recipient_lines(report: ConsolidationInput) -> list[str]:
    """Each recipient on its own dash line, ending ";" and the last one "."."""
    names = [clean(r).strip().rstrip(";.") for r in report.recipients if r.strip()]
    return [f"- {n}{'.' if i == len(names) - 1 else ';'}" for i, n in enumerate(names)]


def signer_lines(report: ConsolidationInput) -> list[str]:
    return [line.strip() for line in clean(report.signer_title).splitlines() if line.strip()]


def annex_reference(report: ConsolidationInput) -> str:
    return (
        f"(Kèm theo Báo cáo số {symbol(report)} ngày{DATE_BLANK}/{DATE_BLANK}/{report.year} "
        f"của {author_text(report)})"
        if report.report_number is None
        else f"(Kèm theo Báo cáo số {symbol(report)} ngày {dmy(report.report_date)} "
        f"của {author_text(report)})"
    )


DUTY_HEADINGS = ("STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Kết quả", "Tình trạng")
DUTY_WIDTHS_MM = (11.0, 60.0, 30.0, 22.0, 22.0, 20.0)
DUTY_TEXT_CHARS = 220
LATE_HEADINGS = ("STT", "Cơ quan, đơn vị", "Nhiệm vụ (mục)", "Kỳ", "Hạn gửi", "Ngày gửi")
MISSING_HEADINGS = ("STT", "Cơ quan, đơn vị", "Nhiệm vụ (mục)", "Kỳ", "Hạn gửi", "Tình trạng")
ANNEX_WIDTHS_MM = (14.0, 55.0, 24.0, 17.0, 27.0, 28.0)


def short(text: str, limit: int) -> str:
    flat = " ".join(clean(text).split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def result(duty: DutyRow) -> str:
    if not duty.agencies:
        return "—"
    where = "" if duty.tracked else " trong báo cáo năm"
    return f"{duty.reported}/{duty.agencies} cơ quan, đơn vị đã báo cáo{where}"


def duty_rows(duties: Iterable[DutyRow]) -> list[tuple[str, ...]]:
    return [
        (
            str(i),
            f"{clean(d.clause)}. {short(d.text, DUTY_TEXT_CHARS)}",
            clean(d.lead),
            clean(d.deadline),
            result(d),
            DUTY_STATE_VI[d.state],
        )
        for i, d in enumerate(duties, start=1)
    ]


def late_rows(late: Iterable[LateReport]) -> list[tuple[str, ...]]:
    return [
        (
            str(i),
            clean(r.agency_name),
            clean(r.clause),
            period_vi(clean(r.period)),
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
            period_vi(clean(r.period)),
            dmy(r.last_day) if r.last_day else "Chưa đặt hạn",
            REPORT_STATUS_VI.get(r.status, clean(r.status)),
        )
        for i, r in enumerate(missing, start=1)
    ]


ROMAN = ("I", "II", "III", "IV", "V", "VI")
REPORTS_HEADING = "BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ"
LATE_TITLE = "1. Cơ quan, đơn vị gửi báo cáo chậm"
MISSING_TITLE = "2. Cơ quan, đơn vị chưa gửi báo cáo"
FIGURE_HEADINGS = ("STT", "Cơ quan, đơn vị", "Số lượng")
FIGURE_WIDTHS_MM = (14.0, 111.0, 40.0)


def figure_rows(report: ConsolidationInput, indicator: IndicatorTotal) -> list[tuple[str, ...]]:
    total, shares = totals(report, indicator.code)
    rows = [(str(i), name, number_vi(v)) for i, (name, v) in enumerate(shares, start=1)]
    return [*rows, ("", "Tổng cộng", number_vi(total))]


def annexes(report: ConsolidationInput) -> list[Block]:
    """Phụ lục I every duty; then, with a report form, each agency's figures; the late and
    missing reports; the agencies' reports as accepted. Each on a new page."""
    reference = Centred(annex_reference(report), bold=False, italic=True)
    parts: list[tuple[str, list[Block]]] = [
        (
            "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH",
            [Grid(DUTY_HEADINGS, duty_rows(report.duties), DUTY_WIDTHS_MM, (1, 2, 4))]
            if report.duties
            else [Para("Kế hoạch không có nhiệm vụ được theo dõi.")],
        )
    ]
    if report.indicators:
        figures: list[Block] = []
        for n, indicator in enumerate(report.indicators, start=1):
            figures.append(Heading(f"{n}. {indicator.label} (đơn vị tính: {indicator.unit})", 2))
            figures.append(Grid(FIGURE_HEADINGS, figure_rows(report, indicator), FIGURE_WIDTHS_MM))
        parts.append(("SỐ LIỆU CỦA CÁC CƠ QUAN, ĐƠN VỊ", figures))
    parts.append(
        (
            "DANH SÁCH CƠ QUAN, ĐƠN VỊ GỬI BÁO CÁO CHẬM VÀ CHƯA GỬI BÁO CÁO",
            [
                Heading(LATE_TITLE, 2),
                Grid(LATE_HEADINGS, late_rows(report.late), ANNEX_WIDTHS_MM)
                if report.late
                else Para(NONE_LATE),
                Heading(MISSING_TITLE, 2),
                Grid(MISSING_HEADINGS, missing_rows(report.missing), ANNEX_WIDTHS_MM)
                if report.missing
                else Para(NONE_MISSING),
            ],
        )
    )
    texts: list[Block] = []
    sections = by_agency(report.accepted)
    if not sections:
        texts.append(Para(NONE_ACCEPTED))
    for index, section in enumerate(sections, start=1):
        texts.append(Heading(f"{index}. {section.name}", 2))
        for line, paragraphs in section.reports:
            texts.append(Para(line, italic=True))
            texts += [Para(p) for p in paragraphs]
    parts.append((REPORTS_HEADING, texts))
    out: list[Block] = []
    for number, (heading, blocks) in enumerate(parts):
        out += [PageBreak(), Centred(f"PHỤ LỤC {ROMAN[number]}"), Centred(heading), reference]
        out += blocks
    return out


def annex_of(report: ConsolidationInput, heading: str) -> str:
    """The name of the annex with this heading, as the body refers to it."""
    names = [b.text for b in annexes(report) if isinstance(b, Centred) and b.bold]
    return names[names.index(heading) - 1].replace("PHỤ LỤC", "Phụ lục")
