"""The image copies every package pyproject.toml installs, and the data the code reads."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_and_the_data_are_copied_into_the_image() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\S+) \./\1$", (ROOT / "Dockerfile").read_text(), re.M))
    assert packages | {"db", "plans"} <= copied, sorted(packages | {"db", "plans"} - copied)


# The Debian package that provides each program adapters/ocr.py runs.
PROGRAM_PACKAGES = {"pdftoppm": "poppler-utils", "tesseract": "tesseract-ocr"}


def test_the_image_installs_the_programs_ocr_runs_and_the_vietnamese_model() -> None:
    ocr = (ROOT / "adapters" / "ocr.py").read_text()
    programs = set(re.findall(r'\["(\w+)", ', ocr)) | set(re.findall(r'\*\("(\w+)", ', ocr))
    installed = set(
        re.findall(r"[\w.-]+", " ".join(re.findall(r"apt-get install ([^&]+)", _dockerfile())))
    )
    assert {"pdftoppm", "tesseract"} == programs
    assert {PROGRAM_PACKAGES[p] for p in programs} | {"tesseract-ocr-vie"} <= installed


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
