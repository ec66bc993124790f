"""A document-camera (高拍仪) photo: find the sheet on the desk and flatten it.

``find_page`` returns the four corners of the paper when the photo shows a desk around it
(a bright quadrilateral that fills a good part, but not all, of the frame); ``flatten``
warps it to a rectangle and returns the homography back to the photo, so that boxes found on
the flat page can be placed on the photo (the text layer of the PDF is on the photo).
"""

from __future__ import annotations

import cv2
import numpy as np


def find_page(grey: np.ndarray) -> np.ndarray | None:
    h, w = grey.shape
    scale = 4
    small = cv2.resize(grey, (w // scale, h // scale), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    page = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(page) / (small.shape[0] * small.shape[1])
    if not 0.25 < area < 0.95:
        return None
    quad = cv2.approxPolyDP(page, 0.02 * cv2.arcLength(page, True), True)
    if len(quad) != 4:
        return None
    pts = quad.reshape(4, 2).astype(np.float32) * scale
    # Order: top-left, top-right, bottom-right, bottom-left.
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array(
        [pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]], np.float32
    )


def flatten(grey: np.ndarray, corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tl, tr, br, bl = corners
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    m = cv2.getPerspectiveTransform(corners, target)
    flat = cv2.warpPerspective(grey, m, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    # Even out the light (a photo is brighter in the middle): divide by the background.
    background = cv2.medianBlur(cv2.resize(flat, (width // 8, height // 8)), 31)
    background = cv2.resize(background, (width, height), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(flat, background, scale=255)
    return flat, np.linalg.inv(m)


def unwarp_box(box, inverse: np.ndarray) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    pts = np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], np.float32)
    out = cv2.perspectiveTransform(pts, inverse)[0]
    return (
        int(out[:, 0].min()),
        int(out[:, 1].min()),
        int(out[:, 0].max()),
        int(out[:, 1].max()),
    )
