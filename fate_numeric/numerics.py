"""The numerics policy of the simulators, in one place (docs/design.md §8.1).

* float64 for everything that is verified; TF32 is switched off for matrix products and
  convolutions (it silently rounds float32 products to 10 bits of mantissa on Ampere and later).
* device: CUDA when available, else CPU; asking for CUDA where there is none is an error, not a
  silent fallback; the choice is reported (:func:`describe_device`).
* randomness: every sampler takes a seeded :class:`torch.Generator` on the simulation's device;
  global random state is never used (:func:`generator`).
* no CUDA least squares on rank-deficient systems: the simulators solve full-rank Gram systems
  (Cholesky / ``solve``) and take SVDs for numerical ranks.
"""

from __future__ import annotations

import math
import os

import torch

from derivations.errors import InvalidArgumentError

DTYPE = torch.float64

#: Floating-point precisions a simulation may train in (draws are always made in float64 and
#: rounded, so both precisions see the same data). float64 is the default and what ``verify``
#: uses; float32 halves the memory traffic of the GPU sweeps.
PRECISIONS: dict[str, torch.dtype] = {"float64": torch.float64, "float32": torch.float32}


def precision_dtype(name: str) -> torch.dtype:
    """The torch dtype of a precision name (``float64`` or ``float32``)."""
    if name not in PRECISIONS:
        raise InvalidArgumentError(
            f"precision must be one of {', '.join(PRECISIONS)}; got {name!r}"
        )
    return PRECISIONS[name]


def disable_tf32() -> None:
    """Make float32 matrix products exact IEEE float32 (TF32 off) on every CUDA device."""
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def resolve_device(requested: str | torch.device | None = None) -> torch.device:
    """The device to simulate on: ``None``/``"auto"`` → CUDA if available else CPU.

    Raises :class:`InvalidArgumentError` when CUDA is asked for and absent, or the name is unknown.
    """
    disable_tf32()
    if requested is None or str(requested) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(requested)
    except (RuntimeError, TypeError):
        raise InvalidArgumentError(
            f"device must be 'auto', 'cpu' or 'cuda[:index]'; got {requested!r}"
        ) from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise InvalidArgumentError(
                "device 'cuda' was asked for but CUDA is not available on this machine "
                "(use --device cpu or auto)"
            )
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise InvalidArgumentError(
                f"device {requested!r} does not exist: this machine has "
                f"{torch.cuda.device_count()} CUDA device(s)"
            )
    elif device.type != "cpu":
        raise InvalidArgumentError(f"device must be 'auto', 'cpu' or 'cuda'; got {requested!r}")
    return device


def describe_device(device: torch.device) -> str:
    """A line naming the device, e.g. ``cuda:0 (NVIDIA H100 80GB HBM3)`` or ``cpu (2 threads)``."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    return f"cpu ({torch.get_num_threads()} threads)"


def generator(seed: int, device: torch.device) -> torch.Generator:
    """A fresh generator on ``device`` seeded with ``seed`` (never the global one)."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InvalidArgumentError(f"seed must be a non-negative integer; got {seed!r}")
    gen = torch.Generator(device=device)
    gen.manual_seed(seed)
    return gen


#: The environment variable that overrides :func:`memory_budget` (bytes).
MEMORY_BUDGET_VARIABLE = "FATE_MEMORY_BUDGET"


def memory_budget_override() -> int | None:
    """``$FATE_MEMORY_BUDGET`` as a number of bytes, or None when it is unset or empty.

    Raises :class:`InvalidArgumentError` (one line, naming the variable) unless it is a finite
    number > 0, such as ``8e9`` or ``8000000000``; the command lines check it before any work.
    """
    text = os.environ.get(MEMORY_BUDGET_VARIABLE, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 1):
        raise InvalidArgumentError(
            f"{MEMORY_BUDGET_VARIABLE} must be a number of bytes >= 1 (e.g. 8e9 for 8 GB); got "
            f"{text!r}"
        )
    return int(value)


def memory_budget(device: torch.device, fraction: float = 0.6) -> int:
    """Bytes a simulation may use on ``device``: a fraction of the device's *total* memory.

    Not of its free memory, which changes from run to run: the budget decides how cells are
    batched (:func:`fate_numeric.experiments.chunks`), and a budget that does not change gives the
    same batches for the same cells on the same machine (a cell's numbers do not depend on its
    batch anyway, docs/design.md §5.4). On CUDA the total is asked from the driver; on CPU it is
    the physical memory (``MemTotal`` of ``/proc/meminfo`` where present, else 4 GiB).
    ``$FATE_MEMORY_BUDGET`` (bytes) overrides both, e.g. on a machine shared with other jobs.
    """
    if (override := memory_budget_override()) is not None:
        return override
    if device.type == "cuda":
        _, total = torch.cuda.mem_get_info(device)
        return int(total * fraction)
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(int(line.split()[1]) * 1024 * fraction)
    except OSError:
        pass
    return int(4 * 2**30 * fraction)
