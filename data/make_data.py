"""Draw the small image data set used by the notebooks (run by `make data`).

    .venv/bin/python data/make_data.py            # (re)writes data/shapes, data/shapes_flat, data/shapes_corrupt
    .venv/bin/python data/make_data.py --out DIR  # same files under DIR (used by tests/test_data.py)

Everything is drawn with PIL from fixed seeds, so every run writes the same bytes:
3 classes (circle, square, triangle) x 12 images of 64x64 RGB, with random position, size,
colour and background noise. Three layouts:

    shapes/<class>/<class>_NN.png    ImageFolder layout (the folder name is the label)
    shapes_flat/<class>.NN.png       label in the file name (like the notes' dog.1.jpg / cat.2.jpg)
    shapes_corrupt/<class>.NN.png    3 images per class, flat layout; the last one in sorted order
                                     (triangle.02.png) is truncated to its first 100 bytes, to practise handling unreadable samples

The three output folders are deleted and recreated on every run; nothing else in DIR is touched.
"""
import argparse
import random
import shutil
from pathlib import Path

from PIL import Image, ImageDraw

CLASSES = ("circle", "square", "triangle")
PER_CLASS = 12
SIZE = 64
CORRUPT_PER_CLASS = 3  # images per class copied into shapes_corrupt/
CORRUPT_FILE = "triangle.02.png"  # the one truncated file: the last of the 9 in sorted order
CORRUPT_BYTES = 100  # it keeps only its first 100 bytes (PNG header + part of the image data)
FOLDERS = ("shapes", "shapes_flat", "shapes_corrupt")


def draw(cls: str, index: int) -> Image.Image:
    """One 64x64 RGB image of the given class; the same (cls, index) always gives the same pixels."""
    rng = random.Random(f"{cls}-{index}")  # str seeds are hashed with sha512: stable across runs/versions
    # Background: a light grey-ish base colour plus per-pixel noise.
    base = [rng.randint(150, 230) for _ in range(3)]
    noise = bytes(
        max(0, min(255, base[c] + rng.randint(-25, 25))) for _ in range(SIZE * SIZE) for c in range(3)
    )
    img = Image.frombytes("RGB", (SIZE, SIZE), noise)
    d = ImageDraw.Draw(img)
    # A dark-ish saturated fill colour so the shape stands out from the background.
    bright = rng.randrange(3)  # one bright channel, the other two dark
    fill = tuple(rng.randint(150, 255) if c == bright else rng.randint(0, 90) for c in range(3))
    r = rng.randint(12, 24)  # half-size of the shape
    cx = rng.randint(r + 2, SIZE - r - 3)
    cy = rng.randint(r + 2, SIZE - r - 3)
    if cls == "circle":
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
    elif cls == "square":
        d.rectangle([cx - r, cy - r, cx + r, cy + r], fill=fill)
    elif cls == "triangle":
        d.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=fill)
    else:
        raise ValueError(f"unknown class {cls!r}")
    return img


def save_png(img: Image.Image, path: Path) -> None:
    # Plain PNG: PIL writes no timestamp or text chunks unless asked (pnginfo=...), so the bytes are reproducible.
    img.save(path, format="PNG", optimize=False)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in FOLDERS:
        shutil.rmtree(out / name, ignore_errors=True)
    (out / "shapes_flat").mkdir()
    (out / "shapes_corrupt").mkdir()
    for cls in CLASSES:
        (out / "shapes" / cls).mkdir(parents=True)
        for i in range(PER_CLASS):
            img = draw(cls, i)
            save_png(img, out / "shapes" / cls / f"{cls}_{i:02d}.png")
            save_png(img, out / "shapes_flat" / f"{cls}.{i:02d}.png")
            if i < CORRUPT_PER_CLASS:
                save_png(img, out / "shapes_corrupt" / f"{cls}.{i:02d}.png")
    bad = out / "shapes_corrupt" / CORRUPT_FILE
    bad.write_bytes(bad.read_bytes()[:CORRUPT_BYTES])
    n = sum(1 for name in FOLDERS for p in (out / name).rglob("*") if p.is_file())
    print(f"wrote {n} files into {', '.join(FOLDERS)} ({len(CLASSES)} classes x {PER_CLASS} images)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="output directory (default: the data/ folder this script is in)")
    main(parser.parse_args().out)
