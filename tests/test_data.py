"""data/ is exactly what data/make_data.py draws: regenerate it into a temporary directory and compare bytes."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FOLDERS = ("shapes", "shapes_flat", "shapes_corrupt")


def files(base: Path) -> dict:
    return {p.relative_to(base).as_posix(): p.read_bytes()
            for name in FOLDERS for p in sorted((base / name).rglob("*")) if p.is_file()}


def test_make_data_reproduces_committed_files(tmp_path):
    # Run from an unrelated cwd: the script must not depend on where it is started.
    subprocess.run([sys.executable, str(DATA / "make_data.py"), "--out", str(tmp_path)],
                   cwd=tmp_path, check=True, capture_output=True)
    made, committed = files(tmp_path), files(DATA)
    assert sorted(made) == sorted(committed), "the set of files differs: run `make data`"
    different = [name for name in made if made[name] != committed[name]]
    assert not different, f"files differ from the committed ones (run `make data`): {different[:5]}"


def test_make_data_is_deterministic(tmp_path):
    # Two fresh runs must write the same bytes, independently of what is committed.
    for name in ("a", "b"):
        subprocess.run([sys.executable, str(DATA / "make_data.py"), "--out", str(tmp_path / name)],
                       cwd=tmp_path, check=True, capture_output=True)
    first, second = files(tmp_path / "a"), files(tmp_path / "b")
    assert first and first == second, "two runs of data/make_data.py wrote different bytes"


def test_data_set_shape():
    committed = files(DATA)
    assert len([n for n in committed if n.startswith("shapes/")]) == 36
    assert len([n for n in committed if n.startswith("shapes_flat/")]) == 36
    assert len([n for n in committed if n.startswith("shapes_corrupt/")]) == 9
    assert sum(len(b) for b in committed.values()) < 2_000_000


def test_exactly_one_corrupt_file():
    from PIL import Image

    bad = []
    for p in sorted((DATA / "shapes_corrupt").glob("*.png")):
        try:
            with Image.open(p) as img:
                img.load()
        except OSError:
            bad.append(p.name)
    assert bad == ["triangle.02.png"]
