"""Issue 20, item 7a: every public function and method of heatex, called with junk.

The callables come from the modules' ``__all__`` and each public class's own methods
(tests/public_surface.py), so a new one cannot be forgotten: one without a valid call there fails the
first test. Hypothesis then replaces one argument of a valid call with junk -- wrong types, shapes,
NaN, inf, huge and tiny numbers, special files -- and requires one of two things:

- a right answer: the call returns, and nothing in what it returns is NaN or inf (a helper that does
  arithmetic on arrays it is given, ``PROPAGATES``, may pass on a NaN or inf it was given, as numpy
  does, but never make one);
- a HeatexError (``except ValueError`` and ``except TypeError`` still catch them) whose message
  names the argument.

Anything else fails: an error of numpy's or matplotlib's, an error that does not name the argument,
a NaN made from finite input, a call that takes longer than ``LIMIT`` seconds.

    HEATEX_SURFACE_EXAMPLES=10000 .venv/bin/python -m pytest tests/library/test_public_surface.py   # a long run
"""
import math
import os
import re
import signal
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import public_surface as surface  # tests/public_surface.py
import heatex_checks as checks
import heatex_core as hc

EXAMPLES = int(os.environ.get("HEATEX_SURFACE_EXAMPLES", "300"))
LIMIT = 60      # seconds a call may take before it counts as a hang

# Helpers that compute on what they are given, element by element or slice by slice: a NaN given is a
# NaN returned (as numpy's own functions do), but one made from finite numbers is a failure.
PROPAGATES = {"hc.sigmoid", "hc.per_network", "hc.delta_rule", "hc.blog_rule", "hc.schmidhuber_rule",
              "hc.backprop_rule", "hc.end_exchange_rule", "hc.difference_exchange_rule", "hc.touches",
              "hc.beside_input", "hc.partner_acts", "hc.difference_pass", "hc.jiggle_pass", "hc.Touch",
              "hv.position_order", "hv.sections_by_position", "hv.section_series"}

NAMES = [name for name in surface.public_callables() if name in surface.EXAMPLES]


def test_every_public_callable_has_a_valid_call():
    assert not surface.missing_examples(), f"add a valid call to tests/public_surface.py for {surface.missing_examples()}"


@pytest.mark.parametrize("name", NAMES)
def test_each_valid_call_works(name):
    function, kwargs = surface.EXAMPLES[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        function(**kwargs)
    _close()


def _close():
    from matplotlib import pyplot as plt
    plt.close("all")


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
odd_floats = st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, 1e-308, 5e-324, -0.0, 0.0, 1e300, -1.5])
odd_ints = st.sampled_from([0, -1, -2, 1, 2, 3, 10**6, 10**9, 2**63, -2**63, 10**30])


def arrays(draw_floats):
    shapes = st.lists(st.integers(0, 4), min_size=0, max_size=5).map(tuple)
    return st.builds(lambda shape, fill, kind: np.full(shape, fill, dtype=kind),
                     shapes, draw_floats, st.sampled_from([float, np.float32, object, complex]))


def random_arrays():
    return st.builds(lambda shape, seed, nan: _random(shape, seed, nan),
                     st.lists(st.integers(1, 4), min_size=1, max_size=6).map(tuple), st.integers(0, 2**32 - 1),
                     st.booleans())


def _random(shape, seed, nan):
    a = np.random.default_rng(seed).normal(size=shape) * 3
    if nan:
        a.flat[0] = np.nan
    return a


junk = st.one_of(
    st.none(), st.booleans(), odd_ints, st.integers(), odd_floats, finite, st.complex_numbers(allow_nan=True),
    st.text(max_size=5), st.binary(max_size=5), st.just(object()), st.just({}), st.just([]), st.just([[1.0], [1.0, 2.0]]),
    st.lists(odd_floats, max_size=4), st.lists(st.text(max_size=2), max_size=3), arrays(odd_floats),
    random_arrays(), st.just(np.arange(3)), st.just(np.array("text")), st.just(range(3)), st.just(slice(None)),
    st.just(hc.Section(2)), st.just(hc.circle_data(5, 5, seed=2)), st.just(lambda *a: None),
)


def junk_for(argument):
    if argument in ("path", "outfile"):
        return st.one_of(st.sampled_from(surface.special_files()), junk)
    return junk


# Arguments a message may name by what they are rather than by the parameter's name.
ALIASES = {"k": ("network",), "i": ("section",), "source": ("section",), "exchanger": ("net",)}


def mentions(text, word, value=None):
    """Whether an error's ``text`` names the argument ``word``: by its name, its singular ("metric" for
    metrics), what it is (ALIASES), or, for a file, the file's own name."""
    forms = {word, word[:-1] if word.endswith("s") else word, *ALIASES.get(word, ())}
    if any(re.search(r"(?<![\w])" + re.escape(form) + r"(?![\w])", text, re.I) for form in forms):
        return True
    return isinstance(value, (str, os.PathLike)) and str(value) != "" and os.fspath(value) in text


def not_finite(value, depth=0):
    if depth > 4 or value is None:
        return False
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "fc" and not np.all(np.isfinite(value))
    if isinstance(value, (float, np.floating, complex)):
        return not np.isfinite(value)
    if isinstance(value, hc.Run):
        return not_finite(value.snapshots, depth + 1) or not_finite(value.metrics, depth + 1)
    if isinstance(value, (hc.HeatExchanger, hc.Network)):
        return not_finite(value.weights, depth + 1)
    if isinstance(value, dict):
        return any(not_finite(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(not_finite(v, depth + 1) for v in value[:50])
    return False


def given_not_finite(value):
    """Whether ``value`` holds NaN or inf, or numbers so large (past 1e150) that squaring one overflows:
    a helper of PROPAGATES may answer those with NaN or inf, as numpy's arithmetic does."""
    try:
        array = np.asarray(value)
        if array.dtype.kind == "O":         # numbers held as objects: NaN in an object array is NaN given
            array = array.astype(complex)
        return array.dtype.kind in "fc" and not np.all(np.abs(array) < 1e150)
    except Exception:       # a value numpy cannot read as numbers carries no NaN
        return not_finite(value)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"took more than {LIMIT} s")


def judge(name, argument, value):
    """Call ``name``'s valid call with ``argument`` replaced by ``value``: None if the outcome is
    good, else what was wrong."""
    function, kwargs = surface.EXAMPLES[name]()
    kwargs[argument] = value
    what = f"{name}({argument}={checks.shown(value, 80)})"
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(LIMIT)
    here = os.getcwd()
    os.chdir(surface.SCRATCH)       # a junk file name saves there, not in the repo
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = function(**kwargs)
    except checks.HeatexError as error:
        if not mentions(str(error), argument, value):
            return f"{what}: {type(error).__name__} does not name {argument!r}: {str(error)[:300]}"
        return None
    except Hang as error:
        return f"{what}: hangs ({error})"
    except Exception as error:
        return f"{what}: {type(error).__name__} (not a HeatexError): {str(error)[:300]}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        os.chdir(here)
        _close()
    if not_finite(result) and not (name in PROPAGATES and given_not_finite(value)):
        return f"{what}: returned NaN or inf"
    return None


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(data=st.data())
def test_junk_gets_a_right_answer_or_a_heatex_error_that_names_it(data):
    name = data.draw(st.sampled_from(NAMES), label="callable")
    arguments = surface.parameters(name)
    if not arguments:
        return
    argument = data.draw(st.sampled_from(arguments), label="argument")
    value = data.draw(junk_for(argument), label="junk")
    problem = judge(name, argument, value)
    assert problem is None, problem
