"""Time the image pipeline on 12-megapixel JPEGs (4000 × 3000), as a camera or phone sends them.

Run as `.venv/bin/python bench/images.py`; not part of the test suite. Writes two sample JPEGs
to a temporary folder, then measures each in its own process, so that its peak memory is its own:
- "photo-like": gradients, detailed edges and a little sensor noise, turned by EXIF as a phone
  held upright writes it (the pipeline turns the pixels);
- "noise": pure noise, the worst case for every encoder and the largest file.
Prints, per sample: the upload's size, the median, fastest and slowest time of
`images.process_upload` (decode, orient, clean, re-encode, six renditions) over five runs, the
process's peak resident memory, and the size of each rendition. Storage is not measured.
"""

from __future__ import annotations

import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import PIL.Image
from PIL import ImageChops, ImageFilter

SIZE = (4000, 3000)
RUNS = 5


def write_samples(folder: Path) -> dict[str, Path]:
    detail = PIL.Image.effect_mandelbrot(SIZE, (-2.2, -1.2, 1.0, 1.2), 64)
    gradient = PIL.Image.linear_gradient("L").resize(SIZE)
    noise = PIL.Image.effect_noise(SIZE, 12).filter(ImageFilter.GaussianBlur(1))
    red = ImageChops.add(detail, noise, scale=1.2)
    photo = PIL.Image.merge("RGB", (red, gradient, ImageChops.multiply(detail, gradient)))
    exif = PIL.Image.Exif()
    exif[0x0112] = 6  # turned a quarter clockwise
    photo.save(folder / "photo-like.jpg", "JPEG", quality=92, exif=exif)
    worst = PIL.Image.merge("RGB", [PIL.Image.effect_noise(SIZE, 64)] * 3)
    worst.save(folder / "noise.jpg", "JPEG", quality=92)
    return {"photo-like": folder / "photo-like.jpg", "noise": folder / "noise.jpg"}


def measure(path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "embassy.settings")
    # The pipeline needs the settings (limits), never the secret: a throwaway one.
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-throwaway-secret")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    import django

    django.setup()
    from communiques import images

    data = path.read_bytes()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        processed = images.process_upload(io.BytesIO(data))
        times.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  upload {len(data) / 1e6:.1f} MB, stored {processed.width}×{processed.height} "
        f"{len(processed.original.data) / 1e6:.1f} MB; median {statistics.median(times):.2f} s "
        f"(fastest {min(times):.2f} s, slowest {max(times):.2f} s, {RUNS} runs); "
        f"peak memory {peak_mb:.0f} MB"
    )
    sizes = ", ".join(
        f"{r.format.lower()} {r.width}: {len(r.data) // 1024} KB" for r in processed.renditions
    )
    print(f"  renditions: {sizes}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, path in write_samples(Path(folder)).items():
            print(name)
            subprocess.run([sys.executable, __file__, str(path)], check=True)


if __name__ == "__main__":
    if len(sys.argv) == 2:
        measure(Path(sys.argv[1]))
    else:
        main()
