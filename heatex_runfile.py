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

import errno
import itertools
import json
import math
import os
import pathlib
import stat
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


# 2 added snapshot_epochs; 3 adds the layer widths to the config (sections of different widths,
# padded to the widest). Version 1 and 2 files (one width; 1: a snapshot every epoch) still load.
RUN_VERSION = 3


RUN_VERSIONS = (1, 2, 3)


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
    check_config_widths(config)
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
    checks.check_padding(snapshots, config["widths"], config["bias"], "config's widths", "snapshots")
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


def check_config_widths(config):
    """A config's layer widths (run version 3): depth + 1 whole numbers, the widest its width. A run
    from before (versions 1 and 2, one width) gets them written in: its width, depth + 1 times."""
    widths = config.get("widths")
    if widths is None:
        config["widths"] = [config["width"]] * (config["depth"] + 1)
        return
    if (not isinstance(widths, list) or len(widths) != config["depth"] + 1
            or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths)
            or max(widths) != config["width"]):
        raise checks.HeatexValueError(f"config's widths {checks.shown(widths)} are not {config['depth'] + 1} whole "
                                      f"numbers of at least 1 whose widest is its width, {config['width']}")



def snapshot_rows(index, n):
    """``Run.__getitem__``'s index (a slice, whole numbers or a boolean mask) as rows from 0 to n - 1."""
    rows = np.arange(n)
    try:
        if index is None or isinstance(index, (bool, np.bool_)):
            raise TypeError
        chosen = np.atleast_1d(rows[index])
    except (IndexError, TypeError, ValueError, OverflowError):
        raise checks.HeatexValueError(f"a run's index picks snapshots: a slice (run[:11], run[::10]), whole numbers "
                                      f"from 0 to {n - 1} or a mask of {n} booleans, got {checks.shown(index)}") from None
    if not chosen.size or chosen[0] != 0 or np.any(np.diff(chosen) <= 0):
        raise checks.HeatexValueError(f"a run starts with its initial weights: an index must pick snapshot 0 first and "
                                      f"the others in order (run[:11], run[::10]), got rows {checks.shown(chosen.tolist())}")
    return chosen


# ---------------------------------------------------------------------------
# Writing: whole or not at all.
# ---------------------------------------------------------------------------

def run_path(path, name="path"):
    return checks.path_name(path, name)


# A temporary beside the target: ".<name, cut to fit>~<host>~<pid>~<token>.tmp<suffix>". The host lets
# savers on two machines that share a folder tell their temporaries apart (a process id means nothing on
# another machine), the suffix keeps the format a writer reads from the name (.gif, .mp4), and the name
# is cut so that the whole stays within the 255 bytes a file name may have.
NAME_BYTES = 255


def host_name():
    import socket
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in socket.gethostname())[:40]
    return name or "host"


def temporary_head(path):
    """The part of the temporary's name that comes from ``path``'s: cut to leave room for the rest."""
    suffix = path.suffix if len(path.suffix.encode()) <= 16 else ""
    room = NAME_BYTES - 1 - (1 + 40 + 1 + 10 + 1 + 8 + 4 + len(suffix.encode()))    # ~host~pid~token.tmp<suffix>
    return path.name.encode()[:room].decode(errors="ignore"), suffix      # never half a character


def temporary_name(path):
    head, suffix = temporary_head(path)
    return f".{head}~{host_name()}~{os.getpid()}~{os.urandom(4).hex()}.tmp{suffix}"


def file_kind(mode):
    for test, kind in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (a named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a regular file"


def write_target(path, what):
    """Where ``write_whole`` puts ``path``: the path itself, or the file a symbolic link there points to
    (the link is followed, and stays), refused if that is not a regular file or is read-only.
    Returns (target, its mode or None where there is no file yet)."""
    try:
        target = pathlib.Path(os.path.realpath(path, strict=False)) if path.is_symlink() else path
    except (OSError, RuntimeError) as e:           # a loop of links
        raise checks.HeatexValueError(f"cannot save {what} to {path}: it is a symbolic link that cannot be followed "
                                      f"({e}); remove the link or save elsewhere") from None
    via = f" (the symbolic link {path} points to it)" if target != path else ""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as e:
        raise checks.os_error(e.errno, f"cannot save {what} to {target}{via}: {failure_cause(e, target)}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise checks.HeatexValueError(f"path {path} is a folder; give a file name inside it, e.g. {path / 'run.npz'}")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise checks.HeatexValueError(f"cannot save {what} to {target}{via}: it is {file_kind(info.st_mode)}, not a "
                                      "regular file, and heatex replaces only regular files; save elsewhere")
    if info is not None and not info.st_mode & 0o222:
        raise checks.HeatexPermissionError(
            errno.EACCES, f"cannot save {what} to {target}{via}: the file there is read-only (mode "
            f"{stat.S_IMODE(info.st_mode):o}) and heatex does not replace it without a word; make it writable first "
            f"(os.chmod(path, 0o644)) or save elsewhere")
    if not target.parent.is_dir():
        raise checks.HeatexFileNotFoundError(
            errno.ENOENT, f"cannot save {what} to {target}{via}: the folder {target.parent} does not exist; make it first "
            "(pathlib.Path(folder).mkdir(parents=True)) or save elsewhere")
    return target, info


def write_whole(path, write, what="the run"):
    """Write a file at exactly ``path``, whole or not at all, and return ``path`` as a ``pathlib.Path``.

    ``write(temporary)`` writes the file's contents at ``temporary`` (a ``pathlib.Path`` beside the
    target, made empty and private). When it returns, the file is synced and renamed into place:
    a full disk, an interrupted kernel or a reader in another process never sees half a file, and a
    file already at ``path`` stays as it was until the new one is whole. The target keeps its
    permission bits; a symbolic link is followed (the file it points to is replaced, the link stays);
    a folder, a FIFO, a device or a read-only file is refused before anything is written. The
    temporary is removed on every failure, Ctrl-C included; one left by a process killed mid-save on
    this machine is removed by the next save there (another machine's are never touched). An error
    says the real cause: permission, a read-only file system, a full disk. ``Run.save`` and the GIF
    export both write through here.
    """
    path = run_path(path)
    target, info = write_target(path, what)
    remove_stale_temporaries(target)
    temporary = target.parent / temporary_name(target)
    written = False
    try:
        # O_EXCL: never another's file; 0o600 until the contents are whole
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        write(temporary)
        with open(temporary, "rb+") as f:
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), stat.S_IMODE(info.st_mode) if info is not None else new_file_mode())
            if info is not None and getattr(os, "geteuid", lambda: None)() == 0:   # root replacing another's file: it stays theirs
                try:
                    os.fchown(f.fileno(), info.st_uid, info.st_gid)
                except OSError:
                    pass
        os.replace(temporary, target)
        written = True
    except OSError as e:        # the operating system refused: its own error kind (PermissionError, ...), our words
        raise OSError(e.errno, f"could not save {what} to {target} ({failure_cause(e, target)}); the file there, if "
                               f"any, is unchanged") from e
    finally:
        if not written:
            try:
                os.unlink(temporary)
            except OSError:
                pass
    if hasattr(os, "O_DIRECTORY"):      # the rename itself survives a crash of the machine
        try:
            folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        except OSError:                 # some file systems cannot sync a folder; the file is in place
            pass
    return path


def new_file_mode():
    """A new file's permission bits: as the umask leaves them, and never closed to the one who saved it.
    Pyodide (JupyterLite) reports a umask of 0o777 that its own open() ignores: applied here, it made
    a film that its notebook could not read back."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask | 0o600


def failure_cause(error, target):
    """What went wrong in a save, in words that say what to do."""
    code = error.errno
    if code in (errno.EACCES, errno.EPERM):
        return f"permission denied: you may not write in {target.parent}; save in a folder of your own"
    if code == errno.EROFS:
        return f"the file system of {target.parent} is read-only; save elsewhere"
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        others = others_temporaries(target)
        return ("the disk, your quota or the file-size limit is full: free some space or save elsewhere"
                + (f"; {others}" if others else ""))
    if code == errno.ENOTDIR:
        return (f"a part of its folder, {target.parent}, is a file, not a folder; save in a folder (make it first with "
                "pathlib.Path(folder).mkdir(parents=True))")
    if code == errno.ENAMETOOLONG:
        return f"the name is longer than this file system allows ({len(target.name.encode())} bytes); use a shorter one"
    return error.strerror or str(error)


def others_temporaries(target):
    """Temporaries of saves in ``target``'s folder left by other machines or live processes: named, not removed."""
    try:
        found = [p for p in target.parent.glob(".*~*~*~*.tmp*")]
        size = sum(p.stat().st_size for p in found)
    except OSError:
        return ""
    return (f"{len(found)} temporary file{'s' * (len(found) > 1)} of other saves ({checks.size_text(size)}) lie in "
            f"{target.parent}: delete them if no save is running" if found else "")


def write_run_file(path, arrays):
    """Write ``arrays`` as a .npz at exactly ``path``, whole or not at all (``write_whole``)."""
    def write(temporary):
        with open(temporary, "wb") as f:
            np.savez_compressed(f, **arrays)
    return write_whole(path, write, "the run")


def remove_stale_temporaries(path):
    """Temporaries of saves to ``path`` on this machine whose process was killed mid-save (POSIX only)."""
    if os.name != "posix":
        return
    head = "." + temporary_head(path)[0]
    for stale in path.parent.glob(f"{glob_escape(head)}~*~*~*.tmp*"):
        try:
            host, pid = stale.name[len(head):].split("~")[1:3]
            pid = int(pid)
        except ValueError:
            continue
        if host != host_name():         # another machine's save: its process is not ours to ask about
            continue
        try:
            os.kill(pid, 0)             # signal 0: only asks whether the process exists
        except ProcessLookupError:
            try:
                stale.unlink()
            except OSError:
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
        raise checks.HeatexFileNotFoundError(errno.ENOENT, missing_file(path))
    if path.is_dir():
        raise RunFileError(f"{path} is a folder, not a run file; give the path of the .npz file inside it")
    try:
        # O_NONBLOCK: a FIFO opens at once instead of waiting for a writer, and is refused below
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise RunFileError(f"{path} cannot be read ({e.strerror or e}); check its permissions") from None
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise RunFileError(f"{path} is {file_kind(mode)}, not a run file; give the path of the .npz file Run.save "
                               "wrote")
        return path, read_open_run_file(path, f)


def read_open_run_file(path, f):
    """``read_run_file``'s reading, from the open regular file ``f``."""
    magic = f.read(6)
    if magic == b"\x93NUMPY":
        raise RunFileError(f"{path} holds one numpy array (a .npy file), not a heatex run; load it with numpy.load")
    if not zipfile.is_zipfile(f):
        empty = " (it is empty)" if os.fstat(f.fileno()).st_size == 0 else ""
        raise RunFileError(f"{path} is not a heatex run: it is not a .npz archive{empty}; give the file "
                           "Run.save wrote")
    try:
        with zipfile.ZipFile(f) as archive:
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
    return contents


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
