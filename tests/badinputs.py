"""The bad-input corpus, made at test time: every file a town might send that is not a clean report.

Each case: a file name, how to make it, and what jixiao must answer — an error whose one line
contains `cause`, or (cause None) a correct result.
"""
from __future__ import annotations

import io
import os
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from jixiao.fixtures import text_to_docx, text_to_pdf

REPORT = ("桐溪县红岩镇人民政府\n2023年度部门整体支出绩效自评报告\n一、部门预算及执行情况\n"
          "2023年我镇年初预算500.00万元，调整后预算520.00万元，实际支出494.00万元，预算执行率95.00%。\n")


@dataclass
class Case:
    name: str
    make: Callable[[Path], None]
    cause: str | None      # a substring of the one-line error; None: a correct result is expected
    what: str              # for the table in docs/robustness.md


def _write(text: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda p: p.write_bytes(text.encode(encoding))


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(data)


def _big(p: Path) -> None:
    with open(p, "wb") as fh:
        fh.truncate(100 * 1024 * 1024)  # sparse: 100 MB on paper, nothing on disk


def _truncated_docx(p: Path) -> None:
    text_to_docx(REPORT, p)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def _zip_bomb(p: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * (300 * 1024 * 1024) + b"</w:document>")
    p.write_bytes(buf.getvalue())


def _xxe_docx(p: Path) -> None:
    text_to_docx(REPORT, p)
    src = zipfile.ZipFile(io.BytesIO(p.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>', 1)
                data = data.replace("预算执行率".encode(), "预算执行率&xxe;".encode(), 1)
            dst.writestr(info, data)
    p.write_bytes(out.getvalue())


def _locked_pdf(p: Path) -> None:
    import pypdf
    plain = p.with_suffix(".plain.pdf")
    text_to_pdf(REPORT, plain)
    writer = pypdf.PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    with open(p, "wb") as fh:
        writer.write(fh)
    plain.unlink()


def _mixed(p: Path) -> None:
    half = REPORT.split("\n")
    p.write_bytes("\n".join(half[:3]).encode("utf-8") + b"\n" + "\n".join(half[3:]).encode("gb18030"))


CASES = [
    Case("empty.txt", _bytes(b""), "empty file", "empty file"),
    Case("blank.txt", _write(" \n\t \n"), "only whitespace", "whitespace only"),
    Case("noise.txt", _bytes(random.Random(1).randbytes(4096)), "binary data", "binary noise"),
    Case("gb18030_named_utf8.txt", _write(REPORT, "gb18030"), None, "GB18030 bytes in a file named as UTF-8: detected"),
    Case("mixed_encodings.txt", _mixed, "mixed encodings", "UTF-8 lines and GB18030 lines in one file"),
    Case("nul_bytes.txt", _bytes(REPORT.encode("utf-8") + b"\x00\x00abc"), "NUL bytes", "NUL bytes in a UTF-8 file"),
    Case("one_long_line.txt", _write("预算" + "x" * (5 * 1024 * 1024)), "text too long", "one 5 MB line"),
    Case("huge.txt", _big, "file too large", "a 100 MB file"),
    Case("truncated.docx", _truncated_docx, "not a valid .docx", "a truncated .docx"),
    Case("zip_bomb.docx", _zip_bomb, "zip bomb", "a .docx inflating to 300 MB"),
    Case("xxe.docx", _xxe_docx, None, "a .docx with an external entity: not resolved"),
    Case("locked.pdf", _locked_pdf, "password-protected", "a password-protected .pdf"),
    Case("scanned.pdf", lambda p: text_to_pdf("", p, draw_box=True), "needs OCR", "an image-only (scanned) .pdf"),
    Case("old_word.doc", _bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)), ".doc format is not supported",
         "an old Word .doc"),
    Case("recipe.txt", _write("红烧肉做法：五花肉切块，冰糖炒色，加酱油焖四十分钟。\n"), "not a performance",
         "a text that is not a 绩效 report"),
    Case("no_numbers.txt", _write("红岩镇人民政府\n部门整体支出绩效自评报告\n一、基本情况\n我镇认真开展自评工作，总体情况良好。\n"),
         None, "a report with no numbers"),
    Case("malformed_numbers.txt", _write(REPORT + "项目资金共计1,2,3.4.5万元，完成率１２３.４５％，另有12..5万元。\n"), None,
         "every shape of malformed number"),
    Case("hostile.txt", _write(REPORT + "内容主要包括<script>document.body.setAttribute('data-pwned','1')</script>"
                               "<img src=x onerror=alert(1)> **粗体** [链接](javascript:alert(1))。\n"), None,
         "script, HTML and Markdown in the text: shown as text"),
]


def make(folder: Path) -> dict[str, Case]:
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        case.make(folder / case.name)
    return {c.name: c for c in CASES}


if __name__ == "__main__":  # print the table for docs/robustness.md
    import sys
    import tempfile

    from jixiao.check import check_paths

    with tempfile.TemporaryDirectory() as tmp:
        cases = make(Path(tmp))
        print("| file | what | jixiao answers |\n|---|---|---|")
        for o in check_paths([Path(tmp) / c.name for c in CASES]):
            name = os.path.basename(o.path)
            answer = f"error: {o.error}" if o.error else f"result: town {o.report.meta.town}, {len(o.findings)} findings"
            print(f"| `{name}` | {cases[name].what} | {answer} |")
    sys.exit(0)
