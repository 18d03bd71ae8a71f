"""The example programs under examples/python run and check their own results (exit 0)."""
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python"


@pytest.mark.parametrize("name", ["sentiment_service", "product_pipeline", "spam_then_topic"])
def test_example_runs(name, tmp_path):
    run = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), str(tmp_path / "data")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip(), "an example prints what it did"
