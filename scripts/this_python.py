"""A notebook kernel on this very Python, for the scripts and tests that run notebooks.

Whatever kernels the machine has installed (or none), the notebooks then run on the Python that
runs the script: the repository's .venv under `make`, with heatex and its packages.
"""
import contextlib
import json
import os
import pathlib
import sys
import tempfile


@contextlib.contextmanager
def kernel(python=None):
    """A jupyter_client KernelManager for this Python (or the interpreter ``python``), for
    NotebookClient(nb, km=...); shut down on exit. (nbclient leaves a kernel manager it was given running.)"""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as kernels:
        spec = pathlib.Path(kernels) / "this-python"
        spec.mkdir()
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [str(python or sys.executable), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "this Python", "language": "python"}))
        km = KernelManager(kernel_name="this-python", kernel_spec_manager=KernelSpecManager(kernel_dirs=[kernels]))
        try:
            yield km
        finally:
            if km.has_kernel:
                km.shutdown_kernel(now=True)


def environment():
    """This process's environment without MPLBACKEND, so that inline figures are drawn."""
    return {name: value for name, value in os.environ.items() if name != "MPLBACKEND"}
