"""The visual check of Chinese characters: a confident misreading (熊 read as 能) is not a
difference; a character really changed on paper is."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from consistency.glyphs import FONT_PATH, paper_differs
from tests.synthetic.degrade import degrade


def _scanned(text: str) -> tuple[Image.Image, tuple[int, int, int, int]]:
    font = ImageFont.truetype(FONT_PATH, 44, index=0)
    image = Image.new("RGB", (400, 120), "white")
    ImageDraw.Draw(image).text((40, 30), text, font=font, fill="black")
    image.info["dpi"] = (300, 300)
    return degrade(image, "scan", seed=3), (30, 20, 40 + 44 * len(text) + 10, 90)


@pytest.mark.parametrize(
    "printed,read,electronic,differs",
    [
        ("熊颖", "能颖", "熊颖", False),
        ("蔡一", "祭一", "蔡一", False),
        ("熊强", "熊强", "熊颖", True),
        ("张铭强", "张铭强", "张铭诺", True),
        ("蔡强", "蔡强", "蔡一", True),
    ],
)
def test_region_decides_between_the_readings(printed, read, electronic, differs):
    image, box = _scanned(printed)
    assert paper_differs(image, box, read, electronic)[0] is differs
