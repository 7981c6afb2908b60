"""What every test session shares.

The notebooks keep a student's predictions in ``my_predictions.json`` beside them (heatex_lab.predict).
A test run must neither read a developer's own predictions nor leave a file in notebooks/: the kernels
nbval starts inherit HEATEX_PREDICTIONS, which points into a temporary folder for the session.
"""
import os
import tempfile


def pytest_configure(config):
    if "HEATEX_PREDICTIONS" not in os.environ:
        folder = tempfile.mkdtemp(prefix="heatex-predictions-")
        os.environ["HEATEX_PREDICTIONS"] = os.path.join(folder, "my_predictions.json")
