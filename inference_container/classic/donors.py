"""The donor faces whose real skin detail the classic engine gives an older sitter.

Each donor is a public-domain portrait of an older person, shipped in donor_faces/ beside this file as
its aligned luminance (512 px) with its 68 landmarks and the zones where its skin is clean (a
donor with glasses gives nothing around the eyes, one with a moustache nothing over the lip).
`python -m inference_container.classic.donors SOURCE NAME ...` rebuilds one from a photo.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from inference_container.classic.geometry import Face
from inference_container.classic.masks import face_outline, feather, polygon

DONOR_DIR = Path(__file__).resolve().parent / "donor_faces"
#: Aligned size the donors are stored at.
DONOR_SIZE = 512
#: Zones a donor can be missing, as landmark polygons grown by eye distances.
ZONES = {
    "eyes": (list(range(17, 27)) + list(range(36, 48)), 0.5),
    "upper_lip": ([31, 32, 33, 34, 35, 54, 48], 0.12),
}


@dataclass(frozen=True)
class Donor:
    name: str
    luminance: np.ndarray  # (S, S) uint8, the aligned donor face
    face: Face
    valid: np.ndarray  # (S, S) float32 0-1: where its skin detail may be used

    @property
    def shape_signature(self) -> np.ndarray:
        return normalised_shape(self.face)


def normalised_shape(face: Face) -> np.ndarray:
    """Landmarks with the eyes' midpoint at 0 and unit eye distance along the face's axes: (68, 2)."""
    mid = (face.right_eye + face.left_eye) / 2
    rel = face.points - mid
    return np.stack([rel @ face.x_axis, rel @ face.y_axis], axis=1) / face.eye_distance


def _valid_mask(shape: tuple[int, int], face: Face, missing: list[str]) -> np.ndarray:
    valid = feather(polygon(shape, face_outline(face, 0.9)), 0.05 * face.eye_distance)
    for zone in missing:
        if zone == "forehead":  # under a hat's brim: everything above the brows
            above = np.clip(
                polygon(shape, face_outline(face, 1.2)) - polygon(shape, face_outline(face, 0.02)), 0, 1
            )
            valid *= 1.0 - feather(above, 0.06 * face.eye_distance)
            continue
        indices, grow = ZONES[zone]
        pts = face.points[indices]
        hull = cv2.convexHull(pts.astype(np.float32)).reshape(-1, 2)
        centre = hull.mean(axis=0)
        hull = centre + (hull - centre) * (
            1.0
            + grow * face.eye_distance / np.maximum(np.linalg.norm(hull - centre, axis=1, keepdims=True), 1.0)
        )
        valid *= 1.0 - feather(polygon(shape, hull), 0.06 * face.eye_distance)
    return valid.astype(np.float32)


@lru_cache(maxsize=1)
def load_donors(directory: Path = DONOR_DIR) -> tuple[Donor, ...]:
    """Every donor in `directory` (read once per process)."""
    index = json.loads((directory / "donors.json").read_text())
    donors = []
    for entry in index["donors"]:
        lum = np.asarray(Image.open(directory / entry["image"]).convert("L"), dtype=np.uint8)
        face = Face(np.asarray(entry["landmarks"], dtype=np.float64))
        donors.append(Donor(entry["name"], lum, face, _valid_mask(lum.shape, face, entry.get("missing", []))))
    return tuple(donors)


def donor_weights(face: Face, donors: tuple[Donor, ...]) -> list[float]:
    """How much of each donor a sitter gets: the nearer its face shape, the more.

    A donor whose shape is the sitter's own (the donor's own photo) gives nothing: its
    creases are already there.
    """
    mine = normalised_shape(face)
    weights = []
    for donor in donors:
        distance = float(np.sqrt(((donor.shape_signature - mine) ** 2).sum(axis=1).mean()))
        weights.append(0.0 if distance < 0.02 else float(np.exp(-((distance / 0.12) ** 2)) + 0.15))
    return weights


def build_donor(photo: Image.Image, name: str, missing: list[str], directory: Path = DONOR_DIR) -> dict:
    """Align `photo`, store its luminance as NAME.png in `directory`, return its index entry."""
    from inference_container.align import align_face_with_landmarks

    aligned, landmarks = align_face_with_landmarks(photo, DONOR_SIZE)
    grey = aligned.convert("L")
    directory.mkdir(parents=True, exist_ok=True)
    grey.save(directory / f"{name}.png", optimize=True)
    return {
        "name": name,
        "image": f"{name}.png",
        "landmarks": np.round(landmarks, 2).tolist(),
        "missing": missing,
    }


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Rebuild one donor of the classic engine from a photo.")
    parser.add_argument("source", help="photo path")
    parser.add_argument("name")
    parser.add_argument(
        "--missing", default="", help="comma-separated zones without clean skin: eyes, upper_lip, forehead"
    )
    parser.add_argument("--credit", required=True, help="where the photo comes from and its licence")
    args = parser.parse_args(argv)
    path = DONOR_DIR / "donors.json"
    index = json.loads(path.read_text()) if path.exists() else {"donors": []}
    entry = build_donor(Image.open(args.source), args.name, [z for z in args.missing.split(",") if z])
    entry["credit"] = args.credit
    index["donors"] = [d for d in index["donors"] if d["name"] != args.name] + [entry]
    path.write_text(json.dumps(index, indent=1) + "\n")
    print(f"wrote {args.name} to {DONOR_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
