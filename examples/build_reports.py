#!/usr/bin/env python3
"""Build the demo corpus examples/reports/ from the UTF-8 sources in examples/src/.

    python examples/build_reports.py            # rebuild everything, then verify
    python examples/build_reports.py --no-check # rebuild only

Each source is the exact text a report should have (tables flattened: one cell per line,
each cell line starting with a TAB, one blank line after each table row).  MANIFEST says
which source becomes which format:

    txt          copied byte for byte (UTF-8)
    txt-gb18030  re-encoded as GB18030
    docx         jixiao.model.writers.text_to_docx: each line one paragraph; a block of
                 TAB-prefixed cell lines becomes a real Word table; fixed dates
    pdf          jixiao.model.writers.text_to_pdf: reportlab's built-in CID font STSong-Light,
                 lines wrapped at 38 CJK characters as a word processor would

The build is deterministic: running it twice gives byte-identical files.  After building,
every report is read back with jixiao.read.ingest.read_text and compared with its source
(exactly for .txt/.docx; for .pdf with the wrapped lines), and check_expected.py is run.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
OUT = HERE / "reports"
sys.path.insert(0, str(HERE.parent))  # so that `jixiao` imports without installation

# source file -> output format
MANIFEST: dict[str, str] = {
    "01_baisha_2023.txt": "txt",
    "02_liuwan_2023.txt": "txt",
    "03_shimen_2023.txt": "pdf",
    "04_meiling_2023.txt": "docx",
    "05_yuntai_2022.txt": "txt",
    "06_yuntai_2023.txt": "txt-gb18030",
    "07_qingzhu_2023.txt": "txt",
}
SUFFIX = {"txt": ".txt", "txt-gb18030": ".txt", "docx": ".docx", "pdf": ".pdf"}

def out_name(src_name: str) -> str:
    return Path(src_name).stem + SUFFIX[MANIFEST[src_name]]


def read_source(src_name: str) -> str:
    text = (SRC / src_name).read_text(encoding="utf-8")
    if "\r" in text:
        raise SystemExit(f"{src_name}: CR characters in source; use LF line ends")
    if not text.endswith("\n"):
        raise SystemExit(f"{src_name}: source must end with a newline")
    return text


# ---------------------------------------------------------------- txt

def build_txt(text: str, dest: Path, encoding: str) -> None:
    dest.write_bytes(text.encode(encoding))


# ---------------------------------------------------------------- docx, pdf

def build_docx(text: str, dest: Path) -> None:
    from jixiao.model.writers import text_to_docx

    text_to_docx(text, dest)


def pdf_lines(text: str) -> list[str]:
    from jixiao.model.writers import pdf_lines as wrapped

    for line in text[:-1].split("\n"):
        if line.startswith("\t") or line.startswith(" "):
            raise SystemExit("PDF sources must not contain tables or leading spaces")
        if line == "":
            raise SystemExit("PDF sources must not contain blank lines (they do not survive text extraction)")
    return wrapped(text)


def build_pdf(text: str, dest: Path) -> None:
    from jixiao.model.writers import text_to_pdf

    text_to_pdf(text, dest, title=text.split("\n", 1)[0])


# ---------------------------------------------------------------- main

def build_all() -> list[Path]:
    OUT.mkdir(exist_ok=True)
    built = []
    for src_name, fmt in MANIFEST.items():
        text = read_source(src_name)
        dest = OUT / out_name(src_name)
        if fmt == "txt":
            build_txt(text, dest, "utf-8")
        elif fmt == "txt-gb18030":
            build_txt(text, dest, "gb18030")
        elif fmt == "docx":
            build_docx(text, dest)
        elif fmt == "pdf":
            build_pdf(text, dest)
        else:
            raise SystemExit(f"unknown format {fmt!r} for {src_name}")
        built.append(dest)
        print(f"built {dest.relative_to(HERE.parent)}  ({fmt})")
    stale = {p.name for p in OUT.iterdir()} - {p.name for p in built}
    for name in sorted(stale):
        print(f"note: {OUT.name}/{name} is not produced by the manifest")
    return built


def verify_roundtrip() -> int:
    """Read every built report back with jixiao.read.ingest.read_text and compare with its source."""
    from jixiao.read.ingest import read_source as jx_read

    failures = 0
    for src_name, fmt in MANIFEST.items():
        text = read_source(src_name)
        dest = OUT / out_name(src_name)
        got = jx_read(dest)
        if fmt == "pdf":
            want = "\n".join(pdf_lines(text)) + "\n"
        else:
            want = text
        if got.text != want:
            failures += 1
            pos = next((i for i, (a, b) in enumerate(zip(got.text, want)) if a != b), min(len(got.text), len(want)))
            print(f"MISMATCH {dest.name}: read_text differs from the source at offset {pos}: "
                  f"got {got.text[pos:pos + 30]!r}, want {want[pos:pos + 30]!r}")
        else:
            enc = f", encoding {got.encoding}" if got.encoding else ""
            print(f"ok {dest.name}: read_text == {'wrapped ' if fmt == 'pdf' else ''}source ({len(got.text)} chars{enc})")
    return failures


def main(argv: list[str]) -> int:
    build_all()
    if "--no-check" in argv:
        return 0
    failures = verify_roundtrip()
    sys.path.insert(0, str(HERE))
    import check_expected

    failures += check_expected.main([])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
