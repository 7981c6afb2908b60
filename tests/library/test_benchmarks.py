"""The benchmark command still runs and still checks what it claims (behaviour, never timing)."""
import math

import run as benchmarks


def test_quick_mode_runs_and_prints_every_figure(capsys):
    results = benchmarks.main(["--quick"])
    out = capsys.readouterr().out
    for heading in ("1. One network", "2. 16 networks at once", "3. Schmidhuber's rule", "3. Backprop",
                    "4. Scrubber step", "5. Memory"):
        assert heading in out
    # Both sides ended with the same weights, and networks trained together
    # ended as they do alone: the timings compare the same computation.
    for rule in ("blog", "schmidhuber", "backprop"):
        assert results[rule]["max_diff"] == 0.0
        assert results[f"{rule}_16"]["max_diff_alone"] == 0.0
        for key in ("ours_s_per_epoch", "reference_s_per_epoch", "ratio"):
            assert math.isfinite(results[rule][key]) and results[rule][key] > 0
    assert results["memory"]["peak_bytes"] >= results["memory"]["snapshots_bytes"] > 0
