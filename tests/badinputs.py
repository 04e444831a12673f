"""The bad-input corpus, made at test time: every file a town might send that is not a clean report.

Each case: a file name, how to make it, and what jixiao must answer — an error whose one line
contains `cause`, or (cause None) a correct result.
"""
from __future__ import annotations

import codecs
import io
import os
import random
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from jixiao.model.writers import text_to_docx, text_to_pdf

REPORT = ("桐溪县红岩镇人民政府\n2023年度部门整体支出绩效自评报告\n一、部门预算及执行情况\n"
          "2023年我镇年初预算500.00万元，调整后预算520.00万元，实际支出494.00万元，预算执行率95.00%。\n")


@dataclass
class Case:
    name: str
    make: Callable[[Path], None]
    cause: str | None      # a substring of the one-line error ("" any error); None: a correct result is expected
    what: str              # for the table in docs/robustness.md
    slow: bool = False     # a correct result, or the time limit's error (which one depends on the limit and machine)


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


NON_UTF8_NAME = os.fsdecode(b"\xb1\xa8\xb8\xe6_gbk_name.txt")  # a GBK file name on a UTF-8 system


def _special(kind: str) -> Callable[[Path], None]:
    """Files that are not regular files: read one and jixiao would block or read forever."""
    def make(p: Path) -> None:
        if kind == "fifo":
            os.mkfifo(p)
        elif kind == "zero":
            os.symlink("/dev/zero", p)
        elif kind == "urandom":
            os.symlink("/dev/urandom", p)
        elif kind == "dangling":
            os.symlink(p.parent / "does-not-exist.txt", p)
        elif kind == "loop":
            os.symlink(p.name, p)
        elif kind == "socket":
            import socket
            sock = socket.socket(socket.AF_UNIX)
            try:
                sock.bind(str(p))
            except OSError:  # a path too long for a socket: fall back to a FIFO, still not a regular file
                os.mkfifo(p)
            finally:
                sock.close()
    return make


def _docx_with(document_xml: Callable[[bytes], bytes] | None = None, extra: dict | None = None,
               drop: tuple = ()) -> Callable[[Path], None]:
    """A .docx of REPORT with its document.xml rewritten, parts added or parts dropped."""
    def make(p: Path) -> None:
        text_to_docx(REPORT, p)
        src = zipfile.ZipFile(io.BytesIO(p.read_bytes()))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                if info.filename in drop:
                    continue
                data = src.read(info.filename)
                if info.filename == "word/document.xml" and document_xml is not None:
                    data = document_xml(data)
                dst.writestr(info, data)
            for name, data in (extra or {}).items():
                dst.writestr(name, data)
        p.write_bytes(out.getvalue())
    return make


def _billion_laughs(xml: bytes) -> bytes:
    ents = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    xml = xml.replace(b"?>", f'?><!DOCTYPE d [<!ENTITY l0 "lol">{ents}]>'.encode(), 1)
    return xml.replace("预算执行率".encode(), "预算执行率&l9;".encode(), 1)


def _deep_xml(xml: bytes) -> bytes:
    return xml.replace(b"</w:body>", b"<w:p>" * 5000 + b"</w:p>" * 5000 + b"</w:body>", 1)


def _lying_zip(p: Path) -> None:
    """A .docx whose document.xml declares 2 KB but inflates to 50 MB: the declared size is a lie."""
    _docx_with(lambda xml: xml.replace(b"</w:body>", b" " * (50 * 1024 * 1024) + b"</w:body>", 1))(p)
    data = bytearray(p.read_bytes())
    name = b"word/document.xml"
    at = 0
    while (at := data.find(name, at + 1)) != -1:
        if data[at - 46:at - 42] == b"PK\x01\x02":      # central directory: uncompressed size at +24
            data[at - 46 + 24:at - 46 + 28] = (2048).to_bytes(4, "little")
        elif data[at - 30:at - 26] == b"PK\x03\x04":    # local header: uncompressed size at +22
            data[at - 30 + 22:at - 30 + 26] = (2048).to_bytes(4, "little")
    p.write_bytes(bytes(data))


def _many_parts(p: Path) -> None:
    _docx_with(extra={f"word/media/part{i}.bin": b"x" for i in range(2500)})(p)


def _lines(n: int, line: str) -> Callable[[Path], None]:
    return _write(HEAD + line * n)


def _truncated_pdf(p: Path) -> None:
    text_to_pdf(REPORT, p)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def _nested_numbering(p: Path) -> None:
    markers = ["一、", "（一）", "1.", "（1）", "①"]
    p.write_text(HEAD + "".join(f"{markers[i % 5]}第{i}层 资金10万元。\n" for i in range(1000)), encoding="utf-8")


def _figure(number: str, unit: str = "万元") -> Callable[[Path], None]:
    return _write(HEAD + f"2023年我镇年初预算{number}{unit}，实际支出{number}{unit}，预算执行率100.00%。\n"
                  f"其中基本支出{number}{unit}，项目支出{number}{unit}，合计{number}{unit}。\n")


HEAD = "桐溪县红岩镇人民政府\n2023年度部门整体支出绩效自评报告\n一、部门预算及执行情况\n"
ZW = "\u200b"
RLO, PDF_ = "\u202e", "\u202c"


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


CASES += [
    # encodings and bytes
    Case("utf16le_bom.txt", _write("\ufeff" + REPORT, "utf-16-le"), None, "UTF-16 LE with a byte-order mark"),
    Case("utf16be_bom.txt", _write("\ufeff" + REPORT, "utf-16-be"), None, "UTF-16 BE with a byte-order mark"),
    Case("utf32_bom.txt", _write("\ufeff" + REPORT, "utf-32"), None, "UTF-32 with a byte-order mark"),
    Case("utf8_bom.txt", _write("\ufeff" + REPORT), None, "UTF-8 with a byte-order mark"),
    Case("bom_only.txt", _bytes(codecs.BOM_UTF8), "", "a UTF-8 byte-order mark and nothing else"),
    Case("utf16_odd_bytes.txt", _bytes(codecs.BOM_UTF16_LE + REPORT.encode("utf-16-le") + b"\x00\xd8\x41"), "byte-order mark",
         "UTF-16 with a byte-order mark but a broken tail"),
    Case("big5.txt", _bytes("桐溪縣紅岩鎮人民政府\n2023年度部門整體支出績效自評報告\n預算執行率95.00%。\n".encode("big5")), None, "Big5 (traditional) bytes: detected"),
    Case("crlf.txt", _write(REPORT.replace("\n", "\r\n")), None, "Windows line ends (CR LF)"),
    Case("cr_only.txt", _write(REPORT.replace("\n", "\r")), None, "old Mac line ends (CR only)"),
    Case("control_chars.txt", _write(REPORT + "".join(chr(c) for c in range(1, 32) if c not in (9, 10, 13)) * 20),
         "control characters", "control characters throughout"),
    Case("invalid_utf8_tail.txt", _bytes(REPORT.encode("utf-8") + b"\xff\xfe\xfd"), "", "valid UTF-8 ending in invalid bytes"),
    Case("astral_emoji.txt", _write(REPORT + "满意度😀😀😀达到𠀀𠀁98.5%。\n"), None, "emoji and characters beyond the BMP"),
    Case("rtl_text.txt", _write(REPORT + "说明：مرحبا بالعالم שלום 资金100万元。\n"), None, "Arabic and Hebrew (right-to-left) text"),
    # structure
    Case("thousand_ones.txt", _lines(1000, "1. 项目资金100万元。\n"), None, "a thousand lines starting \"1.\""),
    Case("ones_without_text.txt", _lines(1500, "1.\n"), None, "1,500 lines of just \"1.\""),
    Case("nested_numbering.txt", _nested_numbering, None, "1,000 numbered lines of five alternating styles"),
    Case("many_short_lines.txt", _lines(100_000, "资金\n"), None, "100,000 short lines", slow=True),
    Case("many_rate_sentences.txt", _lines(20_000, "调整预算100万元，支出90万元，预算执行率90%。\n"), None,
         "20,000 lines each a rate with its inputs", slow=True),
    Case("many_priced_lines.txt", _lines(20_000, "每亩补贴100元，共50亩，合计5000元。\n"), None,
         "20,000 lines each a price, a quantity and a product", slow=True),
    Case("many_tabs.txt", _lines(500, "\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\n\n"), None, "500 rows of ten tab cells"),
    Case("deep_brackets.txt", _write(HEAD + "资金" + "（" * 50_000 + "100万元" + "）" * 50_000 + "。\n"), None,
         "50,000 nested brackets"),
    Case("one_paragraph.txt", _write(HEAD + "项目资金100万元，" * 100_000 + "\n"), None,
         "one paragraph of 1,000,000 characters repeating one clause", slow=True),
    Case("just_too_long.txt", _write(HEAD + "资" * 2_000_001), "text too long", "2,000,001 characters"),
    # numbers
    Case("digits_27.txt", _figure("9" * 27 + ".00"), None, "amounts of 27 digits (decimal quantize)"),
    Case("digits_40.txt", _figure("1" * 40 + ".55"), None, "amounts of 40 digits"),
    Case("digits_400.txt", _figure("9" * 400), None, "amounts of 400 digits (beyond a float)"),
    Case("digits_2000.txt", _figure("7" * 2000), None, "amounts of 2,000 digits"),
    Case("many_decimals.txt", _figure("1." + "0" * 60 + "1"), None, "an amount with 61 decimals"),
    Case("exponent.txt", _figure("1e30"), None, "an amount written 1e30"),
    Case("zero_budget.txt", _write(HEAD + "年初预算0.00万元，实际支出0.00万元，预算执行率0.00%。\n"), None,
         "a rate over a zero budget (division by zero)"),
    Case("huge_percent.txt", _write(HEAD + "年初预算100万元，实际支出95万元，预算执行率" + "9" * 30 + "%。\n"), None,
         "a percentage of 30 digits"),
    Case("chinese_huge.txt", _write(HEAD + "共涉及九千九百九十九亿亿亿个项目，惠及九千九百万亿亿户。\n"), None,
         "huge Chinese numerals"),
    Case("fullwidth_long.txt", _figure("９" * 30 + "．００"), None, "full-width digits, 30 of them"),
    Case("zero_width_in_figure.txt", _write(HEAD + f"年初预算5{ZW}00.00万元，实际支出4{ZW}75.00万元，预算执行率95.00%。\n"),
         None, "zero-width spaces inside figures (read through)"),
    Case("bidi_in_figure.txt", _write(HEAD + f"年初预算{RLO}500.00{PDF_}万元，实际支出47{RLO}5.00{PDF_}万元，预算执行率95.00%。\n"),
         None, "right-to-left overrides inside figures (read through)"),
    Case("separators_everywhere.txt", _write(HEAD + "资金" + ",".join(["123"] * 5000) + "万元。\n"), None,
         "a number with 5,000 thousands separators"),
    Case("dots_everywhere.txt", _write(HEAD + "资金" + ".".join(["1"] * 5000) + "万元。\n"), None, "a number with 5,000 dots"),
    # file names
    Case(NON_UTF8_NAME, _write(REPORT), None, "a file name that is not UTF-8 (GBK bytes)"),
    Case("name with spaces & {braces}.txt", _write(REPORT), None, "spaces, & and braces in the file name"),
    Case("UPPER.TXT", _write(REPORT), None, "an upper-case extension"),
    Case("n" * 200 + ".txt", _write(REPORT), None, "a 204-character file name"),
    Case("$\\frac{a}{b}$_报告.txt", _write(REPORT), None, "mathtext in the file name"),
    # not regular files
    Case("fifo.txt", _special("fifo"), "named pipe", "a FIFO (reading it would block)"),
    Case("dev_zero.txt", _special("zero"), "character device", "a symlink to /dev/zero (endless)"),
    Case("dev_urandom.txt", _special("urandom"), "character device", "a symlink to /dev/urandom"),
    Case("dangling.txt", _special("dangling"), "symbolic link to nothing", "a symlink to nothing"),
    Case("loop.txt", _special("loop"), "symbolic link to nothing", "a symlink to itself"),
    Case("socket.txt", _special("socket"), "", "a Unix socket (or a FIFO where the path is too long for one)"),
    # Word and PDF
    Case("billion_laughs.docx", _docx_with(_billion_laughs), "", "a .docx with nested entities (billion laughs)"),
    Case("deep_xml.docx", _docx_with(_deep_xml), "", "a .docx with 5,000 nested XML elements"),
    Case("lying_zip.docx", _lying_zip, "not a valid .docx", "a .docx whose part declares 2 KB and inflates to 50 MB"),
    Case("many_parts.docx", _many_parts, "parts", "a .docx of 2,500 parts"),
    Case("no_document.docx", _docx_with(drop=("word/document.xml",)), "no word/document.xml", "a zip without the document"),
    Case("text_named.docx", _write(REPORT), "not a valid .docx", "a text file named .docx"),
    Case("docx_named.txt", lambda p: text_to_docx(REPORT, p), "", "a .docx named .txt"),
    Case("garbage.pdf", _bytes(b"%PDF-1.7\n" + random.Random(2).randbytes(3000)), "", "a PDF header and random bytes"),
    Case("truncated.pdf", _truncated_pdf, "", "a truncated .pdf"),
    Case("text_named.pdf", _write(REPORT), "", "a text file named .pdf"),
]


def make(folder: Path) -> dict[str, Case]:
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        case.make(folder / case.name)
    return {c.name: c for c in CASES}


@dataclass
class Run:
    """`jixiao check FILE --json` on one case: what it printed, how long it took, its peak memory."""

    code: int
    stdout: bytes
    stderr: bytes
    seconds: float
    peak_mb: float


def run_each(folder: Path, cases: list[Case], time_limit: float | None = None, parallel: int = 2,
             warm: bool = True) -> dict[str, Run]:
    """Run the command on every case, each in a process of its own forked from this one, `parallel`
    at a time; the peak resident memory of each comes from wait4. warm: jixiao's lazy imports are
    done once before forking (fast tests); cold: each case pays them, as a user's command does."""
    import time

    from jixiao import cli

    if warm:
        from jixiao.run.check_files import check_paths
        sample = folder.parent / f"{folder.name}.warm.txt"
        sample.write_text(REPORT, encoding="utf-8")
        check_paths([sample])

    todo, running, out = list(cases), {}, {}
    tmp = folder.parent / f"{folder.name}.runs"
    tmp.mkdir(exist_ok=True)
    while todo or running:
        while todo and len(running) < parallel:
            case = todo.pop(0)
            n = len(out) + len(running)
            stdout, stderr = tmp / f"{n}.out", tmp / f"{n}.err"
            pid = os.fork()
            if pid == 0:  # the child: run the command as a user would, never return into the caller
                code = 70
                try:
                    if time_limit is not None:
                        os.environ["JIXIAO_TIME_LIMIT"] = str(time_limit)
                    for fd, target in ((1, stdout), (2, stderr)):
                        handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                        os.dup2(handle, fd)
                        os.close(handle)
                    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # not a test runner's capture
                    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
                    code = cli.main(["check", str(folder / case.name), "--json"])
                except BaseException:  # noqa: BLE001 — a traceback here is what the test looks for
                    import traceback
                    traceback.print_exc()
                finally:
                    os._exit(code)
            running[pid] = (case, time.monotonic(), stdout, stderr)
        pid, status, usage = os.wait4(-1, 0)
        case, started, stdout, stderr = running.pop(pid)
        out[case.name] = Run(os.waitstatus_to_exitcode(status), stdout.read_bytes(), stderr.read_bytes(),
                             time.monotonic() - started, usage.ru_maxrss / 1024)
    return out


if __name__ == "__main__":  # the table for docs/robustness.md, measured with the real time limit
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cases = make(Path(tmp) / "bad")
        runs = run_each(Path(tmp) / "bad", CASES, parallel=1, warm=False)
        print(f"{len(CASES)} cases; max time {max(r.seconds for r in runs.values()):.1f} s; "
              f"max peak memory {max(r.peak_mb for r in runs.values()):.0f} MB\n")
        print("| file | what | jixiao answers | s | MB |\n|---|---|---|---|---|")
        for case in CASES:
            r = runs[case.name]
            [report] = json.loads(r.stdout)["reports"]
            answer = (f"error: {report['error']}" if "error" in report
                      else f"result: town {report['meta']['town']}, {len(report['findings'])} findings")
            name = report["path"].rsplit("/", 1)[-1]
            name = name if len(name) < 40 else name[:20] + "…" + name[-8:]
            print(f"| `{name}` | {case.what} | {answer.replace('|', '¦')} | {r.seconds:.1f} | {r.peak_mb:.0f} |")
    sys.exit(0)
