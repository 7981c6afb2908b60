"""The exercises' machinery (heatex_lab): checks that name a mistake, predictions that count.

A prediction is checked for form, kept in a file, and the one that stood when the measurement ran
counts: a change made after it is said to be one. scripts/class_predictions.py draws a class's files.
"""
import json

import pytest

import class_predictions   # scripts/ is on pytest's pythonpath
import heatex_lab as hl

FORM = {"ratio": hl.Number(0), "travel": hl.Choice("farther", "about as far", "less far"),
        "apart": hl.Choice(True, False)}


@pytest.fixture(autouse=True)
def log(tmp_path, monkeypatch):
    path = tmp_path / "my_predictions.json"
    monkeypatch.setenv("HEATEX_PREDICTIONS", str(path))
    return path


def stub():
    raise NotImplementedError


def test_a_check_says_right_not_right_yet_or_not_attempted(capsys):
    for attempt in (lambda: [], lambda: ["the bias row is missing"], lambda: stub(), lambda: [1 / 0]):
        assert hl.check("1.1", attempt) is None        # nothing but the verdict shows in a check cell
    out = capsys.readouterr().out
    assert "Your turn 1.1: right!" in out and "not right yet" in out and "the bias row is missing" in out
    assert "not attempted yet" in out and "ZeroDivisionError" in out


@pytest.mark.parametrize("said, words", [
    ({"ratio": 10}, ["keys", "'ratio', 'travel', 'apart'"]),
    ({"ratio": -1, "travel": "farther", "apart": True}, ["'ratio'", "at least 0"]),
    ({"ratio": 10, "travel": "far", "apart": True}, ["'travel'", "'farther'"]),
    ({"ratio": 10, "travel": "farther", "apart": 1}, ["'apart'", "True, False"]),
    ({"ratio": float("nan"), "travel": "farther", "apart": True}, ["'ratio'", "a number"]),
    ("10", ["keys"]),
])
def test_a_prediction_not_in_the_form_asked_unlocks_nothing(said, words, capsys, log):
    assert hl.predict("2.1", lambda: said, FORM) is None
    out = capsys.readouterr().out
    assert "not in the form asked" in out and all(w in out for w in words), out
    assert not log.exists()


def test_no_prediction_yet_unlocks_nothing(capsys, log):
    assert hl.predict("2.1", stub, FORM) is None
    assert "write your prediction" in capsys.readouterr().out
    assert not log.exists()


def test_the_prediction_that_stood_at_the_measurement_counts(capsys, log):
    first = {"ratio": 10, "travel": "farther", "apart": True}
    assert hl.predict("2.1", lambda: {**first, "ratio": 3}, FORM)["ratio"] == 3.0
    assert hl.predict("2.1", lambda: first, FORM) == {**first, "ratio": 10.0}     # before: may change
    hl.reveal("2.1", {"ratio": 10.0, "travel": "farther", "apart": False})
    out = capsys.readouterr().out
    assert "apart: you predicted True, measured False" in out and "ratio: you predicted 10, measured 10" in out
    later = hl.predict("2.1", lambda: {**first, "apart": False}, FORM)
    assert later == {**first, "ratio": 10.0}
    assert "after seeing the measurement" in capsys.readouterr().out
    kept = json.loads(log.read_text())["predictions"]["2.1"]
    assert kept["first"]["apart"] is True and kept["measured"]["apart"] is False
    assert kept["changed_after_measurement"] == [{**first, "ratio": 10.0, "apart": False}]


def test_predictions_survive_a_restarted_kernel_in_the_file(log):
    hl.predict("3.1", lambda: 0.9, hl.Number(0, 1))
    hl.reveal("3.1", 0.93)
    assert hl.prediction_log()["3.1"] == {"first": 0.9, "measured": 0.93}


def test_an_unwritable_predictions_file_is_said_once_and_nothing_breaks(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HEATEX_PREDICTIONS", str(tmp_path / "no such folder" / "p.json"))
    monkeypatch.setattr(hl, "_UNSAVED", [])
    assert hl.predict("3.1", lambda: 0.9, hl.Number(0, 1)) == 0.9
    assert hl.predict("3.2", lambda: 0.5, hl.Number(0, 1)) == 0.5
    assert capsys.readouterr().out.count("cannot be written") == 1


def test_a_teacher_draws_the_class(tmp_path, monkeypatch):
    files = []
    for k, guess in enumerate((0.6, 0.8, 0.95)):
        path = tmp_path / f"student{k}.json"
        monkeypatch.setenv("HEATEX_PREDICTIONS", str(path))
        hl.predict("3.1", lambda: guess, hl.Number(0, 1))
        hl.predict("2.1", lambda: {"ratio": 10 * k, "travel": "farther", "apart": k == 1}, FORM)
        hl.reveal("3.1", 0.93)
        files.append(str(path))
    (tmp_path / "junk.json").write_text("not json")
    found = hl.class_predictions(files + [str(tmp_path / "junk.json")])
    assert found["3.1"] == {"first": [0.6, 0.8, 0.95], "measured": [0.93, 0.93, 0.93]}
    out = tmp_path / "class.png"
    assert class_predictions.main(files + ["--out", str(out)]) == 0
    assert out.stat().st_size > 10_000
