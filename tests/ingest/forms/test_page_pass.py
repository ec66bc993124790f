"""The page pass: Tesseract on the text outside the tables with the blank paper squeezed out;
the words' boxes must come back to where the text is on the page."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ingest.formocr.recognise import recognise
from tests.ingest.forms.conftest import needs_tesseract

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
LINES = (
    (300, 200, "居民家庭经济状况核对报告"),
    (900, 1700, "核对结果家庭人均收入一千二百元"),
    (400, 3100, "经办人签字张伟"),
)


@needs_tesseract
def test_lines_far_apart_are_read_where_they_are():
    img = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 50)
    for x, y, text in LINES:
        draw.text((x, y), text, font=font, fill=0)
    page = np.asarray(img)
    result = recognise(page, 300)
    assert not result.cells
    assert [line.text for line in result.lines] == [text for _, _, text in LINES]
    for line, (x, y, _) in zip(result.lines, LINES, strict=True):
        x0, y0, x1, y1 = line.box
        assert abs(x0 - x) < 15 and y0 - 30 < y + 10 < y1 < y + 90
        for word in line.words:
            a, b, c, d = word.box
            # Each word's box holds ink on the page (not blank paper beside it).
            assert (page[b:d, a:c] < 128).mean() > 0.05
