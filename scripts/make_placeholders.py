"""Generate honest placeholder images for the seed post's gallery.

The original AI-generated images are not available, so each file says so plainly:
"PLACEHOLDER", its own file name and "original image not available".  The output is
deterministic (no timestamps or metadata) and small (palette PNGs, JPEG quality 70).

    python scripts/make_placeholders.py [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "content" / "posts" / "the-rise-of-ai-generated-images" / "gallery"

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)

# name, size, soft background colour (distinct per image)
IMAGES: tuple[tuple[str, tuple[int, int], tuple[int, int, int]], ...] = (
    ("dreamstudio1.png", (1024, 576), (214, 232, 250)),
    ("dreamstudio2.png", (1024, 576), (222, 244, 222)),
    ("dreamstudio3.png", (1024, 576), (250, 230, 206)),
    ("dreamstudio4.png", (1024, 576), (236, 224, 248)),
    ("bing-Dall-E1.jpg", (1024, 576), (250, 218, 226)),
    ("bing-Dall-E2.jpg", (1024, 576), (208, 240, 238)),
    ("bing-Dall-E3.jpg", (1024, 576), (246, 242, 204)),
    ("bing-Dall-E4.jpg", (1024, 576), (226, 230, 238)),
    ("midjourney.png", (1200, 675), (240, 226, 214)),
)

INK = (40, 44, 52)


def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for directory in FONT_DIRS:
        candidate = directory / name
        if candidate.is_file():
            return ImageFont.truetype(str(candidate), size)
    return ImageFont.load_default(size=size)


def _fitted(draw: ImageDraw.ImageDraw, text: str, bold: bool, size: int, max_width: int):
    """The largest font not above ``size`` whose rendering of ``text`` fits."""
    while size > 10:
        font = _font(bold, size)
        left, _, right, _ = draw.textbbox((0, 0), text, font=font)
        if right - left <= max_width:
            return font
        size -= 4
    return _font(bold, size)


def _darker(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    r, g, b = colour
    return int(r * factor), int(g * factor), int(b * factor)


def render(name: str, size: tuple[int, int], background: tuple[int, int, int]) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    frame = _darker(background, 0.78)
    margin = width // 40
    draw.rectangle(
        (margin, margin, width - margin - 1, height - margin - 1),
        outline=frame,
        width=max(4, width // 160),
    )
    # a simple "picture" glyph: a mountain and a sun, to read as "image goes here"
    cx, top = width // 2, int(height * 0.12)
    glyph_w, glyph_h = width // 7, height // 7
    draw.polygon(
        [
            (cx - glyph_w // 2, top + glyph_h),
            (cx - glyph_w // 8, top + glyph_h // 3),
            (cx + glyph_w // 6, top + glyph_h * 2 // 3),
            (cx + glyph_w // 3, top + glyph_h // 2),
            (cx + glyph_w // 2, top + glyph_h),
        ],
        fill=frame,
    )
    sun = glyph_h // 6
    draw.ellipse(
        (cx + glyph_w // 4 - sun, top - sun // 2, cx + glyph_w // 4 + sun, top + sun * 3 // 2),
        fill=frame,
    )

    usable = int(width * 0.84)
    lines = (
        ("PLACEHOLDER", True, height // 5, 0.47),
        (name, False, height // 10, 0.67),
        ("original image not available", False, height // 14, 0.79),
    )
    for text, bold, font_size, y_fraction in lines:
        font = _fitted(draw, text, bold, font_size, usable)
        draw.text((width / 2, height * y_fraction), text, fill=INK, font=font, anchor="mm")
    return image


def save(image: Image.Image, path: Path) -> None:
    if path.suffix.lower() == ".png":
        image.quantize(colors=16, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            path, format="PNG", optimize=True
        )
    else:
        image.save(path, format="JPEG", quality=70, optimize=True, progressive=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, size, background in IMAGES:
        path = args.out / name
        save(render(name, size, background), path)
        total += path.stat().st_size
        print(f"{path}  {size[0]}x{size[1]}  {path.stat().st_size // 1024} KB")
    print(f"total {total // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
