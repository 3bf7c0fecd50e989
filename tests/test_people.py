"""Emails become actors with the role the plan 516/KH-UBND gives their agency."""

from pathlib import Path

import pytest

from domain.people import actor_for
from domain.planfile import load_plan
from schemas.errors import KehoachError
from schemas.plan import NormalizedPlan

PLAN_FILE = Path(__file__).resolve().parents[1] / "plans" / "516-KH-UBND-2023.yaml"


@pytest.fixture(scope="module")
def plan() -> NormalizedPlan:
    return load_plan(PLAN_FILE)


@pytest.mark.parametrize(
    ("email", "agency", "role"),
    [
        ("lanhdao@stttt.gialai.example", "STTTT", "coordinator_director"),
        ("daumoi@stttt.gialai.example", "STTTT", "coordinator"),
        ("lanhdao@ubnd-tinh.gialai.example", "UBND_TINH", "vice_chairman"),
        ("daumoi@ubnd-tinh.gialai.example", "UBND_TINH", "focal"),
        ("lanhdao@vp-ubnd.gialai.example", "VP_UBND", "office"),
        ("daumoi@vp-ubnd.gialai.example", "VP_UBND", "office"),
        ("lanhdao@sngv.gialai.example", "SNGV", "leader"),
        ("daumoi@sngv.gialai.example", "SNGV", "focal"),
    ],
)
def test_role_follows_the_agency_the_plan_names(
    plan: NormalizedPlan, email: str, agency: str, role: str
) -> None:
    actor = actor_for(plan, email)
    assert (email, agency, role, "cli") == (actor.email, actor.agency, actor.role, actor.source)
    assert actor.name is not None


def test_email_matches_whatever_its_case_and_keeps_the_directory_spelling(
    plan: NormalizedPlan,
) -> None:
    actor = actor_for(plan, "  DauMoi@SNGV.GiaLai.Example ", source="web")
    assert ("daumoi@sngv.gialai.example", "SNGV", "focal", "web") == (
        actor.email,
        actor.agency,
        actor.role,
        actor.source,
    )


def test_unknown_email_is_refused_naming_it_in_vietnamese(plan: NormalizedPlan) -> None:
    with pytest.raises(KehoachError) as caught:
        actor_for(plan, "ai.do@example.com")
    assert "ai.do@example.com" in caught.value.message_vi
    assert caught.value.message_vi.startswith("Không có ai với địa chỉ thư")


def test_real_contacts_replace_the_placeholders(plan: NormalizedPlan, tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.yaml"
    contacts.write_text(
        "SNGV:\n  focal:\n    name: Nguyễn Văn A\n    title: Chuyên viên\n"
        "    email: nva@songoaivu.gialai.gov.vn\n",
        encoding="utf-8",
    )
    real = load_plan(PLAN_FILE, contacts_file=contacts)
    actor = actor_for(real, "nva@songoaivu.gialai.gov.vn")
    assert ("SNGV", "focal", "Nguyễn Văn A") == (actor.agency, actor.role, actor.name)
    with pytest.raises(KehoachError):
        actor_for(real, "daumoi@sngv.gialai.example")


def test_one_person_named_leader_and_focal_acts_as_leader(plan: NormalizedPlan) -> None:
    sngv = plan.agency("SNGV")
    both = sngv.model_copy(update={"focal": sngv.leader})
    changed = plan.model_copy(
        update={"agencies": [both if a.code == "SNGV" else a for a in plan.agencies]}
    )
    assert "leader" == actor_for(changed, sngv.leader.email).role


def test_an_address_two_agencies_name_is_refused(plan: NormalizedPlan) -> None:
    shared = plan.agency("SNGV").focal
    snv = plan.agency("SNV")
    changed = plan.model_copy(
        update={
            "agencies": [
                snv.model_copy(update={"focal": shared}) if a.code == "SNV" else a
                for a in plan.agencies
            ]
        }
    )
    with pytest.raises(KehoachError) as caught:
        actor_for(changed, shared.email)
    assert "SNGV" in caught.value.message_vi and "SNV" in caught.value.message_vi
