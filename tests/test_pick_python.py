"""tools/pick_python.sh: which Python `make install` uses, and the one line it prints in each case.

Fake interpreters (shell scripts that print a version) on an otherwise empty PATH, so the tests do not
depend on the Pythons installed on the machine."""
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "pick_python.sh"


def fake_python(path: Path, version: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho {version}\n")
    path.chmod(0o755)


def pick(tmp_path, pythons, python="", venv_version=None):
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    for name, version in pythons.items():
        fake_python(bindir / name, version)
    venv = tmp_path / "venv"
    if venv_version:
        fake_python(venv / "bin" / "python", venv_version)
    r = subprocess.run(["/bin/sh", str(SCRIPT), str(venv)], capture_output=True, text=True,
                       env={"PATH": str(bindir), "PYTHON": python})
    return r.returncode, r.stdout.strip(), r.stderr.strip()


def test_prefers_the_recorded_version(tmp_path):
    rc, out, err = pick(tmp_path, {"python3": "3.13.0", "python3.12": "3.12.1", "python3.11": "3.11.7"})
    assert (rc, out) == (0, "python3.11")
    assert err.endswith("with python3.11 (Python 3.11.7)")


@pytest.mark.parametrize("name, version", [("python3.12", "3.12.1"), ("python3", "3.13.0")])
def test_takes_another_supported_version(tmp_path, name, version):
    rc, out, err = pick(tmp_path, {name: version})
    assert (rc, out) == (0, name)
    assert f"(Python {version}); the stored outputs were recorded with 3.11" in err


def test_no_supported_python(tmp_path):
    rc, out, err = pick(tmp_path, {"python3": "3.10.13"})
    assert (rc, out) == (1, "")
    assert err.startswith("make: no supported Python found")
    assert "python3 is 3.10.13" in err and "needs Python 3.11, 3.12 or 3.13" in err
    assert "\n" not in err


@pytest.mark.parametrize("python, message", [("python3.10", "is Python 3.10.13; this project needs"),
                                             ("python3.14", "not found or does not run")])
def test_explicit_python_must_be_supported(tmp_path, python, message):
    rc, out, err = pick(tmp_path, {"python3.10": "3.10.13", "python3.11": "3.11.7"}, python=python)
    assert (rc, out) == (1, "")
    assert message in err and "\n" not in err


def test_explicit_python_wins(tmp_path):
    rc, out, err = pick(tmp_path, {"python3.11": "3.11.7", "python3.13": "3.13.0"}, python="python3.13")
    assert (rc, out) == (0, "python3.13")


def test_existing_venv_keeps_its_python(tmp_path):
    rc, out, err = pick(tmp_path, {"python3.11": "3.11.7"}, venv_version="3.12.1")
    assert (rc, out) == (0, str(tmp_path / "venv" / "bin" / "python"))
    assert err.endswith("(Python 3.12.1)")


def test_existing_venv_is_not_reused_by_another_python(tmp_path):
    rc, out, err = pick(tmp_path, {"python3.13": "3.13.0"}, python="python3.13", venv_version="3.12.1")
    assert (rc, out) == (1, "")
    assert "was built with Python 3.12.1, not 3.13.0" in err and "make test-python PY=python3.13" in err
