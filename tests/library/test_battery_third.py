"""The third battery (tests/battery_third.py): sections of different widths, one-hot data and the digits,
data sets by name, run files of different widths, the lab's helpers, the predictions, the digits' pictures,
interrupts from rules and targets, read-only folders, special files and weird paths. It finds no unclear
error, no silent answer, no NaN, no lost work or file and no hang. For the table:
python tests/battery_third.py -v"""
import battery_third     # tests/battery_third.py (tests/ is on pytest's pythonpath)


def test_the_third_battery_finds_nothing_unclear_silent_nan_lost_or_hanging():
    results = battery_third.run_battery()
    counts, text = battery_third.summary(results)
    print(text)
    assert len(results) >= 60
    bad = [f"[{r.outcome}] {r.case.group} | {r.case.name} -- {r.detail}" for r in results
           if r.outcome in battery_third.BAD]
    assert not bad, "\n".join(bad)
