"""Checks that are not a rubber stamp: fed a student's plausible wrong answers, each says "not right
yet", names the mistake, and never prints a piece of the right answer.

The first part is what every notebook's exercise tests share (tests/test_your_turn_NN.py import it):
``your_turns`` reads a master's exercises, ``layout_problems`` checks that each is laid out as the
course lays them out, and ``run_with_answers`` runs the *student copy* in a temporary folder with
cells appended as a student would type them, each a wrong answer followed by its check. The second
part is notebook 07's (the capstone): its two "Your turn" exercises, its two predictions and its
final test. tests/course/test_student_copies.py checks that every student copy is what the script makes
and runs untouched.
"""
import pathlib
import re
import shutil

import nbformat
import pytest
from nbclient import NotebookClient

import course_times                           # scripts/ is on pytest's pythonpath
import make_student_notebooks as generator
import this_python

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECK_CALL = re.compile(r'^(?:_ = )?hl\.check\("(\d+\.\d+)", (\w+)\)', re.M)


# --- what every notebook's exercise tests share ----------------------------------------------

def your_turns(nb):
    """{"N.M": the name of its check function}, read from the master's check cells."""
    return {name: function for cell in nb.cells if cell.cell_type == "code"
            for name, function in CHECK_CALL.findall(cell.source)}


def printed(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def layout_problems(nb):
    """How the master's exercises differ from the course's layout: a markdown cell with "Your turn N.M"
    and two tiers of hints, then a cell tagged solution, then its hidden check cell."""
    found = []
    cells = nb.cells
    for name in your_turns(nb):
        check = next(i for i, c in enumerate(cells) if c.cell_type == "code" and f'hl.check("{name}"' in c.source)
        heading = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"
                        and re.search(rf"^#+ .*Your turn {re.escape(name)}\b", c.source, re.M)), None)
        if heading is None or heading > check:
            found.append(f"{name}: no markdown heading with 'Your turn {name}' above its check")
            continue
        task = cells[heading].source
        if "<summary>Hint 1</summary>" not in task or "<summary>Hint 2</summary>" not in task:
            found.append(f"{name}: its task needs Hint 1 and Hint 2 in <details> blocks")
        between = cells[heading + 1:check]
        if not any(generator.SOLUTION in c.metadata.get("tags", []) and c.source.startswith("# Your answer")
                   for c in between if c.cell_type == "code"):
            found.append(f"{name}: no code cell tagged solution, starting '# Your answer', between task and check")
        if not cells[check].metadata.get("jupyter", {}).get("source_hidden"):
            found.append(f"{name}: its check cell's source is not hidden")
        if not cells[check].source.startswith(f"# The check of Your turn {name}"):
            found.append(f"{name}: its check cell does not start with '# The check of Your turn {name}'")
    return found


def run_with_answers(master, answers, folder):
    """Run the student copy of ``master`` in ``folder`` with ``answers`` (cell sources) appended.

    Returns (the student copy's own cells, the appended cells), executed, errors allowed. The kernel
    is this test's own Python; predictions go to a file in ``folder``.
    """
    path = folder / master.name
    shutil.copy(generator.student_path(master), path)
    nb = nbformat.read(path, as_version=4)
    own = len(nb.cells)
    nb.cells += [nbformat.v4.new_code_cell(source.strip()) for source in answers]
    with this_python.kernel() as km:
        NotebookClient(nb, km=km, timeout=300, allow_errors=True, resources={"metadata": {"path": str(folder)}}
                       ).execute(env={**this_python.environment(), "HEATEX_PREDICTIONS": str(folder / "p.json")})
    return nb.cells[:own], nb.cells[own:]


def what_the_check_said(cell, name):
    """What the check of ``name`` printed in an executed cell, from its "Your turn N.M:" on."""
    errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
    assert not errors, f"Your turn {name}: the check crashed on a wrong answer: {errors}"
    said = printed(cell)
    assert f"Your turn {name}:" in said, said
    return said[said.index(f"Your turn {name}:"):]


def words_before_first_turn(nb):
    """Markdown words a student reads before the first "Your turn" (as the course counts words)."""
    total = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown" or generator.TEACHER_ONLY in cell.metadata.get("tags", []):
            continue
        text = cell.source
        turn = re.search(r"^#+ .*Your turn \d+\.\d+", text, re.M)
        total += course_times.words(text[:turn.start()] if turn else text)
        if turn:
            return total
    return None


# --- notebook 07, the capstone ----------------------------------------------------------------

MASTER = ROOT / "notebooks" / "07_exercises.ipynb"
CHECK_7_1 = 'hl.check("7.1", result_line_problems)'
CHECK_7_3 = 'hl.check("7.3", challenge_problems)'

# (the wrong answer a student might write, its check, words the check must say, pieces of the right
# answer it must not print)
WRONG_ANSWERS = [
    ("""
def result_line(accuracy, labels):
    return {"mean": accuracy.mean(), "spread": accuracy.std(), "worst": accuracy.max(),     # the best network
            "reach_090": int(np.sum(accuracy >= 0.9)), "one_answer": int(np.sum(labels.all(axis=1) | ~labels.any(axis=1)))}
""", CHECK_7_1, ["worst: that is the best network"], ["accuracy.min()", "0.476"]),
    ("""
def result_line(accuracy, labels):
    one = np.sum(np.isin(np.round(accuracy, 3), [0.476, 0.524]))        # networks scoring a constant's accuracy
    return {"mean": accuracy.mean(), "spread": accuracy.std(), "worst": accuracy.min(),
            "reach_090": int(np.sum(accuracy >= 0.9)), "one_answer": int(one)}
""", CHECK_7_1, ["one_answer: an accuracy cannot tell"], ["labels.all(axis=1)", "~labels.any"]),
    ("""
def result_line(accuracy, labels):
    return {"mean": accuracy.mean(), "spread": accuracy.max() - accuracy.min(), "worst": accuracy.min(),
            "reach_090": int(np.sum(accuracy > 0.9)), "one_answer": int(np.sum(~labels.any(axis=1)))}
""", CHECK_7_1, ["spread: that is the range", "reach_090: a network at exactly 0.90",
                 "one_answer: a network that says True everywhere"], ["std", ">= 0.9", "labels.all"]),
    ("""
def result_line(accuracy, labels):
    return accuracy.mean(), accuracy.std(), accuracy.min()
""", CHECK_7_1, ["return a dict with the keys"], []),
    ("""
def my_rule(weights, acts, partner, settings):        # every section pulled towards the pipe's output
    W, a, o, p = hc.touches(weights, acts, partner)
    last = acts[..., -1:, 0, :o.shape[-1]]
    return hc.delta_rule(a, o, last - o, hc.per_network(settings.step, W))
""", CHECK_7_3, ["hl.is_local says"], ["beside_input", "h_out - "]),
    ("""
def my_targets(W, t, h_in, h_out):                    # the plain flow: the literal exchange
    return hc.sigmoid(t @ W)
""", CHECK_7_3, ["it is local, but it does not learn yet"], ["h_out - ", "beside_input"]),
    ("""
def my_targets(W, t, h_in, h_out):                    # keeps the bias's column
    return hc.sigmoid(t @ np.concatenate([W, W[..., :1]], axis=-1))
""", CHECK_7_3, ["shaped like h_out"], ["h_out - "]),
    ("""
def my_rule(weights, acts, partner, settings):        # the forward pipe only
    W, a, o, p = hc.touches(weights, acts, partner)
    return hc.delta_rule(a, o, p - o, hc.per_network(settings.step, W))[..., :1, :, :, :]
""", CHECK_7_3, ["my_rule must return a change shaped like weights"], ["beside_input"]),
]

def master_source(cell_id):
    return next(c.source for c in nbformat.read(MASTER, as_version=4).cells if c.get("id") == cell_id)


@pytest.fixture(scope="module")
def student_run(tmp_path_factory):
    """The student copy of 07, untouched, then the wrong answers, then a prediction in the wrong form."""
    answers = [source.strip() + "\n\n" + check for source, check, _, _ in WRONG_ANSWERS[:4]]
    answers.append(master_source("result-line"))                    # 7.1 right, so 7.3's results can print
    answers.append(master_source("challenge"))                      # a right rule and targets to spoil one by one
    answers += [source.strip() + "\n\n" + check + "\n\n" + master_source("challenge")
                for source, check, _, _ in WRONG_ANSWERS[4:]]
    answers.append('def my_prediction():\n    return "eighteen"\n\n\n' + master_source("claim-b-run"))
    return run_with_answers(MASTER, answers, tmp_path_factory.mktemp("student07"))


def test_the_capstone_lays_out_its_exercises_as_the_course_does():
    nb = nbformat.read(MASTER, as_version=4)
    assert set(your_turns(nb)) == {"7.1", "7.3"}
    assert layout_problems(nb) == []
    first = words_before_first_turn(nb)
    assert first is not None and first <= 900, f"{first} words before the first Your turn: a student codes late"


def test_the_masters_checks_say_right_and_its_predictions_were_revealed():
    nb = nbformat.read(MASTER, as_version=4)
    said = "".join(printed(c) for c in nb.cells if c.cell_type == "code")
    for name in your_turns(nb):
        assert f"Your turn {name}: right!" in said
    assert "not right yet" not in said and "not attempted yet" not in said
    assert "Prediction 7.2: you predicted" in said and "Prediction 7.4: you predicted" in said
    assert "first final test" not in said


def test_the_untouched_student_copy_attempts_nothing_and_measures_nothing_before_a_prediction(student_run):
    cells, _ = student_run
    said = "".join(printed(c) for c in cells if c.cell_type == "code")
    for name in ("7.1", "7.3"):
        assert f"Your turn {name}: not attempted yet" in said
    for name in ("7.2", "7.4"):
        assert f"Prediction {name}: write your prediction" in said
    assert "write result_line (Your turn 7.1)" in said
    assert "validation accuracy" not in said and "the final test" not in said


def test_every_wrong_answer_is_not_right_yet_with_its_mistake_named_and_the_answer_kept(student_run):
    _, appended = student_run
    wrong_cells = appended[:4] + appended[6:6 + len(WRONG_ANSWERS) - 4]
    for (source, check, words, secrets), cell in zip(WRONG_ANSWERS, wrong_cells):
        name = re.search(r'"(\d+\.\d+)"', check)[1]
        said = what_the_check_said(cell, name)
        assert said.startswith(f"Your turn {name}: not right yet."), (source, said)
        for word in words:
            assert word in said, (source, said)
        for secret in secrets:
            assert secret not in said, f"the check of {name} prints a piece of the answer, {secret!r}"


def test_a_prediction_in_the_wrong_form_unlocks_no_measurement(student_run):
    _, appended = student_run
    said = printed(appended[-1])
    assert "Prediction 7.2: not in the form asked" in said
    assert "difference exchange" not in said and "you predicted" not in said


def test_the_stub_maker_refuses_cells_it_cannot_stub_cleanly():
    with pytest.raises(generator.SolutionCellError, match="only function definitions"):
        generator.stub_source("answer = 42\n")
    with pytest.raises(generator.SolutionCellError, match="own lines"):
        generator.stub_source("def f(): return 1\n")
    stub = generator.stub_source('# Your answer\n@decorate\ndef f(x):\n    """Doc."""\n    return x\n\n\ndef g():\n    return 2\n')
    assert stub == ('# Your answer\n@decorate\ndef f(x):\n    """Doc."""\n'
                    '    raise NotImplementedError("write f, run this cell, then run the check below")\n\n\n'
                    'def g():\n    raise NotImplementedError("write g, run this cell, then run the check below")')
