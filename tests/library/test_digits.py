"""The handwritten digits shipped inside heatex (issue 21, item 4): the same numbers as scikit-learn's, and the split.

scikit-learn is a test extra only (pyproject.toml's ``test``, which CI and ``make test`` install): the
comparison is skipped, with the reason said, where it is missing. heatex itself needs nothing new.
"""
import ast
import importlib.util
import pathlib

import numpy as np
import pytest

import heatex_core as hc
import heatex_digits

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sklearn_digits():
    datasets = pytest.importorskip(
        "sklearn.datasets", reason="scikit-learn is not installed: pip install -e '.[test]' to compare the shipped "
                                   "digits with load_digits()")
    return datasets.load_digits()


def test_the_shipped_digits_are_scikit_learns_exactly(sklearn_digits):
    pixels, digits = heatex_digits.load()
    assert pixels.shape == (1797, 64) and digits.shape == (1797,)
    np.testing.assert_array_equal(pixels, sklearn_digits.data)
    np.testing.assert_array_equal(digits, sklearn_digits.target)
    # and the data set made of them, before the split: every image scaled by 1/16, every digit one-hot
    data = hc.digits_data(n_train=1297, n_test=500, seed=0)
    x = np.concatenate([data.x_train, data.x_test])
    y = np.concatenate([data.labels("train"), data.labels("test")])
    order = np.lexsort(np.column_stack([x, y]).T)
    expected = np.column_stack([sklearn_digits.data / 16, sklearn_digits.target])
    np.testing.assert_array_equal(np.column_stack([x, y])[order],
                                  expected[np.lexsort(expected.T)])


def test_the_module_is_what_the_script_writes_now(sklearn_digits):
    import make_digits       # scripts/ is on pytest's pythonpath
    assert (ROOT / "heatex_digits.py").read_text() == make_digits.source(), \
        "heatex_digits.py is not what scripts/make_digits.py writes: run it"


def test_the_module_needs_only_the_standard_library_and_numpy():
    tree = ast.parse((ROOT / "heatex_digits.py").read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"base64", "hashlib", "zlib", "numpy"}
    assert (ROOT / "heatex_digits.py").stat().st_size < 70_000
    assert "CC BY 4.0" in heatex_digits.__doc__ and "Alpaydin" in heatex_digits.__doc__
    assert "archive.ics.uci.edu/dataset/80" in heatex_digits.__doc__


def test_a_damaged_copy_says_so(monkeypatch):
    monkeypatch.setattr(heatex_digits, "SHA256", "0" * 64)
    with pytest.raises(ValueError, match="damaged"):
        heatex_digits.load()


def test_digits_data_is_a_seeded_stratified_split_with_one_hot_targets():
    data = hc.digits_data(n_train=1000, n_test=400, seed=3)
    assert data.x_train.shape == (1000, 64) and data.y_train.shape == (1000, 10) and data.x_test.shape == (400, 64)
    assert data.name == "digits" and data.seed == 3 and data.one_hot and data.width == 64
    assert data.x_train.min() == 0 and data.x_train.max() == 1
    np.testing.assert_array_equal(data.y_train.sum(axis=1), 1)
    _, digits = heatex_digits.load()
    share = np.bincount(digits) / len(digits)
    for split, n in (("train", 1000), ("test", 400)):
        counts = np.bincount(data.labels(split), minlength=10)
        assert np.all(np.abs(counts - share * n) <= 1.5), (split, counts, share * n)    # every digit in proportion
    again = hc.digits_data(n_train=1000, n_test=400, seed=3)
    np.testing.assert_array_equal(again.x_train, data.x_train)
    np.testing.assert_array_equal(again.y_test, data.y_test)
    other = hc.digits_data(n_train=1000, n_test=400, seed=4)
    assert not np.array_equal(other.x_train, data.x_train)
    # the test part is the start of what training leaves: a larger test set only adds to it
    larger = hc.digits_data(n_train=1000, n_test=797, seed=3)
    np.testing.assert_array_equal(larger.x_test[:400], data.x_test)


def test_digits_by_name_and_what_is_refused():
    data = hc.data_set("digits", seed=1)
    assert (len(data.x_train), len(data.x_test)) == (1297, 500)
    assert len(hc.data_set("digits", n_train=100, n_test=50).x_train) == 100
    assert hc.data_set("circle").x_train.shape == (500, 2)            # the others keep their defaults
    np.testing.assert_array_equal(hc.data_set("xor", 3, seed=2).x_train, hc.xor_data(width=3, seed=2).x_train)
    assert 0.09 < hc.majority_accuracy(data) < 0.12
    with pytest.raises(ValueError, match="at most 1797"):
        hc.digits_data(n_train=1500, n_test=500)
    with pytest.raises(ValueError, match="width must be 64"):
        hc.data_set("digits", width=16)
    with pytest.raises(ValueError, match="unknown data set name 'mnist'.*digits"):
        hc.data_set("mnist")


def test_the_digits_study_runs_in_quick_mode(capsys):
    spec = importlib.util.spec_from_file_location("digits_study", ROOT / "studies" / "digits.py")
    study = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(study)
    study.main(["--quick"])
    out = capsys.readouterr().out
    for heading in ("the validation search", "the choices, trained on all", "linear read-outs of the raw pixels",
                    "the table: test accuracy", "== time: one epoch"):
        assert heading in out
    for shape in ("64-32-10", "64-16-10"):
        for rule in ("difference exchange", "backprop", "frozen random hidden"):
            assert f"{shape}  {rule}" in out
    assert "nan" not in out.lower()
