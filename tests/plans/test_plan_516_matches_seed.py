"""Plan 516/KH-UBND as data must say exactly what the plan's text says.

The expected duty units are derived from the seed text itself, not copied from the YAML:
section II.1's dash bullets, II.2's lettered activity areas, II.3's paragraph, every
numbered item of III (one unit per dash bullet, or one unit when it has none), IV's
paragraphs and the closing paragraph (its dated report and its ad-hoc report).
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from schemas.plan import AgencyDirectory, DateDeadline, PlanFile

REPO = Path(__file__).parents[2]
PLAN_PATH = REPO / "plans" / "516-KH-UBND-2023.yaml"
# The plan's text as scraped (the customer's document), kept beside the plan data; the
# shared seed it came from, when present, must be the same bytes (checked below).
DEFAULT_SEED = REPO / "plans" / "sources" / "516-KH-UBND-2023.txt"
SHARED_SEED = REPO.parent / "shared" / "seeds" / "000_93ced653787741b8.txt"

DASH = "– "  # the plan's bullet marker: an en dash and a space
ROMAN = re.compile(r"^(I|II|III|IV|V|VI)\. (.+)$")
NUMBERED = re.compile(r"^(\d+)\. (.+)$")
LETTERED = re.compile(r"^([a-zđ])\) (.+)$")


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Unit:
    clause: str
    heading: str | None
    text: str


# --- reading the seed -----------------------------------------------------------------


def _seed_path() -> Path:
    override = os.environ.get("KEHOACH_SEED_FILE")
    return Path(override) if override else DEFAULT_SEED


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    path = _seed_path()
    if not path.is_file():
        pytest.fail(f"seed text not found at {path} (set KEHOACH_SEED_FILE)")
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]


def _body(lines: list[str]) -> tuple[dict[str, tuple[str, list[str]]], list[str]]:
    """The plan's Roman sections from II on ({numeral: (title, paragraphs)}) and the closing.

    The body ends at "Nơi nhận:"; the closing paragraph is the one starting "Trên đây là".
    Everything before "II." (the site header, the preamble, section I) is ignored.
    """
    start = next(i for i, line in enumerate(lines) if line.startswith("II. "))
    end = next(i for i, line in enumerate(lines) if line.startswith("Nơi nhận"))
    sections: dict[str, tuple[str, list[str]]] = {}
    closing: list[str] = []
    current: list[str] | None = None
    for line in lines[start:end]:
        if not line:
            continue
        roman = ROMAN.match(line)
        if roman:
            current = []
            sections[roman.group(1)] = (roman.group(2), current)
        elif line.startswith("Trên đây là"):
            current = closing
            current.append(line)
        else:
            assert current is not None
            current.append(line)
    return sections, closing


def _numbered(paragraphs: list[str]) -> list[tuple[str, str, list[str]]]:
    items: list[tuple[str, str, list[str]]] = []
    for paragraph in paragraphs:
        match = NUMBERED.match(paragraph)
        if match:
            items.append((match.group(1), match.group(2), []))
        else:
            assert items, f"paragraph before the first numbered item: {paragraph[:60]!r}"
            items[-1][2].append(paragraph)
    return items


def _dash_or_whole(prefix: str, heading: str, body: list[str]) -> list[Unit]:
    """One unit per dash bullet; an item without bullets is one unit of all its paragraphs."""
    if not any(p.startswith(DASH) for p in body):
        return [Unit(prefix, heading, "\n\n".join(body))]
    assert all(p.startswith(DASH) for p in body), f"{prefix}: dash and plain paragraphs mixed"
    return [Unit(f"{prefix}.{k}", heading, p[len(DASH) :]) for k, p in enumerate(body, 1)]


def _lettered(prefix: str, body: list[str]) -> list[Unit]:
    areas: list[tuple[str, str, list[str]]] = []
    for paragraph in body:
        match = LETTERED.match(paragraph)
        if match:
            areas.append((match.group(1), match.group(2), []))
        else:
            areas[-1][2].append(paragraph)
    return [Unit(f"{prefix}.{letter}", head, "\n\n".join(ps)) for letter, head, ps in areas]


def derive_units(lines: list[str]) -> list[Unit]:
    sections, closing = _body(lines)
    units: list[Unit] = []
    for number, heading, body in _numbered(sections["II"][1]):
        if body and LETTERED.match(body[0]):
            units += _lettered(f"II.{number}", body)
        else:
            units += _dash_or_whole(f"II.{number}", heading, body)
    for number, heading, body in _numbered(sections["III"][1]):
        units += _dash_or_whole(f"III.{number}", heading, body)
    iv_title, iv_body = sections["IV"]
    units += [Unit(f"IV.{k}", iv_title, p) for k, p in enumerate(iv_body, 1)]
    assert len(closing) == 1, "expected one closing paragraph"
    if "trước ngày" in closing[0]:
        units.append(Unit("KL.1", None, closing[0]))
    if "đột xuất" in closing[0]:
        units.append(Unit("KL.2", None, closing[0]))
    return units


# --- reading the YAML -----------------------------------------------------------------


@pytest.fixture(scope="module")
def plan_file() -> PlanFile:
    return PlanFile.model_validate(yaml.safe_load(PLAN_PATH.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def directory(plan_file: PlanFile) -> AgencyDirectory:
    path = PLAN_PATH.parent / plan_file.agencies_file
    return AgencyDirectory.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def expected_units(seed_lines: list[str]) -> list[Unit]:
    return derive_units(seed_lines)


def _expand(refs: list[str], directory: AgencyDirectory) -> set[str]:
    groups = {g.code: g.members for g in directory.groups}
    return {code for ref in refs for code in groups.get(ref, [ref])}


# --- the tests ------------------------------------------------------------------------


def test_clauses_match_the_seed_in_document_order(
    plan_file: PlanFile, expected_units: list[Unit]
) -> None:
    assert [u.clause for u in expected_units] == [d.clause for d in plan_file.duties]


def test_ids_are_the_clauses_and_sections_their_prefix(plan_file: PlanFile) -> None:
    # schemas.plan.DutyId is ASCII-only, so the clause letter "đ" is spelt "dd" in the id.
    for duty in plan_file.duties:
        assert duty.clause.replace("đ", "dd") == duty.id
        assert duty.clause.split(".")[0] == duty.section


def test_section_iii_has_48_units(plan_file: PlanFile, expected_units: list[Unit]) -> None:
    from_seed = [u for u in expected_units if u.clause.startswith("III.")]
    from_yaml = [d for d in plan_file.duties if d.section == "III"]
    assert len(from_seed) == 48
    assert len(from_seed) == len(from_yaml)


def test_every_text_occurs_verbatim_in_the_seed(plan_file: PlanFile, seed_lines: list[str]) -> None:
    seed = _norm("\n".join(seed_lines))
    for duty in plan_file.duties:
        for paragraph in duty.text.split("\n\n"):
            assert _norm(paragraph) in seed, f"{duty.id}: not in the seed: {paragraph[:80]!r}"


def test_texts_and_headings_are_exactly_the_seeds(
    plan_file: PlanFile, expected_units: list[Unit]
) -> None:
    expected = {u.clause: u for u in expected_units}
    for duty in plan_file.duties:
        unit = expected[duty.clause]
        assert unit.text == duty.text, duty.id
        assert unit.heading == duty.heading, duty.id
        assert not duty.text.startswith(("–", "-", " ")), duty.id


def test_deadlines_are_only_those_the_text_states(plan_file: PlanFile) -> None:
    stated = {
        "III.3.6": ("recurring", "semiannual"),
        "III.5.4": ("recurring", "semiannual"),
        "III.9": ("recurring", "annual"),
        "III.14.1": ("open", None),
        "III.14.5": ("open", None),
        "KL.1": ("date", None),
        "KL.2": ("adhoc", None),
    }
    found = {
        d.clause: (d.deadline.kind, getattr(d.deadline, "frequency", None))
        for d in plan_file.duties
        if d.deadline.kind != "none"
    }
    assert stated == found
    for duty in plan_file.duties:
        rule = duty.deadline
        if rule.kind == "recurring":
            assert rule.due is None, f"{duty.id}: the text sets no day"
        source = getattr(rule, "text", None)
        if source is not None:
            assert _norm(source) in _norm(duty.text), duty.id


def test_closing_report_deadline(plan_file: PlanFile) -> None:
    kl1 = next(d for d in plan_file.duties if d.clause == "KL.1")
    assert isinstance(kl1.deadline, DateDeadline)
    assert "10/11/2023" in kl1.deadline.text
    assert kl1.deadline == plan_file.plan.final_report.deadline
    assert "2023-11-09" == kl1.deadline.last_day().isoformat()
    assert ["report", "report"] == [d.deliverable for d in plan_file.duties if d.section == "KL"]


def test_deliverables(plan_file: PlanFile) -> None:
    expected = {
        "III.3.6": "report",
        "III.5.4": "publication",
        "III.9": "budget",
        "III.14.1": "plan",
        "III.14.5": "contact_list",
    }
    deliverables = {d.clause: d.deliverable for d in plan_file.duties}
    for duty_id, deliverable in expected.items():
        assert deliverable == deliverables[duty_id], duty_id


def test_requested_only_where_the_text_says_de_nghi(
    plan_file: PlanFile, expected_units: list[Unit]
) -> None:
    requested = {u.clause for u in expected_units if (u.heading or "").startswith("Đề nghị")}
    assert requested == {d.clause for d in plan_file.duties if d.mode == "requested"}
    assert {"III.1", "III.2.1", "III.2.2", "III.2.3"} == requested


def test_every_agency_code_exists(plan_file: PlanFile, directory: AgencyDirectory) -> None:
    agencies = [a.code for a in directory.agencies]
    assert len(set(agencies)) == len(agencies), "duplicate agency codes"
    known = set(agencies) | {g.code for g in directory.groups}
    for group in directory.groups:
        assert set(group.members) <= set(agencies), group.code
    header = plan_file.plan
    for code in (
        header.issuer,
        header.coordinator,
        header.office,
        header.final_report.recipient,
        header.final_report.via,
    ):
        assert code in known, code
    for duty in plan_file.duties:
        for ref in [*duty.lead, *duty.coordinating, *(duty.assignees or [])]:
            assert ref in known, f"{duty.id}: {ref}"


def test_section_iii_14_reaches_20_provincial_agencies_and_17_districts(
    plan_file: PlanFile, directory: AgencyDirectory
) -> None:
    kinds = {a.code: a.kind for a in directory.agencies}
    units = [d for d in plan_file.duties if d.clause.startswith("III.14.")]
    assert 6 == len(units)
    for duty in units:
        codes = _expand(list(duty.lead), directory)
        districts = {c for c in codes if kinds[c] == "ubnd_huyen"}
        provincial = codes - districts
        assert 17 == len(districts), duty.id
        assert 20 == len(provincial), duty.id
        assert {"so", "co_quan_chuyen_mon", "van_phong_ubnd", "ban_quan_ly"} == {
            kinds[c] for c in provincial
        }
    all_districts = {c for c, k in kinds.items() if k == "ubnd_huyen"}
    assert 17 == len(all_districts)
    assert all_districts == _expand(["@ubnd_huyen"], directory)


def test_closing_report_reaches_every_tasked_agency(
    plan_file: PlanFile, directory: AgencyDirectory
) -> None:
    tasked = set()
    for duty in plan_file.duties:
        if duty.section == "III" and duty.mode == "assigned":
            tasked |= _expand(list(duty.lead), directory)
    for duty in (d for d in plan_file.duties if d.section == "KL"):
        assert tasked == _expand(list(duty.assignees or []), directory), duty.id


def test_contacts_are_placeholders_on_example_domains(directory: AgencyDirectory) -> None:
    for agency in directory.agencies:
        for contact in (agency.leader, agency.focal):
            assert contact.email.endswith(".example"), f"{agency.code}: {contact.email}"
            assert contact.placeholder, agency.code


def test_directory_header(directory: AgencyDirectory) -> None:
    assert "Gia Lai" == directory.province
    assert "2023-03-09" == directory.as_of.isoformat()
    assert "STTTT" in {a.code for a in directory.agencies}


def test_the_kept_plan_text_is_the_shared_seed() -> None:
    if not SHARED_SEED.is_file():
        pytest.skip(f"no shared seed at {SHARED_SEED} to compare with")
    assert SHARED_SEED.read_bytes() == DEFAULT_SEED.read_bytes()
