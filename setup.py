"""Builds the _classiflow extension with CMake; the metadata lives in pyproject.toml.

`pip install --no-build-isolation .` runs this with the installing interpreter, so CMake is told
to build for exactly that interpreter (sys.executable) rather than whichever python3 is first on
PATH. The CMake build tree stays under build_temp, so reinstalls rebuild only what changed.
setuptools' build_base is build-py/setuptools rather than build/, which a checkout uses for its
own CMake build tree.
"""

import os
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class CMakeExtension(Extension):
    """An extension that CMake builds: setuptools compiles no sources itself."""

    def __init__(self, name: str, target: str) -> None:
        super().__init__(name, sources=[])
        self.target = target


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        if not isinstance(ext, CMakeExtension):
            return super().build_extension(ext)
        module = Path(self.get_ext_fullpath(ext.name)).resolve()
        build_dir = Path(self.build_temp).resolve() / "cmake"
        build_type = "Debug" if self.debug else "Release"
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir),
            "-DCLASSIFLOW_BUILD_PYTHON=ON",
            "-DCLASSIFLOW_BUILD_TESTS=OFF",
            "-DCLASSIFLOW_BUILD_BENCH=OFF",
            f"-DCMAKE_BUILD_TYPE={build_type}",
            f"-DPython3_EXECUTABLE={sys.executable}",
            f"-DCLASSIFLOW_PYTHON_OUTPUT_DIR={module.parent}",
        ]
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")
        build = ["cmake", "--build", str(build_dir), "--target", ext.target, "-j", jobs]
        for command in (configure, build):
            print(" ".join(command), flush=True)
            subprocess.run(command, check=True)
        if not module.exists():
            raise RuntimeError(f"CMake did not produce {module}")


setup(
    options={"build": {"build_base": str(ROOT / "build-py" / "setuptools")}},
    ext_modules=[CMakeExtension("classiflow._classiflow", target="_classiflow")],
    cmdclass={"build_ext": CMakeBuild},
)
