"""Every notebooks/*.ipynb runs top to bottom as a test, and is committed stripped.

Each notebook is executed by nbclient (Debian's python3-nbclient) on an IPython kernel run by
the interpreter that runs pytest, so it imports the same installed classiflow as the other tests
(test_kernel_imports_the_package_pytest_imports checks it). Adding a notebook is dropping an
.ipynb into notebooks/; it is given, through the environment:

  CLASSIFLOW_FIGURES    the directory to save its figures in (PNG)
  CLASSIFLOW_DATA       the checkout's .data/, where bench/prepare_data.py writes the corpora
                        (it may not exist: a notebook then prepares small data of its own)
  CLASSIFLOW_C_INCLUDE  the checkout's capi/include (the C header)
  CLASSIFLOW_C_LIBRARY  the C library libclassiflow.so: $CLASSIFLOW_C_LIBRARY when set, else the
                        checkout's build/capi/libclassiflow.so when it exists (scripts/test.sh
                        builds build/ before pytest); left unset otherwise
  MPLBACKEND=Agg        matplotlib draws into files, never to a screen

and it runs in an empty temporary working directory. A notebook lists the figures it saves in
its metadata, {"classiflow": {"figures": ["name.png", ...]}}; after the run each must be a whole,
non-empty PNG, and no other file may be in the figures directory. A failing cell fails the test
with the cell's source and traceback.
"""
import importlib.util
import json
import os
import struct
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

import classiflow as cf

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 300  # per cell; the slowest cell here takes a few seconds
KERNEL_NAME = "classiflow-tests"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_spec = importlib.util.spec_from_file_location("strip_notebooks", ROOT / "scripts" / "strip_notebooks.py")
strip_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(strip_notebooks)


def c_library() -> Optional[Path]:
    """The libclassiflow.so a notebook should use, or None when there is none to give."""
    if os.environ.get("CLASSIFLOW_C_LIBRARY"):
        return Path(os.environ["CLASSIFLOW_C_LIBRARY"])
    built = ROOT / "build" / "capi" / "libclassiflow.so"
    return built if built.exists() else None


def kernel_environment(figures: Path) -> Dict[str, str]:
    """The kernel's environment: this process's, plus what the module docstring lists."""
    env = dict(os.environ)
    env.setdefault("CLASSIFLOW_DATA", str(ROOT / ".data"))
    env["CLASSIFLOW_FIGURES"] = str(figures)
    env["CLASSIFLOW_C_INCLUDE"] = str(ROOT / "capi" / "include")
    library = c_library()
    if library is not None:
        env["CLASSIFLOW_C_LIBRARY"] = str(library)
    env["MPLBACKEND"] = "Agg"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # ipykernel's debugger warns of frozen modules
    return env


def kernel_manager(kernels: Path):
    """A kernel manager that starts `sys.executable -m ipykernel_launcher`.

    Not an installed kernelspec: Debian's python3-ipykernel installs
    /usr/share/jupyter/kernels/python3, whose argv is /usr/bin/python3, so the usual "python3"
    kernel would not see a virtualenv's classiflow (jupyter_client falls back to ipykernel's
    spec for sys.executable only when no python3 spec is installed). This spec is written for
    the run and is the only one the manager looks at.
    """
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    spec = kernels / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python ({sys.executable})", "language": "python"}))
    specs = KernelSpecManager(kernel_dirs=[str(kernels)], ensure_native_kernel=False)
    return AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)


def execute(notebook, tmp_path: Path, name: str):
    """Run every cell of `notebook` (an nbformat node, updated in place with the outputs) in
    tmp_path/work; figures go to tmp_path/figures. A failing cell fails the calling test."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    work, figures = tmp_path / "work", tmp_path / "figures"
    work.mkdir()
    client = NotebookClient(notebook, km=kernel_manager(tmp_path / "kernels"),
                            timeout=CELL_TIMEOUT_S, startup_timeout=120,
                            resources={"metadata": {"path": str(work)}})
    try:
        # cleanup_kc: the client shuts down the kernel it started even though it was handed
        # the manager; env is the kernel's whole environment.
        client.execute(cleanup_kc=True, env=kernel_environment(figures))
    except (CellExecutionError, CellTimeoutError) as error:
        pytest.fail(f"{name}: a cell failed\n{error}", pytrace=False)
    return notebook


def declared_figures(notebook, name: str) -> List[str]:
    figures = notebook.metadata.get("classiflow", {}).get("figures")
    assert isinstance(figures, list), (
        f'{name}: declare the figures it saves in its metadata: {{"classiflow": {{"figures": '
        f'["name.png", ...]}}}} ([] for none)')
    return figures


def check_png(path: Path) -> None:
    """A whole PNG: the signature, an IHDR chunk with a non-zero size, and the IEND chunk."""
    assert path.is_file(), f"{path.name} was not saved"
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR", f"{path.name}: not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 0 and height > 0, f"{path.name}: {width}x{height}"
    assert data.endswith(b"IEND\xaeB`\x82"), f"{path.name}: truncated"


def code_notebook(*sources: str):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return notebook


def stream_text(cell) -> str:
    return "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_saves_its_figures(path, tmp_path):
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    figures = declared_figures(notebook, path.name)
    execute(notebook, tmp_path, path.name)
    for figure in figures:
        check_png(tmp_path / "figures" / figure)
    saved = sorted(p.name for p in (tmp_path / "figures").glob("*"))
    assert saved == sorted(figures), f"{path.name} saved {saved}, declares {figures}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_is_stripped(path):
    text = path.read_text(encoding="utf-8")
    notebook = json.loads(text)
    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                f"{path.name}, cell {i}: outputs are committed; run scripts/strip_notebooks.py")
    assert strip_notebooks.dumps(strip_notebooks.strip(notebook)) == text, (
        f"{path.name}: not as scripts/strip_notebooks.py writes it; run it")


def test_the_notebooks_exist():
    assert {p.name for p in NOTEBOOKS} >= {"01_quickstart.ipynb", "02_spam_filter.ipynb"}


def test_kernel_imports_the_package_pytest_imports(tmp_path):
    notebook = code_notebook("import sys, classiflow\n"
                             "print(classiflow.__file__)\nprint(sys.executable)")
    execute(notebook, tmp_path, "probe")
    package, executable = stream_text(notebook.cells[0]).split()
    assert Path(package).resolve() == Path(cf.__file__).resolve()
    assert not Path(package).resolve().is_relative_to(ROOT / "python"), "the source tree"
    assert executable == sys.executable


def test_a_failing_cell_fails_with_its_error(tmp_path):
    notebook = code_notebook("x = 1", "raise ValueError(f'cell two fails, x = {x}')", "y = 2")
    with pytest.raises(pytest.fail.Exception) as failure:
        execute(notebook, tmp_path, "failing")
    message = str(failure.value)
    assert "ValueError" in message and "cell two fails, x = 1" in message, message
    assert notebook.cells[2].execution_count is None, "the cells after a failing one do not run"
