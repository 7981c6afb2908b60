"""heatex_runfile: the run file, written whole or not at all, read back with what is wrong said.

``heatex_core.Run.save`` and ``Run.load`` call this module; read the core first.
A run file is a .npz archive (numpy's own format) holding the snapshots, the
metrics, the epochs they were kept at and the config as JSON, with a format
marker and a version. Writing goes to a temporary file beside the target,
renamed into place only when whole, so a full disk, an interrupted kernel or a
reader in another process never sees half a file. Reading checks every array's
header against the data the file holds, and the whole against the memory free,
before anything is allocated; a file that is not a run, or is damaged, gets a
``RunFileError`` that says what is wrong with it.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import pathlib
import zipfile
import zlib

import numpy as np

import heatex_checks as checks


# ---------------------------------------------------------------------------
# What a run file is.
# ---------------------------------------------------------------------------

class RunFileError(checks.HeatexValueError):
    """A file is not a heatex run, or is damaged."""


RUN_FORMAT = "heatex-run"


RUN_VERSION = 2          # 2 adds snapshot_epochs; version 1 files (a snapshot every epoch) still load


RUN_VERSIONS = (1, 2)


def plain(value):
    """``value`` with every numpy scalar and array turned into plain Python values (lists, ints, floats)."""
    if isinstance(value, dict):
        return {(key.item() if isinstance(key, np.generic) else key): plain(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


def config_json(config):
    try:
        return json.dumps(config, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise checks.HeatexTypeError(f"config must hold plain values a run file can keep (numbers, text, lists, dicts; "
                        f"no NaN), but {e}; keep only those in config") from None


def check_run(config, snapshots, metrics, snapshot_epochs, known):
    """A Run's parts, checked and made plain: (config, snapshots, metrics, snapshot_epochs).

    The one check of a run: ``Run(...)`` makes one with it, ``Run.save`` checks again before writing
    (a run's arrays may have been changed since), and ``Run.load`` checks what it read with it, so
    that whatever ``save`` writes, ``load`` reads. ``known`` is heatex_core's (RULES, ALIGNMENTS,
    SETTINGS). Messages speak of the run's parts; ``load`` says which file they came from.
    """
    rules, alignments, settings = known
    if not isinstance(config, dict):
        raise checks.HeatexTypeError(f"config must be a dict of the run's settings (as train makes it), not "
                                     f"{type(config).__name__}")
    config = plain(config)
    config_json(config)
    for key in ("rule", "alignment", "depth", "width", "bias", "seeds"):
        if key not in config:
            raise checks.HeatexValueError(f"config lacks {key!r}: a run's config says how to build its networks "
                                          "again (train makes it: give the config of the run the snapshots came from, "
                                          "e.g. run.config)")
    if not isinstance(config["rule"], str) or config["rule"] not in rules:
        if isinstance(config["rule"], str) and config["rule"].isidentifier():
            raise checks.HeatexValueError(f"config names the rule {config['rule']!r}, which is not registered in this "
                                          f"kernel (it knows {sorted(rules)}): if it is a rule of your own, register "
                                          f"the rule first, hl.register_rule({config['rule']}), with the function it "
                                          "was (a run keeps a rule's name, not its code)")
        raise checks.HeatexValueError(f"config names the rule {checks.shown(config['rule'])}, which is no rule "
                                      f"({sorted(rules)} are known)")
    if not isinstance(config["alignment"], str) or config["alignment"] not in alignments:
        raise checks.HeatexValueError(f"config names the alignment {checks.shown(config['alignment'])} "
                                      f"({sorted(alignments)} are known)")
    for key in ("depth", "width"):
        if isinstance(config[key], bool) or not isinstance(config[key], int) or config[key] < 1:
            raise checks.HeatexValueError(f"config's {key} is {checks.shown(config[key])}, not a whole number of at "
                                          "least 1")
    if not isinstance(config["bias"], bool):
        raise checks.HeatexValueError(f"config's bias is {checks.shown(config['bias'])}, not true or false")
    try:
        k = len(checks.seed_list(config["seeds"]))
        for name in settings:
            if name in config:
                checks.per_network_array(config[name], name, k)
    except (ValueError, TypeError) as e:
        raise checks.HeatexValueError(f"config's {e}") from None
    if not isinstance(snapshots, np.ndarray) or snapshots.dtype.kind != "f" or snapshots.ndim != 6 \
            or min(snapshots.shape) < 1:
        raise checks.HeatexValueError(
            "snapshots must be a float array of shape (snapshots, networks, 2 pipes, depth, inputs, width), got "
            f"{checks.shown(snapshots if not isinstance(snapshots, np.ndarray) else (snapshots.dtype.name, snapshots.shape))}")
    expected = (k, 2, config["depth"], config["width"] + config["bias"], config["width"])
    if snapshots.shape[1:] != expected:
        raise checks.HeatexValueError(f"snapshots of shape {snapshots.shape} do not match the config, which says "
                                      f"(snapshots, {', '.join(map(str, expected))}): {k} network{'s' * (k != 1)} "
                                      f"(its seeds), depth {config['depth']}, width {config['width']}, bias "
                                      f"{config['bias']}")
    if not np.all(np.isfinite(snapshots)):
        raise checks.HeatexValueError("snapshots hold NaN or inf; a run keeps finite weights (a DivergenceError's "
                                      "error.run holds the epochs before the weights broke)")
    if not isinstance(metrics, dict):
        raise checks.HeatexTypeError(f"metrics must be a dict of arrays (as train makes it), not "
                                     f"{type(metrics).__name__}")
    n = len(snapshots)
    metrics = {name: checks.as_array(value) for name, value in metrics.items()}
    for name, value in metrics.items():
        if not isinstance(name, str) or value is None or value.dtype.kind not in "biuf" or value.shape[:2] != (n, k):
            raise checks.HeatexValueError(
                f"metric {checks.shown(name)} must be numbers with leading shape ({n}, {k}) (snapshots, networks), "
                f"got {checks.shown(value if value is None else (value.dtype.name, value.shape))}")
        if not np.all(np.isfinite(value)):
            raise checks.HeatexValueError(f"metric {name} holds NaN or inf")
    given = snapshot_epochs is not None
    snapshot_epochs = np.arange(n) if snapshot_epochs is None else checks.as_array(snapshot_epochs)
    if snapshot_epochs is None or snapshot_epochs.dtype.kind not in "iu" or snapshot_epochs.shape != (n,) \
            or snapshot_epochs[0] != 0 or np.any(np.diff(snapshot_epochs) <= 0):
        raise checks.HeatexValueError(f"snapshot_epochs must be {n} whole numbers rising from 0 (the epoch of each "
                                      f"snapshot), got {checks.shown(snapshot_epochs)}")
    if "epochs" in config:
        if isinstance(config["epochs"], bool) or not isinstance(config["epochs"], int) or config["epochs"] < 0:
            raise checks.HeatexValueError(f"config's epochs is {checks.shown(config['epochs'])}, not a whole number "
                                          "of at least 0")
        if config["epochs"] != snapshot_epochs[-1]:
            how = "" if given else f" (without snapshot_epochs, the {n} snapshots are taken as epochs 0 to {n - 1})"
            raise checks.HeatexValueError(
                f"config says {config['epochs']} epochs but the last snapshot is of epoch {int(snapshot_epochs[-1])}"
                f"{how}; to keep some of a run's snapshots use run[rows] (run[:11], run[::10]), which keeps their "
                "epochs, or give snapshot_epochs and the config's epochs that go with them")
    return config, snapshots, metrics, snapshot_epochs.astype(np.int64)


def snapshot_rows(index, n):
    """``Run.__getitem__``'s index (a slice, whole numbers or a boolean mask) as rows from 0 to n - 1."""
    rows = np.arange(n)
    try:
        chosen = np.atleast_1d(rows[index])
    except (IndexError, TypeError, ValueError):
        raise checks.HeatexValueError(f"a run is indexed by its snapshots: a slice (run[:11], run[::10]), whole numbers "
                                      f"from 0 to {n - 1} or a mask of {n} booleans, got {checks.shown(index)}") from None
    if not chosen.size or chosen[0] != 0 or np.any(np.diff(chosen) <= 0):
        raise checks.HeatexValueError(f"a run starts with its initial weights: pick snapshot 0 first and the others "
                                      f"in order (run[:11], run[::10]), got rows {checks.shown(chosen.tolist())}")
    return chosen


# ---------------------------------------------------------------------------
# Writing: whole or not at all.
# ---------------------------------------------------------------------------

def run_path(path):
    if not isinstance(path, (str, os.PathLike)):
        raise checks.HeatexTypeError(f"path must be a file name (text or a pathlib.Path), got {type(path).__name__}")
    return pathlib.Path(path)


TEMPORARY = ".{name}.{pid}.{token}.tmp"


def write_run_file(path, arrays):
    """Write ``arrays`` as a .npz at exactly ``path``, through a temporary file renamed into place."""
    path = run_path(path)
    if path.is_dir():
        raise checks.HeatexValueError(f"path {path} is a folder; give a file name inside it, e.g. {path / 'run.npz'}")
    if not path.parent.is_dir():
        raise checks.HeatexFileNotFoundError(f"cannot save the run to {path}: the folder {path.parent} does not exist; "
                                "make it first (pathlib.Path(folder).mkdir(parents=True)) or save elsewhere")
    remove_stale_temporaries(path)
    temporary = path.parent / TEMPORARY.format(name=path.name, pid=os.getpid(), token=os.urandom(4).hex())
    written = False
    try:
        # O_EXCL: never another's file; mode 0o666 less the umask, as open() would make it
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as f:
            np.savez_compressed(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
        written = True
    except OSError as e:
        raise OSError(e.errno, f"could not save the run to {path} ({e.strerror or e}); the file there, if any, is "
                               "unchanged: free some disk space or save elsewhere") from e
    finally:
        if not written:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass
    if hasattr(os, "O_DIRECTORY"):      # the rename itself survives a crash of the machine
        try:
            folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        except OSError:                 # some file systems cannot sync a folder; the file is in place
            pass
    return path


def remove_stale_temporaries(path):
    """Temporary files of saves to ``path`` whose process was killed mid-save (POSIX only)."""
    if os.name != "posix":
        return
    for stale in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        try:
            pid = int(stale.name[len(path.name) + 2:].split(".")[0])
        except ValueError:
            continue
        try:
            os.kill(pid, 0)             # signal 0: only asks whether the process exists
        except ProcessLookupError:
            try:
                stale.unlink()
            except FileNotFoundError:
                pass
        except PermissionError:         # another user's live process
            pass


def glob_escape(name):
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


# ---------------------------------------------------------------------------
# Reading: with what is wrong said.
# ---------------------------------------------------------------------------

def missing_file(path):
    if path.with_name(path.name + ".npz").exists():
        return (f"there is no file {path}, but {path.name}.npz is beside it (numpy adds .npz to a name "
                f"without it): load {path.with_name(path.name + '.npz')}")
    folder = path.parent
    if not folder.is_dir():
        return f"there is no file {path}: the folder {folder} does not exist; check the path"
    names = [p.name for p in itertools.islice(folder.iterdir(), 2000) if p.suffix == ".npz"]
    import difflib
    stems = {pathlib.Path(name).stem: name for name in names}
    close = [stems[stem] for stem in difflib.get_close_matches(path.stem, list(stems), n=3)]
    if close:
        return f"there is no file {path}; did you mean {' or '.join(close)}?"
    return f"there is no file {path}" + (f"; the run files in {folder} are {sorted(names)[:5]}" if names else "")


def npy_header(member):
    """The shape and dtype an array in a .npz says it has, and where its data starts."""
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(member)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(member)
    else:
        raise checks.HeatexValueError("unknown .npy version")
    return shape, dtype, member.tell()


DAMAGE = {zipfile.BadZipFile: "the archive is not whole", zlib.error: "a compressed part does not decompress",
           EOFError: "it ends early", NotImplementedError: "it uses a compression numpy does not write",
           RuntimeError: "a part of it claims to be encrypted"}


def read_run_file(path):
    """The path and the arrays of a run file, or a RunFileError that says what is wrong with it.

    Nothing is allocated before every array's header has been checked against
    the data the file holds, and the whole against the memory free.
    """
    path = run_path(path)
    if not path.exists():
        raise checks.HeatexFileNotFoundError(missing_file(path))
    if path.is_dir():
        raise RunFileError(f"{path} is a folder, not a run file; give the path of the .npz file inside it")
    try:
        with open(path, "rb") as f:
            magic = f.read(6)
    except OSError as e:
        raise RunFileError(f"{path} cannot be read ({e.strerror or e}); check its permissions") from None
    if magic == b"\x93NUMPY":
        raise RunFileError(f"{path} holds one numpy array (a .npy file), not a heatex run; load it with numpy.load")
    if not zipfile.is_zipfile(path):
        empty = " (it is empty)" if path.stat().st_size == 0 else ""
        raise RunFileError(f"{path} is not a heatex run: it is not a .npz archive{empty}; give the file "
                           "Run.save wrote")
    try:
        with zipfile.ZipFile(path) as archive:
            headers = {}
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                key = info.filename[:-len(".npy")]
                with archive.open(info) as member:
                    shape, dtype, start = npy_header(member)
                if dtype.hasobject:
                    raise RunFileError(f"{path}: {key} holds Python objects, which no heatex run does; this file "
                                       "was made by other code")
                size = math.prod(shape) * dtype.itemsize
                if info.file_size - start != size:
                    raise RunFileError(f"{path} is damaged: {key} claims {checks.size_text(size)} of data but holds "
                                       f"{checks.size_text(info.file_size - start)}; {CUT_SHORT}")
                headers[key] = (info, size)
            total, available = sum(size for _, size in headers.values()), checks.available_memory()
            if available is not None and total > 0.9 * available:
                raise checks.RunTooLargeError(f"{path} holds {checks.size_text(total)} of arrays, more than the {checks.size_text(available)} "
                                       "of memory free; load it on a machine with more memory")
            contents = {}
            for key, (info, _) in headers.items():
                with archive.open(info) as member:
                    contents[key] = np.lib.format.read_array(member, allow_pickle=False)
    except (RunFileError, checks.RunTooLargeError):
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError) as e:
        reason = next((text for kind, text in DAMAGE.items() if isinstance(e, kind)),
                      "an array in it is damaged" if isinstance(e, ValueError) else "it cannot be read")
        raise RunFileError(f"{path} is not a readable heatex run ({reason}); {CUT_SHORT}") from None
    marker = contents.get("format")
    if marker is None or marker.dtype.kind != "U" or marker.ndim != 0 or str(marker) != RUN_FORMAT:
        raise RunFileError(f"{path} is not a heatex run (no '{RUN_FORMAT}' marker); load it with numpy.load instead")
    version = contents.get("version")
    if version is None or version.ndim != 0 or version.dtype.kind not in "iu":
        raise RunFileError(f"{path} has no whole-number version (got {checks.shown(version)}), so it was not written by "
                           "heatex; load it with numpy.load")
    if int(version) not in RUN_VERSIONS:
        raise RunFileError(f"{path} is heatex run version {int(version)}; this code reads versions "
                           f"{', '.join(map(str, RUN_VERSIONS))}: update heatex to read it")
    missing = {"config", "snapshots"} - contents.keys()
    if missing:
        raise RunFileError(f"{path} lacks {sorted(missing)}, which Run.save always writes; {NOT_SAVED}")
    return path, contents


# What helps with a file that ends early or does not decompress (Run.save writes whole or not at all):
CUT_SHORT = ("it may have been cut short since it was written (a copy or a download that did not finish): copy "
             "it again from where it came from, or save the run again from the kernel that has it")


def run_config(path, array):
    if array.dtype.kind != "U" or array.ndim != 0:
        raise RunFileError(f"{path} is damaged: its config is not text; {NOT_SAVED}")
    try:
        config = json.loads(str(array))
    except json.JSONDecodeError:
        raise RunFileError(f"{path} is damaged: its config is not JSON; {NOT_SAVED}") from None
    if not isinstance(config, dict):
        raise RunFileError(f"{path} is damaged: its config is not a JSON object; {NOT_SAVED}")
    return config


# What helps with a file Run.save did not write as it is (Run.save checks a run before writing it):
NOT_SAVED = ("Run.save did not write it so (it was changed, or made by other code): if the run is still in "
             "a kernel, save it again from there")


def read_run(path, known):
    """``Run.load``'s (config, snapshots, metrics, snapshot_epochs), checked by ``check_run`` as ``Run(...)``
    checks them; what is wrong is said of the file."""
    path, contents = read_run_file(path)
    config = run_config(path, contents["config"])
    metrics = {k[len("metric_"):]: v for k, v in contents.items() if k.startswith("metric_")}
    try:
        return check_run(config, contents["snapshots"], metrics, contents.get("snapshot_epochs"), known)
    except (ValueError, TypeError) as e:
        text = str(e)
        if "register the rule first" in text:
            raise RunFileError(f"{path} cannot be loaded yet: its {text}, then load it") from None
        raise RunFileError(f"{path} is damaged or not a heatex run: its {text}; {NOT_SAVED}") from None
