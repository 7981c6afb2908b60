"""Issue 20, the guards themselves: one validator per kind of object, bounds as data, files written
whole as careful tools write them, and a make that trusts only its own environment."""
import errno
import os
import pathlib
import socket
import stat
import subprocess
import sys

import numpy as np
import pytest

import heatex_checks as checks
import heatex_core as hc
import heatex_runfile as runfile

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_heatex_errors_are_the_built_in_errors_too():
    assert issubclass(hc.HeatexValueError, ValueError) and issubclass(hc.HeatexTypeError, TypeError)
    assert issubclass(hc.RunFileError, hc.HeatexError) and issubclass(hc.DivergenceError, hc.HeatexError)
    assert issubclass(checks.HeatexPermissionError, PermissionError)


def test_every_setting_has_its_bounds_declared_as_data():
    for table in (checks.SETTING_LIMITS, checks.SETTING_RANGES):
        assert set(hc.SETTINGS) <= set(table)
    for rule in hc.BUILT_IN:
        assert set(checks.GROWTH_CAUSES[rule]) <= set(hc.SETTINGS)
    with pytest.raises(ValueError, match="no bounds"):
        checks.check_declared((*hc.SETTINGS, "new_setting"))


def test_a_setting_far_past_what_its_rule_can_use_is_refused_and_past_its_use_warned():
    with pytest.raises(ValueError, match="inverse_noise"):
        hc.HeatExchanger.build(2, 4, rule="difference_exchange", inverse_noise=1e6)
    with pytest.warns(checks.SettingRangeWarning, match="inverse_noise"):
        hc.HeatExchanger.build(2, 4, rule="difference_exchange", inverse_noise=5.0)


def test_the_growth_warning_names_the_setting_that_grew_it_first():
    net = hc.HeatExchanger.build(2, 4, rule="difference_exchange")
    net.difference = np.array([400.0])
    assert checks.likely_causes(net, 0, hc.RULE_DEFAULTS)[0] == "difference"
    net = hc.HeatExchanger.build(2, 4, rule="difference_exchange")
    assert checks.likely_causes(net, 0, hc.RULE_DEFAULTS)[0] == "difference"     # the usual suspect first
    net = hc.HeatExchanger.build(2, 2, rule="schmidhuber", pull_partner=50.0)
    assert checks.likely_causes(net, 0, hc.RULE_DEFAULTS)[0] == "pull_partner"


@pytest.fixture(scope="module")
def run():
    return hc.train(hc.HeatExchanger.build(2, 2, seeds=[0, 1]), hc.circle_data(20, 10), 3, progress=False)


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o664])
def test_a_save_keeps_the_files_mode(mode, run, tmp_path):
    path = tmp_path / "run.npz"
    run.save(path)
    os.chmod(path, mode)
    run.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664), (0o777, 0o600)])
def test_a_new_file_takes_the_umask_and_its_saver_can_read_it_back(umask, mode, run, tmp_path):
    # 0o777 is what Pyodide (JupyterLite) reports, though its open() ignores it: a new film was mode
    # 000 there, and notebook 09 could not open the GIF it had just written
    old = os.umask(umask)
    try:
        path = run.save(tmp_path / "run.npz")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert hc.Run.load(path).epochs == run.epochs


def test_a_read_only_file_is_not_replaced_and_a_link_is_followed(run, tmp_path):
    path = tmp_path / "run.npz"
    run.save(path)
    os.chmod(path, 0o444)
    with pytest.raises(PermissionError, match="read-only"):
        run.save(path)
    os.chmod(path, 0o644)
    link = tmp_path / "link.npz"
    link.symlink_to(path)
    run.save(link)
    assert link.is_symlink() and hc.Run.load(path).epochs == run.epochs


def test_special_files_are_refused_at_once(run, tmp_path):
    fifo, device = tmp_path / "fifo.npz", tmp_path / "null.npz"
    os.mkfifo(fifo)
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))    # /dev/null's kind, never /dev/null itself
    for target in (fifo, device):
        with pytest.raises(ValueError, match="not a regular file"):
            run.save(target)
        assert not stat.S_ISREG(os.stat(target).st_mode)
    for target in (fifo, device):
        with pytest.raises(hc.RunFileError, match="not a run file"):
            hc.Run.load(target)


def test_temporaries_fit_255_bytes_and_carry_the_host(run, tmp_path):
    path = tmp_path / ("r" * 251 + ".npz")
    name = runfile.temporary_name(path)
    assert len(name.encode()) <= 255 and runfile.host_name() in name
    run.save(path)
    assert hc.Run.load(path).epochs == run.epochs and os.listdir(tmp_path) == [path.name]


def test_only_this_hosts_stale_temporaries_are_removed(run, tmp_path):
    path = tmp_path / "shared.npz"
    head = "." + runfile.temporary_head(path)[0]
    ours = tmp_path / f"{head}~{runfile.host_name()}~999999~0000aaaa.tmp.npz"     # a pid no process has
    theirs = tmp_path / f"{head}~another-machine~999999~0000bbbb.tmp.npz"
    for stale in (ours, theirs):
        stale.write_bytes(b"x")
    run.save(path)
    assert not ours.exists() and theirs.exists()


@pytest.mark.parametrize("code, words", [(errno.EROFS, "read-only"), (errno.EACCES, "permission denied"),
                                         (errno.ENOSPC, "full")])
def test_a_failed_save_says_the_real_cause_and_leaves_nothing(code, words, run, tmp_path, monkeypatch):
    path = tmp_path / "run.npz"
    run.save(path)

    def failing(*args):
        raise OSError(code, os.strerror(code))
    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError, match=words):
        run.save(path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["run.npz"] and hc.Run.load(path).epochs == run.epochs


def test_a_venv_that_imports_another_checkout_is_not_trusted():
    check = [sys.executable, str(ROOT / "scripts" / "check_venv.py")]
    assert subprocess.run(check + [str(ROOT), "numpy"], capture_output=True, text=True).stdout.strip() == ""
    told = subprocess.run(check + ["/another/checkout", "numpy"], capture_output=True, text=True).stdout
    assert "another checkout" in told
    assert "missing" in subprocess.run(check + [str(ROOT), "no_such_module"], capture_output=True, text=True).stdout
