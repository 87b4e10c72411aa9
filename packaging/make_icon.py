"""Draw the desktop edition's icon (packaging/jobsmgmt.ico for Windows, .icns for macOS, .png)
with Pillow.

Run once when the design changes (``pip install pillow; python packaging/make_icon.py``); the
small output files are committed, so building the bundle does not need Pillow.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZE = 256


def draw() -> Image.Image:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((8, 8, SIZE - 8, SIZE - 8), radius=48, fill=(13, 110, 253, 255))
    # A briefcase: handle, body, clasp.
    pen.rounded_rectangle((92, 52, 164, 100), radius=14, outline=(255, 255, 255, 255), width=14)
    pen.rounded_rectangle((44, 84, 212, 204), radius=20, fill=(255, 255, 255, 255))
    pen.rectangle((44, 132, 212, 142), fill=(13, 110, 253, 255))
    pen.rounded_rectangle((112, 120, 144, 154), radius=6, fill=(255, 193, 7, 255))
    return image


def main() -> None:
    image = draw()
    image.save(HERE / "jobsmgmt.png", optimize=True)
    image.save(HERE / "jobsmgmt.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (256, 256)])
    image.save(HERE / "jobsmgmt.icns")


if __name__ == "__main__":
    main()
