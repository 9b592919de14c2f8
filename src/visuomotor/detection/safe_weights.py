"""Loading a YOLO .pt never runs code from the file.

A .pt is a zip archive holding a pickle (`data.pkl`), and unpickling calls whatever importable callable the
pickle names (an object's `__reduce__` can name `os.system`), so a crafted file runs its payload as it loads.
Every path that hands a .pt to ultralytics (eval detector / eval bag --weights, detector_node weights:=,
train detector --init-weights and --resume) goes through two independent guards:

1. check_yolo_weights(path): a static scan of the archive's pickle (pickletools disassembles it, executing
   nothing). It passes only the opcodes torch's weights_only unpickler accepts (no STACK_GLOBAL, INST, OBJ,
   EXT*) and only globals that are an nn.Module class of torch.nn.modules / ultralytics.nn.modules /
   ultralytics.nn.tasks, or one of the tensor, container and data types a YOLO checkpoint holds; anything
   else (os.mkdir, builtins.exec, builtins.getattr, ...) refuses the file with an UnsafeWeightsError naming
   the file and the global, before ultralytics opens it. The rule is our own list, independent of the
   globals torch or ultralytics have registered as safe in this process.
2. import_ultralytics(): ultralytics runs with ULTRALYTICS_SAFE_LOAD=1 (set by visuomotor.process before
   ultralytics is imported; ultralytics reads it once, at import). Its checkpoint loads are then
   torch.load(weights_only=True) against its allow-list, and a model built from a checkpoint's yaml (what
   fine-tuning and resuming do) resolves the yaml's `activation` without eval() and admits only layer classes.

ultralytics' strip_optimizer() (the end of every training run) unpickles with weights_only=False: there the
scan is the only guard, so every .pt it will touch is scanned first (yolo_training.py).
"""

from __future__ import annotations

import importlib
import os
import pickletools
import sys
import zipfile
from pathlib import Path

from visuomotor.detection.detector import DetectorError

SAFE_LOAD_VARIABLE = "ULTRALYTICS_SAFE_LOAD"
MODEL_CLASS_MODULES = ("torch.nn.modules", "ultralytics.nn.modules", "ultralytics.nn.tasks")
STORAGE_TYPES = ("Float", "Half", "BFloat16", "Double", "Long", "Int", "Short", "Char", "Byte", "Bool")
DATA_GLOBALS = frozenset(
    {
        "collections.OrderedDict",  # state dicts
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch.Size",
        *(f"torch.{kind}Storage" for kind in STORAGE_TYPES),
        "__builtin__.set",
        "builtins.set",
        "ultralytics.utils.IterableSimpleNamespace",  # training arguments
        "numpy.dtype",
        "numpy.core.multiarray.scalar",
        "numpy._core.multiarray.scalar",
        "pathlib.PosixPath",
    }
)
# The opcodes torch's weights_only unpickler implements (torch/_weights_only_unpickler.py); torch.save writes
# protocol 2 with nothing else. Missing on purpose: STACK_GLOBAL, INST, OBJ, EXT1/2/4 (they name callables the
# GLOBAL check would not see).
SAFE_OPCODES = frozenset(
    {
        "PROTO",
        "STOP",
        "GLOBAL",
        "NEWOBJ",
        "REDUCE",
        "BUILD",
        "APPEND",
        "APPENDS",
        "SETITEM",
        "SETITEMS",
        "MARK",
        "TUPLE",
        "TUPLE1",
        "TUPLE2",
        "TUPLE3",
        "NONE",
        "NEWFALSE",
        "NEWTRUE",
        "EMPTY_TUPLE",
        "EMPTY_LIST",
        "EMPTY_DICT",
        "EMPTY_SET",
        "BINPERSID",
        "BININT",
        "BININT1",
        "BININT2",
        "BINFLOAT",
        "BINGET",
        "LONG_BINGET",
        "BINPUT",
        "LONG_BINPUT",
        "BINUNICODE",
        "SHORT_BINSTRING",
        "LONG1",
    }
)


class UnsafeWeightsError(DetectorError):
    """A weights file whose pickle would call something other than a model class or data type on load."""


def check_yolo_weights(path: str | Path) -> None:
    """Refuse `path` unless its pickle uses only safe opcodes and allowed globals (see above).

    Raises DetectorError for a file that is not a torch.save() zip archive (corrupt, TorchScript, legacy
    pickle) and UnsafeWeightsError for a pickle that could call anything else; nothing in the file runs.
    """
    try:
        opcodes, names = _pickle_contents(Path(path))
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        cause = " ".join(str(error).split()) or type(error).__name__
        raise DetectorError(
            f"cannot load YOLO weights {str(path)!r}: not a torch checkpoint archive ({cause}); "
            "the file is corrupt or not an ultralytics .pt — re-train or re-copy it"
        ) from None
    refused = sorted(f"opcode {opcode}" for opcode in opcodes - SAFE_OPCODES)
    refused += sorted(name for name in names if not _allowed_global(name))
    if refused:
        shown = ", ".join(refused[:3]) + (f" and {len(refused) - 3} more" if len(refused) > 3 else "")
        raise UnsafeWeightsError(
            f"refusing YOLO weights {str(path)!r}: its pickle calls {shown}, which is not a model class, so "
            "loading it could run code; use a checkpoint written by `visuomotor train detector`"
        )


def _pickle_contents(path: Path) -> tuple[set[str], set[str]]:
    """(opcode names, "module.name" of every GLOBAL) of the archive's data.pkl, by disassembly only."""
    with zipfile.ZipFile(path) as archive:
        members = archive.namelist()
        pickles = [name for name in members if name == "data.pkl" or name.endswith("/data.pkl")]
        if any(name.endswith("constants.pkl") for name in members):
            raise ValueError("it is a TorchScript archive")
        if len(pickles) != 1:
            raise ValueError(f"expected one data.pkl, found {len(pickles)}")
        data = archive.read(pickles[0])
    opcodes: set[str] = set()
    names: set[str] = set()
    try:
        for opcode, argument, _ in pickletools.genops(data):
            opcodes.add(opcode.name)
            if opcode.name == "GLOBAL":
                names.add(str(argument).replace(" ", "."))
    except Exception as error:  # pickletools raises ValueError or struct/EOF errors on a damaged stream
        raise ValueError(f"damaged pickle: {error}") from None
    return opcodes, names


def _allowed_global(name: str) -> bool:
    """`module.Class` names an nn.Module subclass defined in an allowed module, or a listed data global.

    Only modules inside torch.nn.modules / ultralytics.nn are imported to check (they are the libraries'
    own code, imported by ultralytics anyway); any other name is refused without importing it.
    """
    if name in DATA_GLOBALS:
        return True
    module_name, _, attribute = name.rpartition(".")
    if not any(module_name == allowed or module_name.startswith(allowed + ".") for allowed in MODEL_CLASS_MODULES):
        return False
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return False
    import torch

    value = getattr(module, attribute, None)
    return isinstance(value, type) and issubclass(value, torch.nn.Module) and value.__module__ == module_name


def import_ultralytics():
    """The ultralytics package, with its restricted checkpoint loading on (raises DetectorError if it is off)."""
    if "ultralytics" not in sys.modules:
        os.environ[SAFE_LOAD_VARIABLE] = "1"
    import ultralytics
    from ultralytics.nn import tasks

    if not tasks.SAFE_LOAD:
        raise DetectorError(
            f"ultralytics was imported with its safe checkpoint loading off; set {SAFE_LOAD_VARIABLE}=1 in the "
            "environment (visuomotor.process.configure_process does) before anything imports ultralytics"
        )
    return ultralytics


def load_yolo(weights: str | Path):
    """ultralytics.YOLO of a .pt checkpoint (scanned first) or a model .yaml, loaded with safe unpickling;
    any failure is a one-line DetectorError naming the file."""
    if Path(weights).suffix == ".pt":
        check_yolo_weights(weights)
    YOLO = import_ultralytics().YOLO
    try:
        return YOLO(str(weights), task="detect")
    except Exception as error:  # ultralytics raises many types for unreadable or refused files
        raise refusal(weights, error) or DetectorError(
            f"cannot load YOLO weights {str(weights)!r} ({type(error).__name__}: {_one_line(error)}); "
            "the file is corrupt or not an ultralytics checkpoint — re-train or re-copy it"
        ) from None


def refusal(weights: str | Path, error: Exception) -> UnsafeWeightsError | None:
    """`error` as an UnsafeWeightsError if it is ultralytics' restricted loading refusing part of `weights`
    (its messages say "restricted", e.g. a yaml activation that is code), else None."""
    cause = _one_line(error)
    if "restricted" not in cause:
        return None
    return UnsafeWeightsError(
        f"refusing YOLO weights {str(weights)!r}: ultralytics' safe loading blocked it ({cause}); "
        "use a checkpoint written by `visuomotor train detector`"
    )


def _one_line(error: Exception) -> str:
    return " ".join(str(error).replace("ERROR ❌️", "").split()) or type(error).__name__
