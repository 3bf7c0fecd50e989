"""The consolidated report (báo cáo tổng hợp) the coordinator compiles, as Markdown and .docx.

Pure: the functions read only their input and build text or bytes in memory, so an activity
can render, hash and store the result, and a retry renders the same bytes.

Layout of the .docx follows Decree 30/2020/NĐ-CP (công tác văn thư), Appendix I: A4,
margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman; a borderless two-column
header (the superior and issuing body, then the number, on the left; the national motto,
then place and date in italics, on the right), the document kind and its summary centred in
bold, the body, "Nơi nhận" and the signature block, and an annex on its own page listing the
late and the missing reports. Page numbers sit centred at the top from page 2.

The same sentences feed both renderers, so the Markdown and the .docx never disagree.
Report bodies are printed as text: nothing in them is markup in either format.
"""

from domain.report.docx import render_docx, summarize
from domain.report.markdown import render_markdown

__all__ = ["render_docx", "render_markdown", "summarize"]
