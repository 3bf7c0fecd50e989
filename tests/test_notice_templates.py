"""Every notice template, for a placeholder contact and a named one and for each kind of
period, reads as an official would send it: no internal codes, addresses, English or holes."""

import datetime as dt
import re
from pathlib import Path

import pytest

from domain.notices import contact_line, deadline_day, greeting, plan_citation, render
from domain.vocabulary import period_vi
from schemas.calendar import VN_TZ
from schemas.store import Person

# Every notice kind: the templates with a subject and a lead (layouts and digests have none).
TEMPLATES = sorted(
    p.name.removesuffix(".j2")
    for p in (Path(__file__).parents[1] / "domain" / "templates").glob("*.j2")
    if "{% block subject %}" in p.read_text(encoding="utf-8")
)
PERIODS = ["2023", "2023-H1", "2023-H2", "2023-Q3", "2023-05", "2023-05-17", "2023-D2"]
NAMED = Person(name="Nguyễn Văn An", title="Phó Giám đốc", email="an.nv@sngv.gialai.example")
PLACEHOLDER = Person(
    name="Công chức đầu mối TTĐN (chưa cập nhật)",
    title="Công chức trực tiếp làm công tác thông tin đối ngoại",
    email="daumoi@sngv.gialai.example",
    placeholder=True,
)
COORDINATOR_FOCAL = Person(
    name="Trần Thị Bình", title="Chuyên viên", email="binh.tt@stttt.gialai.example"
)
ENGLISH = re.compile(
    r"\b(system|error|the|has|no|none|null|contact|consolidated|directory|focal|leader|"
    r"assigned|overdue|submitted|returned|accepted|waived|cancelled|on_time|late|true|false)\b",
    re.IGNORECASE,
)
CODES = re.compile(r"\b(\d{4}-(H[12]|Q[1-4]|\d{2})|[A-Z]{2,}_[A-Z_]+|STTTT|SNGV|UBND_TINH|KL\.1/)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
HOLES = ("chưa ấn định", "(chưa cập nhật)", "()", ": .", "None", "  ,")


def context(kind: str, person: Person, period: str) -> dict[str, object]:
    """What `activities.notices` gives every template, for Sở Ngoại vụ's duty III.5.4."""
    deadline = dt.datetime(2023, 11, 10, tzinfo=VN_TZ)
    return {
        "kind": kind,
        "plan_id": "516/KH-UBND",
        "plan_title": "Kế hoạch hoạt động thông tin đối ngoại năm 2023 trên địa bàn tỉnh Gia Lai",
        "plan_citation": plan_citation(
            number="516/KH-UBND",
            issued_on=dt.date(2023, 3, 9),
            issuer_name="Ủy ban nhân dân tỉnh Gia Lai",
        ),
        "clause": "III.5.4",
        "heading": "Sở Ngoại vụ",
        "duty_text": "Xuất bản Tập san thông tin đối ngoại (02 số/năm).",
        "agency": "SNGV",
        "agency_name": "Sở Ngoại vụ tỉnh Gia Lai",
        "deadline": deadline_day(deadline),
        "link": "https://kehoach.gialai.example/assignments/x",
        "days_before": 3,
        "escalation_level": 1,
        "escalation_step": "nhắc lần 2",
        "to_leader": False,
        "reason": "Bổ sung số liệu quý III.",
        "actor": "Nguyễn Văn An, Phó Giám đốc Sở Ngoại vụ tỉnh Gia Lai",
        "status": "waived",
        "period_words": period_vi(period),
        "coordinator_name": "Sở Thông tin và Truyền thông tỉnh Gia Lai",
        "coordinator_contact": contact_line(COORDINATOR_FOCAL, "0269 3823 456"),
        "greeting": greeting("Sở Ngoại vụ tỉnh Gia Lai", person),
        "to_agency": True,
        "action_links": {},
        "failed_subject": "Nhắc hạn: còn 3 ngày",
        "failed_recipient": "công chức đầu mối Sở Ngoại vụ tỉnh Gia Lai",
        "failed_channel": "thư điện tử",
        "failed_error": "danh bạ chưa có địa chỉ thư của người nhận",
    }


def readable(text: str) -> str:
    """The text an official reads: without the link, whose path is the system's own."""
    return re.sub(r"https?://\S+", "", text)


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("who", ["placeholder", "named"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_notice_reads_as_an_official_sends_it(template: str, who: str, period: str) -> None:
    person = NAMED if who == "named" else PLACEHOLDER
    rendered = render(template, context(template, person, period))
    for text in (rendered.subject, readable(rendered.text)):
        assert [] == EMAIL.findall(text)
        assert [] == [m[0] for m in CODES.finditer(text)]
        assert [] == ENGLISH.findall(text)
        assert [] == [hole for hole in HOLES if hole in text]
    assert period_vi(period) in rendered.subject + rendered.text
    first = rendered.text.splitlines()[0]
    if who == "named":
        assert "Kính gửi: Đồng chí Nguyễn Văn An, Phó Giám đốc Sở Ngoại vụ tỉnh Gia Lai." == first
    else:
        assert "Kính gửi: Sở Ngoại vụ tỉnh Gia Lai." == first
    assert "Liên hệ: Trần Thị Bình, Chuyên viên, điện thoại 0269 3823 456" in rendered.text


def test_the_assignment_cites_the_plan_of_the_committee_with_its_date() -> None:
    rendered = render("assignment", context("assignment", NAMED, "2023-H1"))
    assert rendered.subject.startswith(
        "Thông báo nhiệm vụ theo Kế hoạch số 516/KH-UBND ngày 09/3/2023 của Ủy ban nhân dân "
        "tỉnh Gia Lai"
    )
    assert "6 tháng đầu năm 2023" in rendered.subject


def test_the_two_half_year_notices_of_one_duty_differ() -> None:
    first = render("reminder", context("reminder", NAMED, "2023-H1")).subject
    second = render("reminder", context("reminder", NAMED, "2023-H2")).subject
    assert first != second


def test_an_extension_says_how_the_report_will_be_counted() -> None:
    text = render("extension_granted", context("extension_granted", NAMED, "2023")).text
    assert "Hoàn thành đúng hạn (có gia hạn)" in text


@pytest.mark.parametrize("who", [NAMED, PLACEHOLDER], ids=["named", "placeholder"])
def test_an_agency_that_never_reported_is_told_not_done_never_waived(who: Person) -> None:
    ctx = {**context("cancelled", who, "2023"), "status": "ended"}
    rendered = render("cancelled", ctx)
    assert rendered.subject.startswith("Kết thúc theo dõi: mục III.5.4, năm 2023")
    assert "“Không hoàn thành (kết thúc theo dõi)”" in rendered.text
    assert "miễn" not in rendered.subject + rendered.text
    assert [] == ENGLISH.findall(readable(rendered.text))


def test_without_a_deadline_no_sentence_says_it_is_unset() -> None:
    for template in TEMPLATES:
        ctx = {**context(template, NAMED, "2023"), "deadline": None}
        rendered = render(template, ctx)
        assert "chưa ấn định" not in rendered.subject + rendered.text
        assert "hết ngày ." not in rendered.text
