"""The example notebook runs top to bottom in a real Jupyter kernel, without a cell error."""

from __future__ import annotations

import os

import pytest
from conftest import ROOT

NOTEBOOK = ROOT / "examples" / "diagnosis.ipynb"


def test_notebook_outputs_are_cleared():
    nbformat = pytest.importorskip("nbformat", reason="the notebook extra is not installed")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


def test_diagnosis_notebook_runs(monkeypatch, tmp_path):
    nbformat = pytest.importorskip("nbformat", reason="the notebook extra is not installed (nbformat)")
    nbclient = pytest.importorskip("nbclient", reason="the notebook extra is not installed (nbclient)")
    pytest.importorskip("ipykernel", reason="the notebook extra is not installed (ipykernel)")
    pytest.importorskip("pandas", reason="the notebook uses DataFrames (pandas)")
    pytest.importorskip("matplotlib", reason="the notebook draws a radar (matplotlib)")

    # The kernel is a new process (started by this Python): make it import this source tree.
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    monkeypatch.setenv("PYTHONPATH", path)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},  # any folder: the examples are found by name
    )
    client.execute()  # raises CellExecutionError on the first cell that fails

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    stderr = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stderr")
    assert "Warning" not in stderr, stderr
    html = [
        o.data["text/html"]
        for o in outputs
        if o.output_type in ("display_data", "execute_result") and "text/html" in o.get("data", {})
    ]
    # the rich displays of the questionnaire, the assessment, the comparison, the batch and the cohort
    assert sum('class="yzmaturity"' in h for h in html) == 5
    assert any("扬州江都示例汽车零部件有限公司" in h and "Maturity level" in h for h in html)
    assert any(o.output_type == "display_data" and "image/png" in o.data for o in outputs)  # the radar
    last = nb.cells[-1].outputs
    assert last and last[-1].data["text/plain"] == "True"  # the report was written
    assert not list((ROOT / "examples").glob("*.html")), "the report must not be written into the repository"
