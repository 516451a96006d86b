"""Benchmark: the largest hostile files of issue 11, refused or read, with their time and peak memory.

Run:  python bench/bench_hostile.py [--json bench/results/hostile.json] [--keep DIR] [--peers]

Generates, in a temporary folder (synthetic data only):

* ``list.yaml``: a 7.8 MB YAML list (1.3 million items), ``keys.yaml``: a
  600,000-key mapping, ``at_limit.yaml``: a document of just under the node
  limit (read, not refused);
* ``deep.json``: a million nested brackets;
* ``million_rows.xlsx``: a 5 MB workbook of a million one-cell rows;
* ``giga_cell.xlsx``: one 1 GiB cell deflated to about 1 MB;
* ``wide.csv``: a header of 100,000 columns; ``five_mb_cell.csv``: a 5 MB cell.

Each is read in a fresh subprocess (``python -c``), which reports its CPU
time, wall time and peak RSS (``resource.getrusage``: what ``/usr/bin/time
-v`` calls "Maximum resident set size").  With ``--peers`` the YAML files are
also read by PyYAML's libyaml loader (``yaml.CSafeLoader``, no guards): the
ratio to this peer is what the figures mean on another machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_WB = (
    '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
_CT = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)


def _book(path: Path, rows) -> None:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            f.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>')
            rows(f)
            f.write(b"</sheetData></worksheet>")


def generate(folder: Path) -> dict[str, Path]:
    files = {}
    p = folder / "list.yaml"
    p.write_text("answers:\n" + "  - a\n" * 1_300_000)
    files["yaml list 7.8 MB"] = p
    p = folder / "keys.yaml"
    p.write_text("".join(f"k{i}: 1\n" for i in range(600_000)))
    files["yaml 600k keys"] = p
    p = folder / "at_limit.yaml"
    p.write_text("answers:\n" + "  - a\n" * 199_990)
    files["yaml at the node limit"] = p
    p = folder / "deep.json"
    p.write_text("[" * 1_000_000 + "]" * 1_000_000)
    files["json 1M brackets"] = p
    p = folder / "values.json"
    p.write_text("[" + "[]," * 2_600_000 + "[]]")
    files["json 2.6M values"] = p

    def million(f):  # type: ignore[no-untyped-def]
        for r in range(2, 1_000_002):
            f.write(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (r, r))

    p = folder / "million_rows.xlsx"
    _book(p, million)
    files["xlsx 1M rows"] = p

    def giga(f):  # type: ignore[no-untyped-def]
        f.write(b'<row r="2"><c r="A2" t="inlineStr"><is><t>')
        chunk = b"x" * (1 << 20)
        for _ in range(1024):
            f.write(chunk)
        f.write(b"</t></is></c></row>")

    p = folder / "giga_cell.xlsx"
    _book(p, giga)
    files["xlsx 1 GiB cell"] = p
    p = folder / "wide.csv"
    p.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n")
    files["csv 100k columns"] = p
    p = folder / "five_mb_cell.csv"
    p.write_text("name,strat_plan\nA,\nB," + "x" * 5_000_000 + "\nC,\n")
    files["csv 5 MB cell"] = p
    return files


_PROBE = """
import resource, sys, time
t0, c0 = time.perf_counter(), time.process_time()
outcome = "read"
try:
{body}
except Exception as exc:
    outcome = f"{{type(exc).__name__}}: {{getattr(exc, 'code', '')}}"
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{{wall:.3f}} {{cpu:.3f}} {{rss}} {{outcome}}")
"""

OURS = {
    ".yaml": "    import yzmaturity._files as f; f.read_data_file(sys.argv[1])",
    ".json": "    import yzmaturity._files as f; f.read_data_file(sys.argv[1])",
    ".xlsx": "    import yzmaturity as yz; yz.read_table(sys.argv[1])",
    ".csv": "    import yzmaturity as yz; yz.read_table(sys.argv[1])",
}
# openpyxl is not run on the workbooks: on the million-row one it took 122 s and 10.9 GB before a
# MemoryError (issue 11), enough to take a shared machine down.
PEERS = {
    ".yaml": "    import yaml; yaml.load(open(sys.argv[1]).read(), Loader=yaml.CSafeLoader)",
}


def measure(body: str, path: Path, timeout: float) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE.format(body=body), str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"outcome": f"timeout after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"outcome": f"crashed: {done.stderr.strip()[-200:]}"}
    wall, cpu, rss, outcome = done.stdout.split(" ", 3)
    return {
        "wall_s": float(wall),
        "cpu_s": float(cpu),
        "peak_rss_mb": int(rss) / 1024,
        "outcome": outcome.strip(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="generate the files in this folder and keep them")
    parser.add_argument("--peers", action="store_true", help="also time PyYAML's libyaml loader and openpyxl")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        files = generate(folder)
        results = {}
        for name, path in files.items():
            row: dict[str, object] = {"file": path.name, "bytes": path.stat().st_size}
            row["yzmaturity"] = measure(OURS[path.suffix], path, args.timeout)
            if args.peers and path.suffix in PEERS:
                row["peer"] = measure(PEERS[path.suffix], path, args.timeout)
            results[name] = row
            print(name, json.dumps(row, ensure_ascii=False), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
