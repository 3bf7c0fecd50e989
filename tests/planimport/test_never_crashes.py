"""Whatever text comes in, the importer answers with a draft or a refusal, never a crash."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.planimport import NotAPlan, import_plan, read_document

SEED = Path(__file__).parents[2] / "plans" / "sources" / "516-KH-UBND-2023.txt"
LINES = SEED.read_text(encoding="utf-8").split("\n")
FRAGMENTS = (
    st.sampled_from(LINES)
    | st.text(max_size=80)
    | st.sampled_from(
        [
            "|",
            "",
            "**",
            "KẾ HOẠCH",
            "IV. TỔ CHỨC THỰC HIỆN",
            "1. Sở Y tế:",
            "- trước ngày 31/2",
            "Nơi nhận:",
            "KT. CHỦ TỊCH",
            "a)",
            "Số: /KH-",
            "trước 25h00 hằng ngày",
            "Quý V/2025",
        ]
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, max_size=120))
def test_any_mix_of_plan_lines_and_noise_gives_a_draft_or_a_refusal(lines: list[str]) -> None:
    text = "\n".join(lines)
    try:
        draft = import_plan(read_document(text.encode("utf-8") or b" ", ".txt"), source="x")
    except NotAPlan as refusal:
        assert refusal.message_vi
        return
    assert draft.agencies
    for agency in draft.agencies:
        assert agency.lines is not None and agency.lines.first_line <= draft.line_count
