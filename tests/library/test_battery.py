"""Issue 12: under bad input, faults and big requests nothing is silent, nothing is NaN, nothing is lost.

tests/battery.py holds the cases (over 600: the core, the views, run files, and faults simulated in
other processes -- a file-size limit for a full disk, SIGKILL and SIGINT mid-save, a reader and a
writer on one path) and classifies each outcome. Run it alone for the table: python tests/battery.py -v
"""
import battery     # tests/battery.py (tests/ is on pytest's pythonpath)


def test_the_battery_finds_no_unclear_error_no_silent_answer_no_nan_and_no_lost_file():
    results = battery.run_battery()
    counts, text = battery.summary(results)
    print(text)
    assert len(results) >= 300
    bad = [f"[{r.outcome}] {r.case.group} | {r.case.name} -- {r.detail}" for r in results if r.outcome in battery.BAD]
    assert not bad, "\n".join(bad)
