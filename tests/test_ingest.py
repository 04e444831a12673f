"""Reading files: encodings detected, .docx tables flattened, PDFs, and one-line errors."""
from __future__ import annotations

import io
import zipfile

import pytest

from jixiao.errors import ReportError
from jixiao.read.ingest import decode_text, read_source
from jixiao.model.report import load_report

from .conftest import run_cli, seed, seeds_or_skip
from .makefiles import write_docx, write_pdf

SAMPLE = "云台镇人民政府\n2023年度部门整体支出绩效自评报告\n一、基本情况\n年初预算1009.62万元，执行率 88.28%。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])
def test_encodings_are_detected(encoding):
    text, detected = decode_text(SAMPLE.encode(encoding))
    assert text.lstrip("\ufeff") == SAMPLE
    assert detected.replace("_", "-").split("-")[0] == encoding.split("-")[0]


def test_utf8_bom_is_kept_so_offsets_match_a_plain_utf8_read(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes(SAMPLE.encode("utf-8-sig"))
    assert read_source(p).text == p.read_text(encoding="utf-8")


def test_line_endings_are_not_normalised_in_the_source_text(tmp_path):
    p = tmp_path / "crlf.txt"
    p.write_bytes(SAMPLE.replace("\n", "\r\n").encode("gb18030"))
    report = load_report(p)
    assert report.text == SAMPLE.replace("\n", "\r\n")
    first = report.paragraphs[0]
    assert report.text[first.start:first.end] == "云台镇人民政府"


def test_text_of_every_seed_is_the_file_content_exactly():
    for path in seeds_or_skip():
        out = run_cli("text", str(path))
        assert out.returncode == 0, out.stderr
        assert out.stdout == path.read_bytes()


def test_text_of_a_gb18030_file_is_its_content_in_utf8(tmp_path):
    p = tmp_path / "gb.txt"
    p.write_bytes(SAMPLE.encode("gb18030"))
    assert run_cli("text", str(p)).stdout.decode("utf-8") == SAMPLE


def test_docx_paragraphs_and_tables_in_document_order(tmp_path):
    text = "标题\n\n\t序号\n\t项目名称\n\t金额\n\n\t1\n\t道路维修\n\t10.5\n\n\t2\n\t村务公开\n\t\n\n结尾段落。\n"
    p = write_docx(text, tmp_path / "t.docx")
    assert read_source(p).text == text
    report = load_report(p)
    assert len(report.tables) == 1
    assert report.tables[0].frame.shape == (2, 3)


def test_pdf_text_layer_is_read(tmp_path):
    p = write_pdf(SAMPLE, tmp_path / "r.pdf")
    report = load_report(p)
    assert "1009.62万元" in report.text
    assert report.meta.town == "云台镇"
    assert report.meta.year == 2023


@pytest.mark.parametrize("name, content, cause", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b" \n\t\n", "only whitespace"),
    ("old.doc", b"\xd0\xcf\x11\xe0" + b"\0" * 100, ".doc format is not supported"),
    ("notes.rtf", b"{\\rtf1}", "unsupported file type .rtf"),
    ("broken.docx", b"PK\x03\x04 truncated", "not a valid .docx"),
    ("broken.pdf", b"%PDF-1.4\n garbage", "PDF"),
])
def test_unreadable_files_give_one_line_errors(tmp_path, name, content, cause):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(ReportError) as err:
        read_source(p)
    message = str(err.value)
    assert "\n" not in message and str(p) in message and cause in message


def test_missing_file(tmp_path):
    with pytest.raises(ReportError, match="file not found"):
        read_source(tmp_path / "nope.txt")


def test_docx_without_document_part(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not word")
    p = tmp_path / "x.docx"
    p.write_bytes(buf.getvalue())
    with pytest.raises(ReportError, match="no word/document.xml"):
        read_source(p)


def test_pdf_without_text_layer_needs_ocr(tmp_path):
    p = write_pdf("", tmp_path / "scan.pdf", draw_box=True)
    with pytest.raises(ReportError, match="needs OCR"):
        read_source(p)


def test_password_protected_pdf(tmp_path):
    import pypdf
    plain = write_pdf(SAMPLE, tmp_path / "plain.pdf")
    writer = pypdf.PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    p = tmp_path / "locked.pdf"
    with open(p, "wb") as fh:
        writer.write(fh)
    with pytest.raises(ReportError, match="password-protected"):
        read_source(p)


def test_seed_variants_in_other_formats_parse_alike(tmp_path):
    """A seed saved as GB18030, UTF-16 and .docx gives the same meta, tables and figures."""
    src = seed("001")
    text = src.read_text(encoding="utf-8")
    base = load_report(src)
    variants = {
        "gb18030.txt": lambda p: p.write_bytes(text.encode("gb18030")),
        "utf16.txt": lambda p: p.write_bytes(text.encode("utf-16")),
        "word.docx": lambda p: write_docx(text, p),
    }
    for name, make in variants.items():
        p = tmp_path / name
        make(p)
        other = load_report(p)
        assert other.text.rstrip("\n") == text.rstrip("\n"), name  # a .docx ends its last paragraph
        assert other.meta == base.meta, name
        assert len(other.tables) == len(base.tables) == 1
        for a, b in zip(base.tables, other.tables):
            assert a.frame.equals(b.frame), name
        assert [f.as_row() for f in other.figures] == [f.as_row() for f in base.figures], name


def test_a_traditional_character_mirror_copy_is_read_not_refused(tmp_path):
    """Mirror sites print 績效 / 項(xiàng)目 with inline pinyin; the genre check folds before it looks."""
    p = tmp_path / "mirror.txt"
    text = "桐溪縣2019年度農(nóng)村道路養護資金績效評價(jià)報(bào)告\n一、項(xiàng)目概況\n下達(dá)補助資金312.5萬元。\n"
    p.write_text(text, encoding="utf-8")
    report = load_report(p)
    assert report.text == text
    money = [f for f in report.figures if f.kind == "money"]
    assert [(float(f.number), f.unit, f.text) for f in money] == [(312.5, "万元", "312.5萬元")]


@pytest.mark.parametrize("text", ["紅燒肉做法：五花肉切塊，冰糖炒色。\n", "天氣(qì)晴朗，適合出遊(yóu)。\n"])
def test_traditional_text_of_another_genre_is_still_refused(tmp_path, text):
    p = tmp_path / "other.txt"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ReportError, match="not a performance"):
        read_source(p)


def test_a_big5_file_in_traditional_characters_is_read_with_its_units(tmp_path):
    p = tmp_path / "big5.txt"
    text = "白溪縣石門鄉人民政府2023年度部門決算\n一、收入支出決算總體情況說明\n本年收入總計268.15萬元，支出總計265.4萬元。\n" * 3
    p.write_bytes(text.encode("big5"))
    report = load_report(p)
    assert report.text == text and report.encoding.startswith("big5")
    money = [(float(f.number), f.unit) for f in report.figures if f.kind == "money"][:2]
    assert money == [(268.15, "万元"), (265.4, "万元")]
