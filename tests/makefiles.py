"""Build report files in other formats at test time (the seeds are only .txt)."""
from __future__ import annotations

from pathlib import Path

from jixiao.model.writers import text_to_docx, text_to_pdf


def write_docx(text: str, path: Path) -> Path:
    text_to_docx(text, path)
    return path


def write_pdf(text: str, path: Path, draw_box: bool = False) -> Path:
    text_to_pdf(text, path, draw_box=draw_box)
    return path
