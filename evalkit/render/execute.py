"""Execute the report notebook with papermill, on a kernel that is this very Python.

Parameters travel as data: papermill writes them into a cell after the template's cell tagged
`parameters`; nothing is pasted into code. A failing cell becomes a `NotebookError` naming the
cell and the exception.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_core.paths import jupyter_path
from jupyter_core.utils import run_sync

from evalkit.core.processes import child_environment
from evalkit.render.errors import NotebookError, RenderError

KERNEL_NAME = "python3"
# Keeps the kernel's own log out of the CLI output: a warning about its local TCP transport at
# start, and an error for the SIGINT jupyter_client sends at every shutdown. Failures in cells
# still arrive through papermill.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]


@dataclass(frozen=True)
class Execution:
    """Timing of one notebook run."""

    seconds: float
    """Wall time of the whole run."""
    cells_seconds: float
    """Time spent running cells, as papermill recorded it per cell."""

    @property
    def kernel_seconds(self) -> float:
        """Kernel start-up and shutdown plus notebook I/O: everything that is not a cell."""
        return max(0.0, self.seconds - self.cells_seconds)


def check_kernel(kernel_name: str = KERNEL_NAME) -> None:
    """Fail unless the Jupyter kernel `kernel_name` runs this interpreter (`sys.executable`).

    A kernel spec pointing at another Python would evaluate with other package versions than
    the ones the manifest records.
    """
    fix = f"{sys.executable} -m ipykernel install --user --name {kernel_name}"
    try:
        spec = _kernel_specs().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        raise RenderError("execute", f"no Jupyter kernel named {kernel_name!r}; register one: {fix}") from None
    program = spec.argv[0]
    # jupyter_client itself replaces a bare `python`/`python3`/`python3.X` by sys.executable.
    major, minor = sys.version_info[:2]
    if program in {"python", f"python{major}", f"python{major}.{minor}"}:
        return
    resolved = shutil.which(program) or program
    if os.path.realpath(resolved) != os.path.realpath(sys.executable):
        raise RenderError(
            "execute",
            f"Jupyter kernel {kernel_name!r} runs {resolved}, not this Python ({sys.executable}); "
            f"point it here: {fix}",
        )


def check_parameters(template: Path, names: set[str]) -> None:
    """Fail unless the template's `parameters` cell declares every parameter in `names`.

    papermill only warns about a parameter the template does not declare; the report would then
    silently use the template's default (e.g. the wrong input file).
    """
    import papermill  # imported once the kernel is booting (0.16 s)

    declared = {p["name"] for p in papermill.inspect_notebook(str(template)).values()}
    missing = sorted(names - declared)
    if missing:
        raise RenderError(
            "execute",
            f"{template} does not declare {', '.join(missing)} in its cell tagged `parameters`",
        )


@contextmanager
def started_kernel(cwd: Path, kernel_name: str = KERNEL_NAME) -> Iterator[AsyncKernelManager]:
    """A kernel for the notebook, started now in working directory `cwd`, so it boots while the
    caller prepares the run; killed on leaving (every output has arrived by then: a graceful
    shutdown would only wait for the kernel's own exit)."""
    check_kernel(kernel_name)
    kernel = _Kernel(kernel_name=kernel_name, kernel_spec_manager=_kernel_specs())
    try:
        run_sync(kernel.start_kernel)(extra_arguments=KERNEL_ARGUMENTS, cwd=str(cwd), env=child_environment())
    except Exception as exc:
        raise RenderError("execute", f"cannot start the Jupyter kernel {kernel_name!r}: {exc}") from exc
    try:
        yield kernel
    finally:
        kernel.stop()


def execute_notebook(template: Path, output: Path, parameters: Mapping[str, Any], *,
                     kernel: AsyncKernelManager) -> Execution:
    """Run `template` with `parameters` on `kernel` (from `started_kernel`); write the result to `output`.

    Raises `NotebookError` when a cell raises, `RenderError` for any other failure.
    """
    import papermill  # imported once the kernel is booting (0.16 s)
    from papermill.exceptions import PapermillExecutionError

    check_parameters(template, set(parameters))
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(template), str(output), parameters=dict(parameters), km=kernel,
            kernel_name=kernel.kernel_name, progress_bar=False,
            log_output=False, request_save_on_cell_execute=False,
        )
    except PapermillExecutionError as exc:
        raise NotebookError(exc.cell_index, exc.exec_count, exc.source, exc.ename, exc.evalue,
                            exc.traceback) from None
    seconds = time.perf_counter() - start
    return Execution(seconds=seconds, cells_seconds=_cells_seconds(output))


class _Kernel(AsyncKernelManager):
    """The kernel manager handed to papermill, which then makes a client of it but, as the kernel is
    not its own, leaves both to us: remember the client to close it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clients: list = []

    def client(self, **kwargs: Any):
        made = super().client(**kwargs)
        self.clients.append(made)
        return made

    def stop(self) -> None:
        for client in self.clients:
            client.stop_channels()
        if self.has_kernel:
            run_sync(self.shutdown_kernel)(now=True)


def _cells_seconds(notebook: Path) -> float:
    nb = nbformat.read(notebook, as_version=4)
    return sum(cell.metadata.get("papermill", {}).get("duration") or 0.0 for cell in nb.cells)


def _kernel_specs() -> KernelSpecManager:
    """Jupyter's kernel spec folders, those KernelSpecManager lists by default, without importing
    IPython (0.13 s before the kernel can start) only to name ~/.ipython/kernels."""
    ipython_dir = os.environ.get("IPYTHONDIR") or os.path.join(os.path.expanduser("~"), ".ipython")
    return KernelSpecManager(kernel_dirs=[*jupyter_path("kernels"), os.path.join(ipython_dir, "kernels")])
