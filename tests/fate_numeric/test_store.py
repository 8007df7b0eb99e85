"""The result store: exact round trips, stable keys, atomic writes, resumable sweeps, distrust."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from derivations.errors import FateError, InvalidArgumentError
from fate_numeric import store as store_module
from fate_numeric.store import (
    KEY_LENGTH,
    ResultNotStoredError,
    ResultStore,
    StoreCorruptionError,
    StoreCorruptionWarning,
    StoreWriteError,
    canonical_json,
    config_key,
    default_root,
    default_store,
)

REPO = Path(__file__).resolve().parents[2]
VERSION = "0.0-test"

CONFIG = {
    "experiment": "linear_transfer",
    "d": 50,
    "gamma": 0.5,
    "theta": 0.1,
    "sigma": 0.2,
    "seed": 3,
    "grid": {"n": [10, 20, 40], "lr": 1e-3},
    "flags": [True, None],
}


@pytest.fixture
def store(tmp_path: Path) -> ResultStore:
    return ResultStore(tmp_path / "store", package_version=VERSION)


def _arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"risk": rng.standard_normal((3, 4)), "count": np.arange(5, dtype=np.int64)}


def _files(store: ResultStore, config) -> tuple[Path, Path]:
    key = store.key(config)
    return store.root / f"{key}.npz", store.root / f"{key}.json"


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


# --------------------------------------------------------------------------------------------
# Round trip


def test_round_trip_is_exact_for_many_dtypes_and_shapes(store: ResultStore) -> None:
    rng = np.random.default_rng(7)
    special = np.array([0.1, -0.0, np.nan, np.inf, -np.inf, 5e-324, np.finfo(float).max])
    arrays = {
        "f64": rng.standard_normal((4, 3, 2)),
        "special": special,
        "f32": rng.standard_normal(6).astype(np.float32),
        "f16": np.array([1.5, -2.25], dtype=np.float16),
        "i8": np.array([-128, 0, 127], dtype=np.int8),
        "u64": np.array([0, np.iinfo(np.uint64).max], dtype=np.uint64),
        "flag": rng.random((2, 5)) > 0.5,
        "c128": rng.standard_normal(3) + 1j * rng.standard_normal(3),
        "scalar": np.float64(np.pi),
        "empty": np.zeros((0, 3)),
        "fortran": np.asfortranarray(rng.standard_normal((3, 5))),
        "big_endian": (np.arange(4) / 3).astype(">f8"),
        "strided": np.arange(20.0)[::3],
        "from_list": [1.0, 2.5],
    }
    key = store.save(CONFIG, arrays, extra_metadata={"device": "cpu", "wall_s": 1.25})
    assert key == store.key(CONFIG)
    result = store.load(CONFIG)
    assert result.key == key
    assert set(result.arrays) == set(arrays)
    for name, original in arrays.items():
        original = np.asarray(original)
        loaded = result.arrays[name]
        assert loaded.dtype == original.dtype, name
        assert loaded.shape == original.shape, name
        # bit for bit (NaN payloads, -0.0 and subnormals included)
        assert np.ascontiguousarray(loaded).tobytes() == np.ascontiguousarray(original).tobytes()
    assert np.array_equal(result.arrays["special"], special, equal_nan=True)
    meta = result.metadata
    assert meta["config"] == json.loads(canonical_json(CONFIG)) == result.config
    assert meta["package_version"] == VERSION
    assert meta["key"] == key
    assert meta["extra"] == {"device": "cpu", "wall_s": 1.25}
    assert meta["arrays"]["f64"] == {"shape": [4, 3, 2], "dtype": "<f8"}
    assert meta["arrays"]["big_endian"] == {"shape": [4], "dtype": ">f8"}
    assert meta["arrays"]["scalar"] == {"shape": [], "dtype": "<f8"}
    created = datetime.fromisoformat(meta["created"])
    assert created.tzinfo is not None
    assert abs((datetime.now(created.tzinfo) - created).total_seconds()) < 600


def test_files_are_plain_npz_and_json_with_the_checksum(store: ResultStore) -> None:
    arrays = _arrays()
    store.save(CONFIG, arrays)
    npz_path, json_path = _files(store, CONFIG)
    assert sorted(p.name for p in store.root.iterdir()) == sorted([npz_path.name, json_path.name])
    meta = json.loads(json_path.read_text())
    assert meta["npz_sha256"] == hashlib.sha256(npz_path.read_bytes()).hexdigest()
    assert meta["npz_bytes"] == npz_path.stat().st_size
    assert meta["store_format"] == store_module.STORE_FORMAT
    with np.load(npz_path, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["count", "risk"]
        assert np.array_equal(npz["risk"], arrays["risk"])


def test_equal_arrays_give_identical_npz_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = ResultStore(tmp_path / "a", package_version=VERSION)
    second = ResultStore(tmp_path / "b", package_version=VERSION)
    key = first.save(CONFIG, _arrays(1))
    later = time.time() + 3 * 3600
    monkeypatch.setattr(time, "time", lambda: later)  # zip members would carry the time
    second.save(CONFIG, _arrays(1))
    assert (first.root / f"{key}.npz").read_bytes() == (second.root / f"{key}.npz").read_bytes()


def test_save_replaces_an_entry(store: ResultStore) -> None:
    store.save(CONFIG, {"x": np.zeros(3)})
    store.save(CONFIG, {"y": np.ones(2)})
    result = store.load(CONFIG)
    assert list(result.arrays) == ["y"]
    assert np.array_equal(result.arrays["y"], np.ones(2))
    assert store.verify().ok


def test_load_of_an_absent_entry_raises_not_stored(store: ResultStore) -> None:
    with pytest.raises(ResultNotStoredError, match="no result with key") as info:
        store.load(CONFIG)
    assert isinstance(info.value, KeyError)
    assert isinstance(info.value, FateError)
    assert not store.has(CONFIG)
    assert list(store.entries()) == []
    assert store.verify().ok


# --------------------------------------------------------------------------------------------
# Keys


def test_key_is_independent_of_key_order_and_container_types() -> None:
    reordered = {
        "flags": (True, None),
        "grid": {"lr": np.float64(1e-3), "n": np.array([10, 20, 40])},
        "seed": np.int64(3),
        "sigma": 0.2,
        "theta": 0.1,
        "gamma": np.float32(0.5),  # exactly representable
        "d": 50,
        "experiment": "linear_transfer",
    }
    assert list(reordered) != list(CONFIG)
    assert config_key(reordered, package_version=VERSION) == config_key(
        CONFIG, package_version=VERSION
    )
    assert canonical_json(reordered) == canonical_json(CONFIG)
    key = config_key(CONFIG, package_version=VERSION)
    assert len(key) == KEY_LENGTH
    assert all(c in "0123456789abcdef" for c in key)


def test_key_is_pinned() -> None:
    """Changing the canonical form would orphan every stored result: it must be deliberate."""
    assert canonical_json(CONFIG) == (
        '{"d":50,"experiment":"linear_transfer","flags":[true,null],"gamma":0.5,'
        '"grid":{"lr":0.001,"n":[10,20,40]},"seed":3,"sigma":0.2,"theta":0.1}'
    )
    canonical = canonical_json(CONFIG)
    payload = f'{{"config":{canonical},"package_version":"{VERSION}","store_format":1}}'
    assert config_key(CONFIG, package_version=VERSION) == "2bf523992b4980381977"
    assert hashlib.sha256(payload.encode()).hexdigest()[:KEY_LENGTH] == "2bf523992b4980381977"


def _variants() -> list[tuple[str, dict]]:
    def changed(path: tuple, value) -> dict:
        config = json.loads(json.dumps(CONFIG))
        target = config
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
        return config

    renamed = json.loads(json.dumps(CONFIG))
    renamed["seed_"] = renamed.pop("seed")
    extended = json.loads(json.dumps(CONFIG))
    extended["extra"] = None
    return [
        ("theta + 1e-12", changed(("theta",), 0.1 + 1e-12)),
        ("gamma", changed(("gamma",), 0.25)),
        ("d int -> float", changed(("d",), 50.0)),
        ("seed", changed(("seed",), 4)),
        ("nested lr", changed(("grid", "lr"), 1e-4)),
        ("nested list", changed(("grid", "n", 2), 41)),
        ("list order", changed(("grid", "n"), [20, 10, 40])),
        ("bool -> int", changed(("flags", 0), 1)),
        ("None -> False", changed(("flags", 1), False)),
        ("string", changed(("experiment",), "linear_transfer ")),
        ("sigma -0.0 vs 0.0", changed(("sigma",), -0.0)),
        ("renamed key", renamed),
        ("extra key", extended),
    ]


@pytest.mark.parametrize(("label", "variant"), _variants(), ids=[v[0] for v in _variants()])
def test_key_changes_with_any_value(label: str, variant: dict) -> None:
    assert config_key(variant, package_version=VERSION) != config_key(
        CONFIG, package_version=VERSION
    ), label


def test_close_floats_and_signed_zeros_differ() -> None:
    assert config_key({"x": 0.1}) != config_key({"x": 0.1 + 1e-12})
    assert config_key({"x": 0.1}) != config_key({"x": 0.1000000001})
    assert config_key({"x": 0.0}) != config_key({"x": -0.0})
    assert config_key({"x": 0.1}) == config_key({"x": 0.1})


def test_key_depends_on_the_package_version(tmp_path: Path) -> None:
    assert config_key(CONFIG, package_version="1.0") != config_key(CONFIG, package_version="1.1")
    old = ResultStore(tmp_path, package_version="1.0")
    old.save(CONFIG, _arrays())
    new = ResultStore(tmp_path, package_version="1.1")
    assert not new.has(CONFIG)
    # the old entry stays valid and listed
    assert [m["package_version"] for m in new.entries()] == ["1.0"]
    assert new.verify().ok


def test_installed_version_is_used_with_a_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    assert store_module.package_version() == importlib.metadata.version("features-are-fate")
    assert config_key(CONFIG) == config_key(
        CONFIG, package_version=importlib.metadata.version("features-are-fate")
    )

    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(store_module.importlib_metadata, "version", not_installed)
    assert store_module.package_version() == "unknown"
    assert ResultStore("unused-root").package_version == "unknown"


@pytest.mark.parametrize(
    ("config", "where"),
    [
        ({"a": {"b": {1, 2}}}, "config['a']['b']"),
        ({"a": [1, object()]}, "config['a'][1]"),
        ({"path": Path("/tmp")}, "config['path']"),
        ({"z": 1 + 2j}, "config['z']"),
        ({"z": np.array([1 + 2j])}, "config['z'][0]"),
        ({"a": {3: "x"}}, "config['a']"),
        ({"x": np.longdouble(0.1)}, "config['x']"),
    ],
)
def test_non_json_configuration_values_are_named(
    store: ResultStore, config: dict, where: str
) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        store.key(config)
    assert where in str(info.value)
    with pytest.raises(InvalidArgumentError):
        store.save(config, _arrays())
    assert not store.root.exists()


def test_configuration_must_be_a_mapping(store: ResultStore) -> None:
    with pytest.raises(InvalidArgumentError, match="mapping"):
        store.key([("a", 1)])


# --------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize("name", ["", "1x", "a/b", "a b", "x.npy", "é", "a" * 101, 3])
def test_bad_array_names_are_refused(store: ResultStore, name) -> None:
    with pytest.raises(InvalidArgumentError, match="array name") as info:
        store.save(CONFIG, {"ok": np.zeros(2), name: np.zeros(2)})
    assert repr(name) in str(info.value)
    assert not store.root.exists()


@pytest.mark.parametrize("name", ["file", "allow_pickle", "_x", "A1_b"])
def test_names_that_collide_with_savez_keywords_are_fine(store: ResultStore, name: str) -> None:
    store.save(CONFIG, {name: np.arange(3)})
    assert np.array_equal(store.load(CONFIG).arrays[name], np.arange(3))


@pytest.mark.parametrize(
    "value",
    [
        np.array([1, "a"], dtype=object),
        np.array([None, None]),
        np.array(["a", "b"]),
        np.array(["2020-01-01"], dtype="datetime64[D]"),
        np.zeros(2, dtype=[("a", "f8"), ("b", "i4")]),
        [1.0, "x", None],
    ],
)
def test_non_numeric_arrays_are_refused_on_save(store: ResultStore, value) -> None:
    with pytest.raises(InvalidArgumentError, match="'bad'"):
        store.save(CONFIG, {"good": np.zeros(2), "bad": value})
    assert not store.root.exists()
    assert not store.has(CONFIG)


def test_unwritable_root_names_the_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    root = blocker / "store"
    store = ResultStore(root, package_version=VERSION)
    with pytest.raises(StoreWriteError) as info:
        store.save(CONFIG, _arrays())
    assert str(root) in str(info.value)
    assert isinstance(info.value, OSError)
    assert not store.has(CONFIG)  # reading a store that cannot exist is fine


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores folder permissions"
)
def test_read_only_root_names_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "store"
    root.mkdir()
    root.chmod(0o500)
    try:
        with pytest.raises(StoreWriteError, match=str(root)):
            ResultStore(root, package_version=VERSION).save(CONFIG, _arrays())
    finally:
        root.chmod(0o700)


def test_root_that_is_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(InvalidArgumentError, match=str(path)):
        ResultStore(path)


def test_extra_metadata_must_be_json(store: ResultStore) -> None:
    with pytest.raises(InvalidArgumentError, match=r"extra_metadata\['when'\]"):
        store.save(CONFIG, _arrays(), extra_metadata={"when": datetime.now()})
    assert not store.root.exists()


# --------------------------------------------------------------------------------------------
# Atomicity and resuming


def _fail_on(monkeypatch: pytest.MonkeyPatch, suffix: str, error: BaseException) -> list[str]:
    """Make os.replace fail when it would move a file into place under a name ending in suffix."""
    real_replace = os.replace
    targets: list[str] = []

    def replace(src, dst, *args, **kwargs):
        targets.append(os.fspath(dst))
        if os.fspath(dst).endswith(suffix):
            raise error
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return targets


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_interrupted_json_write_leaves_no_complete_entry(
    store: ResultStore, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    targets = _fail_on(monkeypatch, ".json", error)
    with pytest.raises(StoreWriteError if isinstance(error, OSError) else KeyboardInterrupt):
        store.save(CONFIG, _arrays())
    assert [Path(t).suffix for t in targets] == [".npz", ".json"]  # npz first, JSON last
    npz_path, json_path = _files(store, CONFIG)
    assert npz_path.exists()
    assert not json_path.exists()
    assert sorted(p.name for p in store.root.iterdir()) == [npz_path.name]  # no temporary left
    assert not store.has(CONFIG)
    assert list(store.entries()) == []
    assert [p.kind for p in store.verify().problems] == ["incomplete"]

    monkeypatch.undo()
    calls = []
    result = None
    with pytest.warns(StoreCorruptionWarning, match="incomplete"):
        result = store.get_or_compute(CONFIG, lambda: calls.append(1) or _arrays())
    assert calls == [1]
    assert np.array_equal(result.arrays["risk"], _arrays()["risk"])
    assert store.has(CONFIG)
    assert store.verify().ok


def test_interrupted_npz_write_leaves_nothing(
    store: ResultStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_on(monkeypatch, ".npz", OSError(5, "Input/output error"))
    with pytest.raises(StoreWriteError, match="Input/output error"):
        store.save(CONFIG, _arrays())
    assert list(store.root.iterdir()) == []
    assert not store.has(CONFIG)


def test_interrupted_overwrite_never_pairs_old_json_with_new_npz(
    store: ResultStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(CONFIG, {"x": np.zeros(3)})
    _fail_on(monkeypatch, ".json", OSError(28, "No space left on device"))
    with pytest.raises(StoreWriteError):
        store.save(CONFIG, {"x": np.ones(3)})
    assert not store.has(CONFIG)
    with pytest.raises(StoreCorruptionError) as info:
        store.load(CONFIG)
    assert info.value.kind == "incomplete"


KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    import numpy as np
    from fate_numeric.store import ResultStore

    real_replace = os.replace
    def replace(src, dst):
        if str(dst).endswith(".json"):
            os.kill(os.getpid(), signal.SIGKILL)  # killed between the npz and the JSON
        real_replace(src, dst)
    os.replace = replace
    ResultStore(sys.argv[1], package_version=sys.argv[2]).save(
        {"cell": 1}, {"x": np.arange(1000.0)}
    )
    print("not killed")
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_process_killed_between_npz_and_json(store: ResultStore) -> None:
    path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(store.root), VERSION],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == -9, done.stderr
    assert "not killed" not in done.stdout
    config = {"cell": 1}
    npz_path, json_path = _files(store, config)
    assert npz_path.exists()
    assert not json_path.exists()
    assert not store.has(config)
    report = store.verify()
    assert report.valid == ()
    kinds = sorted((p.kind, p.path.suffix) for p in report.problems)
    assert kinds == [("incomplete", ".npz"), ("incomplete", ".tmp")]  # the JSON's temporary

    with pytest.warns(StoreCorruptionWarning):
        result = store.get_or_compute(config, lambda: {"x": np.arange(1000.0)})
    assert np.array_equal(result.arrays["x"], np.arange(1000.0))
    assert store.has(config)
    assert store.remove(config)  # also removes the stale temporary file
    assert list(store.root.iterdir()) == []


def test_interrupted_sweep_resumes_where_it_stopped(store: ResultStore) -> None:
    cells = [{"sweep": "demo", "theta": 0.1 * i, "seed": i} for i in range(10)]
    computed: list[int] = []

    class Interrupted(Exception):
        pass

    def run(fail_at: int | None) -> list[float]:
        values = []
        for cell in cells:

            def compute(cell=cell) -> dict[str, np.ndarray]:
                if len(computed) + 1 == fail_at:
                    raise Interrupted
                computed.append(cell["seed"])
                return {"value": np.array([cell["theta"] ** 2])}

            values.append(float(store.get_or_compute(cell, compute).arrays["value"][0]))
        return values

    with pytest.raises(Interrupted):
        run(fail_at=6)
    assert computed == [0, 1, 2, 3, 4]
    assert store.missing(cells) == cells[5:]
    assert len(list(store.entries())) == 5

    values = run(fail_at=None)
    assert computed == list(range(10))  # only the five missing cells were computed
    assert values == [(0.1 * i) ** 2 for i in range(10)]
    assert store.missing(cells) == []

    run(fail_at=None)
    assert computed == list(range(10))  # a complete sweep computes nothing
    assert store.verify().ok
    assert len(store.verify().valid) == 10


def test_get_or_compute_stores_nothing_when_compute_fails(store: ResultStore) -> None:
    def broken() -> dict:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        store.get_or_compute(CONFIG, broken)
    with pytest.raises(InvalidArgumentError, match="object arrays"):
        store.get_or_compute(CONFIG, lambda: {"x": np.array([None])})
    assert not store.has(CONFIG)
    assert not store.root.exists() or list(store.root.iterdir()) == []


def test_get_or_compute_loads_without_computing(store: ResultStore) -> None:
    store.save(CONFIG, _arrays(2))

    def must_not_run() -> dict:
        raise AssertionError("computed although stored")

    result = store.get_or_compute(CONFIG, must_not_run)
    assert np.array_equal(result.arrays["risk"], _arrays(2)["risk"])


# --------------------------------------------------------------------------------------------
# Corrupt, foreign and incomplete files


def _assert_rejected(store: ResultStore, config, path: Path, kind: str, match: str) -> None:
    with pytest.raises(StoreCorruptionError, match=match) as info:
        store.load(config)
    assert info.value.kind == kind
    assert info.value.path == path
    assert str(path) in str(info.value)
    assert store.has(config) is False
    assert store.missing([config]) == [config]
    assert list(store.entries()) == []
    report = store.verify()
    assert not report.ok
    assert report.valid == ()
    assert path in report.paths
    assert [p.path for p in getattr(report, kind)] == [path]


@pytest.mark.parametrize("where", ["header", "middle", "end"])
def test_corrupt_npz_is_detected_and_recomputed(store: ResultStore, where: str) -> None:
    store.save(CONFIG, _arrays())
    npz_path, _ = _files(store, CONFIG)
    size = npz_path.stat().st_size
    _flip_byte(npz_path, {"header": 2, "middle": size // 2, "end": size - 3}[where])
    _assert_rejected(store, CONFIG, npz_path, "corrupt", "checksum")

    calls = []
    with pytest.warns(StoreCorruptionWarning, match=npz_path.name):
        result = store.get_or_compute(CONFIG, lambda: calls.append(1) or _arrays(5))
    assert calls == [1]
    assert np.array_equal(result.arrays["risk"], _arrays(5)["risk"])
    assert store.has(CONFIG)
    assert store.verify().ok


def test_truncated_npz_is_detected(store: ResultStore) -> None:
    store.save(CONFIG, _arrays())
    npz_path, _ = _files(store, CONFIG)
    npz_path.write_bytes(npz_path.read_bytes()[:100])
    _assert_rejected(store, CONFIG, npz_path, "corrupt", "checksum")


def test_swapped_npz_files_are_detected(store: ResultStore) -> None:
    other = {**CONFIG, "seed": 99}
    store.save(CONFIG, _arrays(0))
    store.save(other, _arrays(1))  # same names, shapes and dtypes: only the checksum differs
    npz_a, _ = _files(store, CONFIG)
    npz_b, _ = _files(store, other)
    a, b = npz_a.read_bytes(), npz_b.read_bytes()
    npz_a.write_bytes(b)
    npz_b.write_bytes(a)
    for config, path in [(CONFIG, npz_a), (other, npz_b)]:
        with pytest.raises(StoreCorruptionError, match="checksum"):
            store.load(config)
        assert not store.has(config)
        assert path in store.verify().paths


def test_npz_missing_behind_its_json_is_corrupt(store: ResultStore) -> None:
    store.save(CONFIG, _arrays())
    npz_path, _ = _files(store, CONFIG)
    npz_path.unlink()
    _assert_rejected(store, CONFIG, npz_path, "corrupt", "missing")


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (lambda text: text[: len(text) // 2], "not valid JSON"),
        (lambda text: "", "not valid JSON"),
        (lambda text: "\xff\xfe garbage", "not valid JSON"),
        (lambda text: "[1, 2]", "not an object"),
        (lambda text: _edit(text, lambda m: m.pop("npz_sha256")), "lacks the field 'npz_sha256'"),
        (lambda text: _edit(text, lambda m: m.pop("config")), "lacks the field 'config'"),
        (lambda text: _edit(text, lambda m: m.update(arrays=[])), "field 'arrays' is a list"),
        (lambda text: _edit(text, lambda m: m.update(npz_bytes=True)), "'npz_bytes' is a bool"),
        (lambda text: _edit(text, lambda m: m.update(npz_sha256="abc")), "malformed"),
        (
            lambda text: _edit(text, lambda m: m["arrays"]["risk"].update(shape=[4, 3])),
            "its JSON lists",
        ),
        (
            lambda text: _edit(text, lambda m: m["arrays"]["risk"].update(dtype="<f4")),
            "its JSON lists",
        ),
        (lambda text: _edit(text, lambda m: m["arrays"].pop("count")), "its JSON lists"),
        (
            lambda text: _edit(text, lambda m: m["arrays"]["risk"].update(dtype="<q8")),
            "unknown dtype",
        ),
    ],
)
def test_damaged_json_is_rejected(store: ResultStore, damage, match: str) -> None:
    store.save(CONFIG, _arrays())
    npz_path, json_path = _files(store, CONFIG)
    json_path.write_bytes(damage(json_path.read_text()).encode("latin-1"))
    path = npz_path if match == "its JSON lists" else json_path
    _assert_rejected(store, CONFIG, path, "corrupt", match)


def _edit(text: str, change) -> str:
    meta = json.loads(text)
    change(meta)
    return json.dumps(meta)


def test_json_of_another_configuration_is_foreign(store: ResultStore) -> None:
    other = {**CONFIG, "theta": 0.3}
    store.save(other, _arrays())
    npz_other, json_other = _files(store, other)
    npz_path, json_path = _files(store, CONFIG)
    # someone copies another entry under CONFIG's name
    npz_path.write_bytes(npz_other.read_bytes())
    json_path.write_bytes(json_other.read_bytes())
    json_other.unlink()
    npz_other.unlink()
    _assert_rejected(store, CONFIG, json_path, "foreign", "not its file name")

    # and with its recorded key edited to match the file name: the config still does not hash
    meta = json.loads(json_path.read_text())
    meta["key"] = store.key(CONFIG)
    json_path.write_text(json.dumps(meta))
    _assert_rejected(store, CONFIG, json_path, "foreign", "hash to")

    with pytest.warns(StoreCorruptionWarning, match=json_path.name):
        result = store.get_or_compute(CONFIG, lambda: _arrays(3))
    assert result.config == json.loads(canonical_json(CONFIG))
    assert store.verify().ok


def test_edited_configuration_is_foreign(store: ResultStore) -> None:
    store.save(CONFIG, _arrays())
    _, json_path = _files(store, CONFIG)
    meta = json.loads(json_path.read_text())
    meta["config"]["theta"] = 0.1 + 1e-12
    json_path.write_text(json.dumps(meta))
    _assert_rejected(store, CONFIG, json_path, "foreign", "hash to")


@pytest.mark.parametrize("change", [{"package_version": "9.9"}, {"store_format": 99}])
def test_edited_version_or_format_is_foreign(store: ResultStore, change: dict) -> None:
    store.save(CONFIG, _arrays())
    _, json_path = _files(store, CONFIG)
    meta = json.loads(json_path.read_text())
    meta.update(change)
    json_path.write_text(json.dumps(meta))
    _assert_rejected(store, CONFIG, json_path, "foreign", "format|hash to")


def test_npz_without_json_is_incomplete(store: ResultStore) -> None:
    store.save(CONFIG, _arrays())
    npz_path, json_path = _files(store, CONFIG)
    json_path.unlink()
    _assert_rejected(store, CONFIG, npz_path, "incomplete", "without its JSON")
    assert store.remove(CONFIG)
    assert store.verify().ok
    assert not store.remove(CONFIG)


unpickled: list[str] = []


def _canary() -> str:
    unpickled.append("unpickled!")
    return "canary"


class Canary:
    """An object whose unpickling would be recorded."""

    def __reduce__(self):
        return (_canary, ())


@pytest.mark.parametrize("declared", ["|O", "<f8"])
def test_object_arrays_in_a_file_are_refused_and_never_unpickled(
    store: ResultStore, declared: str
) -> None:
    store.save(CONFIG, {"x": np.zeros(2), "y": np.arange(2)})
    npz_path, json_path = _files(store, CONFIG)
    np.savez(npz_path, x=np.array([Canary(), 1], dtype=object), y=np.arange(2))
    # a forger who also fixes the checksum (and either admits the dtype or lies about it)
    meta = json.loads(json_path.read_text())
    meta["npz_sha256"] = hashlib.sha256(npz_path.read_bytes()).hexdigest()
    meta["npz_bytes"] = npz_path.stat().st_size
    meta["arrays"]["x"]["dtype"] = declared
    json_path.write_text(json.dumps(meta))
    path = json_path if declared == "|O" else npz_path
    _assert_rejected(store, CONFIG, path, "foreign", "object")
    with pytest.warns(StoreCorruptionWarning, match="object"):
        store.get_or_compute(CONFIG, _arrays)
    assert store.has(CONFIG)
    assert unpickled == []


def test_verify_lists_stray_files_and_skips_them_elsewhere(store: ResultStore) -> None:
    store.save(CONFIG, _arrays())
    (store.root / "notes.txt").write_text("hello")
    (store.root / "abc.json").write_text("{}")
    (store.root / "subfolder").mkdir()
    report = store.verify()
    assert report.valid == (store.key(CONFIG),)
    assert sorted(p.path.name for p in report.foreign) == ["abc.json", "notes.txt", "subfolder"]
    assert report.corrupt == report.incomplete == ()
    assert "3 problem file(s)" in str(report)
    assert [m["key"] for m in store.entries()] == [store.key(CONFIG)]
    assert store.has(CONFIG)


def test_entries_lists_only_valid_entries(store: ResultStore) -> None:
    configs = [{**CONFIG, "seed": s} for s in range(4)]
    for config in configs:
        store.save(config, _arrays())
    _flip_byte(_files(store, configs[1])[0], 40)
    _files(store, configs[2])[1].unlink()
    listed = {m["key"] for m in store.entries()}
    assert listed == {store.key(configs[0]), store.key(configs[3])}
    fields = {"config", "package_version", "created", "arrays"}
    assert all(set(m) >= fields for m in store.entries())
    report = store.verify()
    assert set(report.valid) == listed
    assert len(report.corrupt) == len(report.incomplete) == 1
    assert store.missing(configs) == [configs[1], configs[2]]


def test_remove(store: ResultStore) -> None:
    store.save(CONFIG, _arrays())
    other = {**CONFIG, "seed": 1}
    store.save(other, _arrays())
    assert store.remove(CONFIG)
    assert not store.has(CONFIG)
    assert store.has(other)
    assert not store.remove(CONFIG)
    assert len(list(store.root.iterdir())) == 2


# --------------------------------------------------------------------------------------------
# Default location


def test_default_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FATE_STORE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_root() == tmp_path / "explicit"
    assert default_store().root == tmp_path / "explicit"
    monkeypatch.delenv("FATE_STORE_DIR")
    assert default_root() == tmp_path / "xdg" / "features-are-fate" / "store"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")  # ignored, as XDG says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ".local" / "share" / "features-are-fate" / "store"
    assert default_root() == expected
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_root() == expected
    assert not expected.exists()  # nothing is created until something is saved


# --------------------------------------------------------------------------------------------
# A damaged entry is reported to the user (issue: recomputed without a word)


def test_has_names_a_damaged_file_in_a_warning(store: ResultStore) -> None:
    store.save(CONFIG, _arrays())
    npz_path, _ = _files(store, CONFIG)
    _flip_byte(npz_path, -1)
    with pytest.warns(StoreCorruptionWarning, match=npz_path.name) as caught:
        assert not store.has(CONFIG)
    assert "counts as absent" in str(caught[0].message)
    assert "store-check" in str(caught[0].message)


def test_a_sweep_names_the_damaged_entry_it_recomputes(tmp_path, monkeypatch, capsys) -> None:
    """``python -m fate_numeric sweep`` prints one ``warning:`` line naming the damaged file,
    recomputes the cell and overwrites the entry."""
    import fate_numeric.sweeps as sweeps
    from fate_numeric.__main__ import main
    from fate_numeric.experiments import Cell

    cells = [Cell("scratch", d=4, n=n, instances=2, epochs=20) for n in (3, 6)]
    monkeypatch.setitem(sweeps.SWEEPS, "scratch", lambda profile, seed: iter(cells))
    argv = ["sweep", "scratch", "--serial", "--device", "cpu", "--store", str(tmp_path / "s")]
    assert main(argv) == 0
    capsys.readouterr()
    store = ResultStore(tmp_path / "s")
    before = store.load(cells[0].config()).arrays
    npz_path, _ = _files(store, cells[0].config())
    _flip_byte(npz_path, -1)
    assert main(argv) == 0
    captured = capsys.readouterr()
    warnings_ = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    assert len(warnings_) == 1, captured.err
    assert npz_path.name in warnings_[0] and "corrupt" in warnings_[0]
    assert json.loads(captured.out)["computed"] == 1
    after = store.load(cells[0].config()).arrays
    for name, values in before.items():
        np.testing.assert_array_equal(values, after[name])


def test_store_check_command(tmp_path, capsys) -> None:
    from fate_numeric.__main__ import main

    store = ResultStore(tmp_path / "store")
    store.save(CONFIG, _arrays())
    store.save({**CONFIG, "seed": 99}, _arrays(1))
    assert main(["store-check", "--store", str(store.root)]) == 0
    assert "2 valid entries, 0 problem file(s)" in capsys.readouterr().out
    npz_path, _ = _files(store, CONFIG)
    _flip_byte(npz_path, -1)
    (store.root / "notes.txt").write_text("mine\n")
    before = sorted(p.name for p in store.root.iterdir())
    assert main(["store-check", "--store", str(store.root)]) == 1
    captured = capsys.readouterr()
    assert "1 valid entry, 2 problem file(s)" in captured.out
    assert f"corrupt: {npz_path.name}: checksum mismatch" in captured.out
    assert "foreign: notes.txt" in captured.out
    assert captured.err.count("\n") == 1 and "nothing was changed" in captured.err
    assert sorted(p.name for p in store.root.iterdir()) == before
    assert main(["store-check", "--store", str(tmp_path / "nowhere")]) == 2
    assert "there is no result store at" in capsys.readouterr().err
