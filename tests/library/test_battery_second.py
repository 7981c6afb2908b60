"""Issue 20: the second battery (tests/battery_second.py) finds no unclear error, no silent answer, no NaN,
no lost work or file and no hang. Run it alone for the table: python tests/battery_second.py -v"""
import battery_second     # tests/battery_second.py (tests/ is on pytest's pythonpath)


def test_the_second_battery_finds_nothing_unclear_silent_nan_lost_or_hanging():
    results = battery_second.run_battery()
    counts, text = battery_second.summary(results)
    print(text)
    assert len(results) >= 400
    bad = [f"[{r.outcome}] {r.case.group} | {r.case.name} -- {r.detail}" for r in results
           if r.outcome in battery_second.BAD]
    assert not bad, "\n".join(bad)
