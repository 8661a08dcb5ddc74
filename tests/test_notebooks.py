"""The tutorial notebooks (notebooks/*.ipynb) run top to bottom without an error, are
committed without outputs, and are exactly what notebooks/build_notebooks.py writes.

Each notebook asserts its own examples (evaluate against finite differences, SymPy's
check, verify's verdicts), so running it is the test. The kernel is the "python3"
kernelspec, which must be this interpreter: in a venv, ipykernel's spec lives in the venv
(`JUPYTER_PREFER_ENV_PATH` puts it first) and jupyter_client runs its `python` as
`sys.executable`; a first cell, added at run time, asserts that the kernel's interpreter
and its matcalc are the ones these tests import.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import matcalc

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
FILES = sorted(NOTEBOOKS.glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds, per cell


def test_every_section_has_a_notebook():
    assert len(FILES) >= 10, [f.name for f in FILES]  # 01-09 and 10, batches and attention


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name}: cell {cell.id} has outputs (strip them: re-run build_notebooks.py)"
            )


def test_notebooks_are_what_the_build_script_writes():
    spec = importlib.util.spec_from_file_location(
        "build_notebooks", NOTEBOOKS / "build_notebooks.py"
    )
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    built = build.build()
    assert sorted(built) == [f.name for f in FILES]
    for name, text in built.items():
        assert (NOTEBOOKS / name).read_text(encoding="utf-8") == text, (
            f"{name} is out of date: run python notebooks/build_notebooks.py"
        )


def _kernel_env() -> dict:
    """The kernel imports the matcalc these tests import: installed (CI) or this checkout."""
    env = {"MPLBACKEND": "Agg", "JUPYTER_PREFER_ENV_PATH": "1"}
    root = str(Path(matcalc.__file__).resolve().parent.parent)
    installed = {str(Path(sysconfig.get_paths()[k]).resolve()) for k in ("purelib", "platlib")}
    if root not in installed:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    return env


def _same_interpreter_cell():
    interpreter = {
        "prefix": os.path.realpath(sys.prefix),
        "executable": os.path.realpath(sys.executable),
    }
    return nbformat.v4.new_code_cell(
        "import os, sys\n"
        "kernel = {'prefix': os.path.realpath(sys.prefix),\n"
        "          'executable': os.path.realpath(sys.executable)}\n"
        f"assert kernel == {interpreter!r}, f'the kernel is not the test interpreter: {{kernel}}'\n"
        "import matcalc\n"
        f"assert os.path.realpath(matcalc.__file__) == {os.path.realpath(matcalc.__file__)!r}\n"
        "del kernel"
    )


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_notebook_runs(path, monkeypatch):
    for key, value in _kernel_env().items():
        monkeypatch.setenv(key, value)
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, _same_interpreter_cell())
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    # the notebooks follow the tutorial's notation: ⊗ element-wise, never ⊙ (issue 10)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            shown = [output.get("text", "")] + [
                v for v in output.get("data", {}).values() if isinstance(v, str)
            ]
            for text in shown:
                assert "⊙" not in text and "\\odot" not in text, (path.name, text)
