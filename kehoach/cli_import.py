"""`kehoach plan import FILE`: a plan document in, a draft plan file and a review report out.

The importer itself is pure (`domain.planimport`); this module reads the file, writes the
two outputs, and turns a refusal into a Vietnamese message and exit code 2. Both outputs
are rendered in memory first and moved into place only when both are ready, so a refused
or failed import leaves nothing half-written.
"""

import logging
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
import yaml
from pydantic import ValidationError
from rich.console import Console

from adapters.ocr import pdf_ocr
from domain.planimport import NotAPlan
from domain.planimport.document import import_document
from domain.planimport.readers import MAX_BYTES
from schemas.plan import AgencyDirectory

# The standard library's logger: silent in a one-shot command unless the process configured
# logging (adapters.logs routes it with everything else when it has).
log = logging.getLogger(__name__)
out = Console()
err = Console(stderr=True, soft_wrap=True)

_HEADER = (
    "# Bản nháp kế hoạch do `kehoach plan import` đọc từ văn bản; CHƯA DUYỆT.\n"
    "# Xem báo cáo rà soát (.review.md) trước; dòng nguồn, độ tin cậy và tên cơ quan như văn\n"
    "# bản viết nằm ở tệp .notes.yaml bên cạnh.\n"
)
_DIRECTORY_HEADER = (
    "# Danh bạ nháp: danh bạ của tỉnh (nếu có) cộng các cơ quan, nhóm ĐỀ XUẤT từ tên trong văn\n"
    "# bản mà danh bạ chưa có (liên hệ giữ chỗ .example). Xác nhận hoặc chọn cơ quan có sẵn.\n"
)


def _dump(mapping: object) -> str:
    return yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False, width=100)


def _load_directory(path: Path | None) -> AgencyDirectory | None:
    if path is None:
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return AgencyDirectory.model_validate(data)
    except ValidationError as exc:
        fields = "; ".join(".".join(str(p) for p in e["loc"]) or "(gốc)" for e in exc.errors())
        raise ValueError(
            f"tệp danh bạ {path} không đúng dạng danh bạ cơ quan "
            f"({exc.error_count()} lỗi ở: {fields})"
        ) from None


def _read(file: Path) -> bytes:
    """The file's bytes; too large a file is refused before it is read."""
    size = file.stat().st_size
    if size > MAX_BYTES:
        raise NotAPlan(
            f"file too large ({size} bytes)",
            f"Tệp quá lớn ({size // (1024 * 1024)} MB); một kế hoạch thường dưới "
            f"{MAX_BYTES // (1024 * 1024)} MB. Không đọc.",
        )
    return file.read_bytes()


def _write_together(files: dict[Path, str]) -> None:
    """Write every file to a temporary name, then rename them all into place."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, text in files.items():
            handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            staged.append((Path(name), target))
        for temporary, target in staged:
            temporary.replace(target)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)


def run_import(file: Path, *, out_dir: Path, directory: Path | None) -> tuple[Path, Path]:
    """Import `file` into `out_dir`; returns the draft and review paths. Raises NotAPlan.

    Beside them: `<stem>.notes.yaml` (source lines, confidence, names as written) and, when
    the province has no directory or the text names bodies it does not know,
    `<stem>.agencies.yaml`, the draft directory the plan file then points at."""
    if not file.is_file():
        raise NotAPlan(f"no such file {file}", f"Không tìm thấy tệp {file}.")
    agencies = _load_directory(directory)
    stem = file.stem
    own_directory = out_dir / f"{stem}.agencies.yaml"
    imported = import_document(
        _read(file),
        source=file.name,
        suffix=file.suffix,
        directory=agencies,
        agencies_file=os.path.relpath(directory, out_dir) if directory else own_directory.name,
        ocr=pdf_ocr() if file.suffix.lower() == ".pdf" else None,
    )
    draft, files = imported.draft, imported.files
    if files.directory is not None:
        files.plan["agencies_file"] = own_directory.name
    out_dir.mkdir(parents=True, exist_ok=True)
    draft_path, review_path = out_dir / f"{stem}.draft.yaml", out_dir / f"{stem}.review.md"
    outputs = {
        draft_path: _HEADER + _dump(files.plan),
        review_path: imported.review,
        out_dir / f"{stem}.notes.yaml": _dump(files.notes),
    }
    if files.directory is not None:
        outputs[own_directory] = _DIRECTORY_HEADER + _dump(files.directory)
    _write_together(outputs)
    log.info(
        "plan_imported source=%s agencies=%d duties=%d draft=%s",
        file,
        len(draft.agencies),
        sum(len(a.duties) for a in draft.agencies),
        draft_path,
    )
    return draft_path, review_path


def register(plan_app: typer.Typer) -> None:
    """Add `import` to `kehoach plan`."""

    @plan_app.command("import")
    def import_command(
        file: Annotated[Path, typer.Argument(help="Văn bản kế hoạch: .docx, .pdf, .txt, .md.")],
        out_dir: Annotated[Path, typer.Option("--out", help="Thư mục ghi bản nháp.")] = Path("."),
        directory: Annotated[
            Path | None, typer.Option("--directory", help="Danh bạ cơ quan của tỉnh (YAML).")
        ] = None,
    ) -> None:
        """Đọc văn bản kế hoạch, ghi bản nháp tệp kế hoạch và báo cáo rà soát."""
        try:
            draft_path, review_path = run_import(file, out_dir=out_dir, directory=directory)
        except NotAPlan as refusal:
            log.info("plan_import_refused source=%s reason=%s", file, refusal.message)
            err.print(f"Không nhập được: {refusal.message_vi}", markup=False, highlight=False)
            raise typer.Exit(2) from None
        except (OSError, ValueError) as exc:  # unreadable file, bad directory file
            log.info("plan_import_failed source=%s error=%r", file, exc)
            err.print(f"Không nhập được: {exc}", markup=False, highlight=False)
            raise typer.Exit(1) from None
        out.print(f"Bản nháp: {draft_path}", markup=False, highlight=False)
        out.print(f"Báo cáo rà soát: {review_path}", markup=False, highlight=False)
