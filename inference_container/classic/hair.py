"""Find the hair (head hair, beard, moustache) around the face, and whiten or darken it by age.

The hair's colour is learnt over the temples, where hair (not a hat) almost always grows, or
across the crown when the temples show none; the backdrop's from what lies far from the head,
less anything hair-coloured there, so hair that reaches the tight crop's sides stays hair.
Candidates are the non-skin pixels round the head that look like the hair and not like the
backdrop, inside the hair's outline: walked out along rays from the head, the hair ends where the
ray leaves hair-like pixels for good, and where it never does (dark hair before dark leaves) at a
short head of hair, so a backdrop the colour of the hair is not taken for it; before such a backdrop an
end that is seen is believed only up to a big head of hair, since it may be a gap in the backdrop. Where
too little far from the head is unlike the hair to learn the backdrop (a dim group photo's dark wall, whose
crop's sides hold the neighbours), the backdrop is taken to be as like the hair as that little is. Only masses
connected to the temples and crown are kept, so flags, poles and badges near the head are left
alone, and strongly coloured pixels are never hair. A mass whose lower edge runs level from the
forehead over the temples is a hat's brim, not a hairline, and is left alone. A turned head's skull
is sized by the face's height, since its eyes close up in the picture. A bald head (skin where hair would grow) gets
no hair region, so it stays bald. A beard is what in the lower face looks like the hair, or is far
darker than the cheeks.
"""

from __future__ import annotations

import cv2
import numpy as np

from inference_container.classic.geometry import JAW, Face
from inference_container.classic.masks import below_hairline, feather, grow, polygon, touching
from inference_container.classic.silhouette import person_outline

#: The hair is found on an image about this wide: enough for a hair outline, cheap on a CPU.
SEARCH_SIZE = 192
#: The usual head (skull and hair) as an ellipse round `_head_centre`: half-axes across and up, in head sizes.
HEAD_AXES = (1.45, 1.6)
#: Rays of the hair's outline: this many directions round the top of the head, sampled at these head sizes.
RAYS, RAY_FROM, RAY_TO, RAY_STEPS = 73, 0.7, 1.9, 49
#: ... from straight up to this many degrees either side (past the ears: a turned head's back hair).
RAY_SPREAD = 130.0
#: Where a ray runs out of the picture in hair-like pixels and the backdrop looks like the hair, the hair is
#: taken to end this far (head sizes) past where it begins on the ray: a short head of hair, so a backdrop
#: the colour of the hair is never greyed as hair.
HAIR_DEPTH = 0.12
#: ... and where a ray's hair does end there, it is believed up to this far past where the hair begins.
ENDED_DEPTH = 0.3
#: The share of the backdrop that looks like the hair below which such rays are trusted to the picture's edge,
#: and above which they get HAIR_DEPTH only.
AMBIGUOUS = (0.15, 0.4)
#: Fewer backdrop pixels than this (far from the head and unlike the hair) and no backdrop colour is learnt.
BACKDROP_SAMPLES = 30
#: Light hair (median L, 0-100, fully from the second) before a backdrop that looks like it (AMBIGUOUS) is not
#: told apart from a white wall round a bald head or behind blond hair: no hair region is found, since greying
#: a wall changes nothing and un-greying it paints a brown halo round the head.
LIGHT_HAIR = (55.0, 65.0)
#: Where the backdrop looks like the hair, hair is kept within this many eye distances beside the jaw's width,
#: and within the usual head's ellipse times SHORT_HAIR_HEAD (a short head of hair, round over the top).
BESIDE_JAW = 0.22
SHORT_HAIR_HEAD = 1.1
#: The width of the side strips that tell what the backdrop is, as a fraction of the picture's width.
BORDER = 0.06
#: A dark beard is this dark, as a fraction of the cheeks' lightness: fully beard at the first, none above the
#: second (a shadow on a chin or a lit face's far side stays lighter).
DARK_BEARD = (0.55, 0.7)
#: Greyed hair keeps its strands: its fine detail (at this fraction of the picture's width) times this gain.
STRAND_SCALE, STRAND_GAIN = 0.004, 1.3
#: Hair whose own detail is under FLAT_DETAIL (L units) gets made-up strands of this strength (L units).
FLAT_DETAIL, MADE_UP_STRANDS, STRAND_SEED = 3.0, 4.0, 17
#: ... if it is darker than this (L, 0-100), fading out over the 20 below it.
DARK_HAIR = 45.0
#: Un-greying darkens what is at most this much lighter (L units) than the hair's median, or up to WHITE_HAIR.
STRAND_LIGHTER, WHITE_HAIR = 35.0, 75.0
#: Below this chroma (Lab a, b) a pixel has no hue to judge as blue or green.
HUELESS_CHROMA = 10.0
#: The share of the lower face (inside the jaw) that dark must cover to be a full beard.
FULL_BEARD = 0.3
#: Past a real end of the hair at most this fraction of a ray is hair-like; more, and the "end" was a gap in
#: a backdrop that looks like the hair.
FAR_HAIRY = 0.2
#: The hair may reach this far (eye distances) past the person's outline (`silhouette`), and fades over it.
OUTLINE_MARGIN = 0.08
#: A frontal face's eyes-to-chin height is at most about this many eye distances; a turned head's eyes
#: close up while its height and its skull's width stay, so past it the head is taken that much wider.
EYES_TO_CHIN = 2.0
#: A hat's lower edge runs level from the forehead out over the temples (a brim); a hairline turns down
#: there to the ears. Lower at both temples than over the forehead by less than this (eye distances): a hat.
BRIM_DROP = 0.5


def head_size(face: Face) -> float:
    """The head's size in pixels for placing the skull and hair: the eye distance, or on a turned
    head (whose eyes close up in the picture while the skull does not shrink) its eyes-to-chin height
    over EYES_TO_CHIN, whichever is larger."""
    eyes = (face.right_eye + face.left_eye) / 2
    height = float(np.dot(face.points[8] - eyes, face.y_axis))
    return max(face.eye_distance, height / EYES_TO_CHIN)


def _head_centre(face: Face) -> np.ndarray:
    """The centre of the usual head ellipse: a little above the eyes' midpoint."""
    return face.offset((face.right_eye + face.left_eye) / 2, 0.0, -0.35)


def _head_ellipse(shape: tuple[int, int], face: Face, scale: float) -> np.ndarray:
    """A filled ellipse covering the skull and hair, `scale` times the usual head size."""
    d = head_size(face)
    centre = _head_centre(face)
    axes = (int(HEAD_AXES[0] * d * scale), int(HEAD_AXES[1] * d * scale))
    angle = float(np.degrees(np.arctan2(face.x_axis[1], face.x_axis[0])))
    pts = cv2.ellipse2Poly((int(centre[0]), int(centre[1])), axes, int(round(angle)), 0, 360, 6)
    return polygon(shape, pts)


def seed_bands(shape: tuple[int, int], face: Face) -> tuple[np.ndarray, np.ndarray]:
    """Where hair almost always grows if there is any: over the temples and across the crown.

    Returns (both bands, the crown band alone). Both sit outside the face's skin outline, so on
    a bald head they hold skin (then rejected as skin); under a hat the crown holds the hat.
    """
    p = face.points
    brow_mid = (p[19] + p[24]) / 2
    crown = [
        face.offset(brow_mid, -0.95, -1.1),
        face.offset(brow_mid, -0.45, -1.55),
        face.offset(brow_mid, 0.45, -1.55),
        face.offset(brow_mid, 0.95, -1.1),
        face.offset(brow_mid, 0.7, -1.2),
        face.offset(brow_mid, 0.0, -1.32),
        face.offset(brow_mid, -0.7, -1.2),
    ]
    band = polygon(shape, np.array(crown))
    for top, side in ((p[0], -1), (p[16], 1)):
        quad = [
            face.offset(top, -0.06 * side, -0.7),
            face.offset(top, 0.14 * side, -0.7),
            face.offset(top, 0.16 * side, -0.25),
            face.offset(top, -0.04 * side, -0.25),
        ]
        band = np.maximum(band, polygon(shape, np.array(quad)))
    return band, polygon(shape, np.array(crown))


def hair_mask(rgb: np.ndarray, face: Face, skin_colour: np.ndarray) -> np.ndarray:
    """Soft hair mask (float32, 0-1) of head hair, beard and moustache in `rgb` (uint8).

    Works on a tight aligned crop and on a whole head alike: nothing assumes the crop's sides
    are backdrop.
    """
    h, w = rgb.shape[:2]
    factor = min(SEARCH_SIZE / max(h, w), 1.0)
    small = cv2.resize(rgb, (max(int(w * factor), 8), max(int(h * factor), 8)), interpolation=cv2.INTER_AREA)
    sface = face.scaled(factor)
    shape = small.shape[:2]
    d = sface.eye_distance
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32) - [0, 128, 128]
    skin = cv2.resize(skin_colour, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    bands, crown = (band > 0.5 for band in seed_bands(shape, sface))
    far = _head_ellipse(shape, sface, 1.6) < 0.5
    far[int(np.clip(sface.points[33][1], 1, shape[0])) :] = False  # shoulders and clothes are not backdrop
    if np.count_nonzero(bands & (skin < 0.3)) < 0.15 * max(np.count_nonzero(bands), 1):
        return np.zeros((h, w), dtype=np.float32)  # bald: where hair grows there is skin
    temples = bands & ~crown & (skin < 0.3)
    # The temples tell the hair's colour (a hat covers the crown, rarely the temples); without
    # them (backdrop or ears beside the head) the crown does.
    source = (
        temples
        if np.count_nonzero(temples) >= 0.3 * max(np.count_nonzero(bands & ~crown), 1)
        else bands & (skin < 0.3)
    )
    samples = lab[source]
    hairlike = _likeness(lab, samples)
    # The backdrop is what lies far from the head (beside it above the shoulders, the corners),
    # less anything hair-coloured there: hair reaching the crop's sides stays hair.
    backdrop_px = lab[far & (hairlike < 0.5)]
    backdrop_seen = len(backdrop_px) > BACKDROP_SAMPLES
    backdrop = _likeness(lab, backdrop_px, spread=0.3) if backdrop_seen else np.zeros(shape, np.float32)
    chin_y = int(np.clip(sface.points[JAW][:, 1].max() + 0.1 * d, 1, shape[0] - 1))
    candidate = (_head_ellipse(shape, sface, RAY_TO) > 0.5) & (skin < 0.5)
    candidate &= (hairlike > 0.35) & (backdrop < 0.6 * hairlike + 0.2)
    # How much of what lies far from the head looks like the hair: 0 for a plain wall, near 1 for dark
    # leaves behind dark hair. The less of it on either side: a turned head or big hair fills one side.
    # Judged on the picture's side strips above the nose, which a tight crop has too.
    strip = max(int(BORDER * shape[1]), 2)
    above = int(np.clip(sface.points[33][1], strip, shape[0]))
    ambiguity = min(
        float(np.mean(side > 0.5)) for side in (hairlike[:above, :strip], hairlike[:above, -strip:])
    )
    light = float(np.clip((np.median(samples[:, 0]) * (100.0 / 255.0) - LIGHT_HAIR[0])
                          / (LIGHT_HAIR[1] - LIGHT_HAIR[0]), 0.0, 1.0))
    backdrop_like = float(np.clip((ambiguity - AMBIGUOUS[0]) / (AMBIGUOUS[1] - AMBIGUOUS[0]), 0.0, 1.0))
    if light * backdrop_like > 0.5:
        return np.zeros((h, w), dtype=np.float32)  # light "hair" the colour of the wall: can't tell them apart
    if not backdrop_seen:
        # Too little far from the head looks unlike the hair to learn a backdrop from: a dim group photo's dark
        # wall behind dark hair (whose crop's sides hold the neighbours, not the wall), or a crop that is all
        # head. As much as the little seen there looks like the hair, it is bounded as before a backdrop like it.
        ambiguity = max(ambiguity, float(np.mean(hairlike[far] > 0.5)) if np.any(far) else 1.0)
    if ambiguity > AMBIGUOUS[0]:
        # Colour can't tell this backdrop from the hair (a black booth curtain behind black hair): keep
        # to the head's width, the jaw's plus a short head of hair each side, so nothing beside or in
        # front of the face (a turned head's) is taken for hair.
        across = (np.indices(shape)[::-1].transpose(1, 2, 0) - sface.center) @ sface.x_axis
        jaw = (sface.points[JAW] - sface.center) @ sface.x_axis
        candidate &= (across > jaw.min() - BESIDE_JAW * d) & (across < jaw.max() + BESIDE_JAW * d)
        candidate &= _head_ellipse(shape, sface, SHORT_HAIR_HEAD) > 0.5  # round over the top, not a box
    candidate &= _outline(shape, sface, candidate, ambiguity)
    candidate[chin_y:] = False  # clothes; long hair is cut off here
    side = max(int(0.08 * d) | 1, 3)  # opening drops thin poles, cords, frames and stray pixels
    candidate = cv2.morphologyEx(
        candidate.astype(np.uint8), cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    )
    candidate = cv2.morphologyEx(candidate, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    # Hair grows from the head; a white star on a flag doesn't.
    found = touching(candidate > 0, cv2.dilate(bands.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0)
    found = found.astype(np.float32)
    if _is_a_hat(found > 0.5, sface):
        # what was learnt as the hair is a hat: left alone, as is the hair under it
        found = np.zeros_like(found)
    # Deep shadows between locks are hair too: close small holes so they grey with the rest.
    hole = max(int(0.12 * d) | 1, 3)
    found = cv2.morphologyEx(
        found, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (hole, hole))
    )
    if np.any(found > 0):
        # Kept within the person's outline, where colour could not tell the hair's end from the backdrop.
        # Before a backdrop unlike the hair, the hair found by colour is probably the person (a turned head's
        # back hair lies outside the usual head); before one like it, only the cut can tell.
        trusted = found > 0.5 if ambiguity <= AMBIGUOUS[0] else np.zeros(shape, dtype=bool)
        person = person_outline(
            small, sface, _head_ellipse(shape, sface, 1.0), trusted, source & (hairlike > 0.5)
        )
        found *= feather(grow(person.astype(np.float32), OUTLINE_MARGIN * d), OUTLINE_MARGIN * d)
    found *= np.clip(hairlike * 1.5 + 0.5 * (found - (candidate > 0)), 0.0, 1.0)
    found *= (1.0 - skin) * (1.0 - below_hairline(shape, sface))  # head hair, not an eye or a brow beside it
    found = np.maximum(found, beard_mask(lab, sface, skin, hairlike))
    # Natural hair is never blue, green or strongly coloured: a backdrop or a flag let in by
    # mistake stays as it is. Nearly colourless pixels have no hue to judge (black curls in a cool
    # shadow read faintly blue).
    a, b = lab[..., 1], lab[..., 2]
    natural = np.clip((a + 8.0) / 4.0, 0.0, 1.0) * np.clip((b + 6.0) / 4.0, 0.0, 1.0)
    natural = np.maximum(natural, np.clip((HUELESS_CHROMA - np.hypot(a, b)) / 4.0, 0.0, 1.0))
    found *= natural * np.clip((45.0 - np.hypot(a, b)) / 10.0, 0.0, 1.0)
    soft = feather(found, max(0.05 * d, 1.0))
    return cv2.resize(soft, (w, h), interpolation=cv2.INTER_LINEAR)


def beard_mask(lab: np.ndarray, face: Face, skin: np.ndarray, hairlike: np.ndarray) -> np.ndarray:
    """Beard and moustache: the lower face's pixels that look like the head's hair, not like skin, or that
    are far darker than the cheeks (a dark beard of the skin's own hue, which the skin model lets in)."""
    p = face.points
    inner = polygon(
        lab.shape[:2],
        np.concatenate([p[2:15], [face.offset(p[35], 0.1, -0.05), face.offset(p[31], -0.1, -0.05)]]),
    )
    zone = np.maximum(
        inner, polygon(lab.shape[:2], [face.offset(q, 0.0, 0.25) for q in p[4:13]] + list(p[12:3:-1]))
    )
    lips = grow(polygon(lab.shape[:2], p[48:60]), 0.03 * face.eye_distance)
    nostrils = grow(polygon(lab.shape[:2], p[31:36]), 0.08 * face.eye_distance)
    like_hair = np.clip((hairlike - 0.4) * 2.5, 0.0, 1.0) * np.clip(1.0 - 2.0 * skin, 0.0, 1.0)
    cheeks = polygon(lab.shape[:2], p[[1, 2, 3, 31, 29, 40, 41]]) + polygon(
        lab.shape[:2], p[[15, 14, 13, 35, 29, 47, 46]]
    )
    cheek_light = float(np.median(lab[..., 0][cheeks > 0.5])) if np.any(cheeks > 0.5) else 0.0
    # Inside the jaw only: under it, and round the lips and nostrils, shadows are this dark too.
    dark = (
        np.clip(
            (DARK_BEARD[1] * cheek_light - lab[..., 0])
            / ((DARK_BEARD[1] - DARK_BEARD[0]) * cheek_light + 1e-6),
            0.0,
            1.0,
        )
        * inner
        * (1.0 - nostrils)
    )
    # ... and only when it covers much of the lower face, as a full beard does and a shadow doesn't.
    if float((dark > 0.5).sum()) < FULL_BEARD * max(float((inner > 0.5).sum()), 1.0):
        dark = np.zeros_like(dark)
    beard = zone * (1.0 - lips) * np.maximum(like_hair, dark)
    # Beards grow on both sides of the face; a shadow along one side of the jaw does not.
    beard = np.minimum(beard, np.clip(2.0 * _mirrored(beard.astype(np.float32), face), 0.0, 1.0))
    return cv2.morphologyEx(beard.astype(np.float32), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))


def _mirrored(mask: np.ndarray, face: Face) -> np.ndarray:
    """`mask` reflected across the face's midline (the line through the nose bridge along the face's up)."""
    origin = face.points[27]
    x = face.x_axis
    # reflection across the line through `origin` along the face's vertical: p' = p - 2 ((p - o) . x) x
    reflect = np.eye(2) - 2.0 * np.outer(x, x)
    affine = np.hstack([reflect, (origin - reflect @ origin)[:, None]]).astype(np.float32)
    return cv2.warpAffine(
        mask, affine, (mask.shape[1], mask.shape[0]), flags=cv2.INTER_LINEAR, borderValue=0.0
    )


def _outline(shape: tuple[int, int], face: Face, hairy: np.ndarray, ambiguity: float) -> np.ndarray:
    """Where the hair ends, walked out along rays from the head's centre over the top of the head.

    Along each ray the hair runs from where `hairy` starts to where it leaves hair-like pixels for good. A ray
    that never does (it runs out of the picture in hair-like pixels) is taken at its word, to the picture's
    edge, when the backdrop looks nothing like the hair (`ambiguity` near 0: long hair before a wall); when
    the backdrop looks like the hair (near 1: dark leaves behind dark hair) the hair is taken to end a short
    depth past where it begins on that ray. The outline is smoothed over neighbouring rays. Returns a boolean
    mask of the region inside it.
    """
    d = head_size(face)
    centre = _head_centre(face)
    up = -face.y_axis
    right = face.x_axis
    angles = np.radians(np.linspace(-RAY_SPREAD, RAY_SPREAD, RAYS))
    steps = np.linspace(RAY_FROM, RAY_TO, RAY_STEPS)
    reach = np.full(RAYS, np.nan)  # in head sizes; nan: the ray never leaves hair-like pixels
    starts = np.zeros(RAYS)  # where the hair begins on each ray (a turned head's begins far out)
    radii = 1.0 / np.hypot(np.sin(angles) / (HEAD_AXES[0] * d), np.cos(angles) / (HEAD_AXES[1] * d))
    for i, angle in enumerate(angles):
        direction = np.cos(angle) * up + np.sin(angle) * right
        points = centre + np.outer(steps * radii[i], direction)
        xs, ys = np.round(points[:, 0]).astype(int), np.round(points[:, 1]).astype(int)
        inside = (xs >= 0) & (xs < shape[1]) & (ys >= 0) & (ys < shape[0])
        along = np.zeros(len(steps), dtype=bool)
        along[inside] = hairy[ys[inside], xs[inside]]
        started = np.flatnonzero(along)
        if len(started) == 0:
            reach[i] = 0.0  # no hair on this ray at all
            continue
        starts[i] = steps[started[0]]
        after = along[started[0] :]
        # the hair stops at the first gap of two samples (one-sample gaps are strands and shadows) that
        # lies inside the picture; a ray that runs out of the picture in hair tells nothing
        gaps = np.flatnonzero(~after[:-1] & ~after[1:] & inside[started[0] :][:-1])
        if len(gaps):
            end = started[0] + gaps[0]
            beyond = along[end:][inside[end:]]
            # a real end: what lies beyond it is mostly not hair-like (patchy dark leaves come back)
            if beyond.size and beyond.mean() < FAR_HAIRY:  # nothing beyond in the picture: no end seen
                reach[i] = steps[end]
    trust = float(np.clip((AMBIGUOUS[1] - ambiguity) / (AMBIGUOUS[1] - AMBIGUOUS[0]), 0.0, 1.0))

    def believed(depth: float) -> np.ndarray:
        """How far each ray's hair may reach: `depth` past where it begins, widening with trust to RAY_TO."""
        return starts + depth + trust * (RAY_TO - starts - depth)

    # An end found in a backdrop like the hair may be only a gap in it, far past the hair: it is believed up to
    # a big head of hair past where the hair begins.
    reach = np.where(np.isnan(reach), believed(HAIR_DEPTH), np.minimum(reach, believed(ENDED_DEPTH))) * radii
    reach = np.array([np.median(reach[max(0, i - 2) : i + 3]) for i in range(RAYS)])  # no spikes between rays
    outline = [centre + r * (np.cos(a) * up + np.sin(a) * right) for a, r in zip(angles, reach, strict=True)]
    region = polygon(shape, np.array(outline + [centre]))
    return region > 0.5


def _is_a_hat(found: np.ndarray, face: Face) -> bool:
    """Whether the found head hair is a hat: its lower edge over the middle of the forehead is about as low as
    its lowest reach at both temples (a brim running level round the head), where a hairline turns down
    towards the ears. A temple without any of it tells nothing: not a hat."""
    p = face.points

    def lowest(base: np.ndarray, below: float) -> float:
        """How far down the face (eye distances from `base`) `found` reaches, searched from 1.6 above to `below`."""
        ts = np.arange(-1.6, below, 0.02)
        points = base + np.outer(ts * face.eye_distance, face.y_axis)
        xs, ys = np.round(points[:, 0]).astype(int), np.round(points[:, 1]).astype(int)
        inside = (xs >= 0) & (xs < found.shape[1]) & (ys >= 0) & (ys < found.shape[0])
        hits = ts[inside][found[ys[inside], xs[inside]]]
        return float(hits.max()) if len(hits) else np.nan

    edge = [reach for reach in (lowest(p[k], -0.05) for k in range(19, 25)) if np.isfinite(reach)]
    if not edge:
        return False  # no hair over the forehead: no brim
    forehead = float(np.median(edge))
    drops = []
    for top, brow_end, side in ((p[0], p[17], -1.0), (p[16], p[26], 1.0)):
        # the temple's column, just inside the face's outline, measured from the brows' height
        base = face.offset(top, 0.05 * side, 0.0) + np.dot(brow_end - top, face.y_axis) * face.y_axis
        drops.append(lowest(base, 1.5) - forehead)
    return bool(np.all(np.isfinite(drops)) and max(drops) < BRIM_DROP)


def _likeness(lab: np.ndarray, pixels: np.ndarray, spread: float = 1.0) -> np.ndarray:
    """How close each pixel's Lab colour is to a cloud of sample pixels (0-1), by a robust Gaussian.

    Highlights and shadows vary hair's lightness a lot (L is 0-255 here), its hue much less.
    """
    pixels = pixels.astype(np.float64)
    mean = np.median(pixels, axis=0)
    # Median and MAD: a few pixels of a hat's brim or an ear among the samples don't widen it.
    mad = 1.4826 * np.median(np.abs(pixels - mean), axis=0)
    cov = np.diag(mad**2 * 1.5 + np.array([900.0, 12.0, 12.0]) * spread)
    diff = lab.reshape(-1, 3).astype(np.float64) - mean
    distance = np.sqrt(np.einsum("ij,jk,ik->i", diff, np.linalg.inv(cov), diff)).reshape(lab.shape[:2])
    return np.clip((3.0 - distance) / 1.5, 0.0, 1.0).astype(np.float32)


def made_up_strands(shape: tuple[int, int]) -> np.ndarray:
    """A seeded field of fine, mostly vertical streaks (unit spread) for hair too flat to show its own
    strands: the same for the same shape, so a face gets the same hairs at every age."""
    if 0 in shape:
        return np.zeros(shape, dtype=np.float32)  # no hair to streak (a bald head)
    sigma = _strand_sigma(shape[1])
    noise = np.random.default_rng(STRAND_SEED).standard_normal(shape).astype(np.float32)
    noise = cv2.GaussianBlur(noise, (0, 0), sigmaX=sigma * 0.6, sigmaY=sigma * 4.0)  # strands, not sand
    return noise / (float(noise.std()) + 1e-6)


def _strand_sigma(width: int) -> float:
    """The scale of a hair strand for a picture `width` pixels wide."""
    return max(1.0, STRAND_SCALE * width)


def grey(
    lab: np.ndarray, mask: np.ndarray, amount: float, neutral: bool = False, strands: np.ndarray | None = None
) -> None:
    """Whiten the masked hair in place by `amount` (0-1), one colour change over all of it.

    White hair is light and nearly colourless; head hair keeps a faint warm cast, as real white
    hair has, while brows (`neutral`) go plain grey, never tinted. Lightness rises most in dark
    hair, so the hair's own highlights and strands stay visible. `strands`: `made_up_strands` of the
    shape of `lab`, for a caller that greys the same hair at several ages (made here when not given).
    """
    if amount <= 0 or lab.size == 0:  # nothing to grey, or no hair at all (a bald head)
        return
    g = np.clip(amount, 0.0, 1.0) * mask
    L = lab[..., 0]
    # Black (0) -> 58, mid (50) -> 80, white (90) -> 98. Brows go to a darker grey: their few hairs
    # over skin read as white already at that level, and lighter turns them to cotton.
    silver = (40.0 + 0.45 * L) if neutral else (58.0 + 0.45 * L)
    if not neutral:
        # Strands: the hair's own fine light and dark, stronger than in the dark original, so greyed
        # black hair reads as grey hair, not as a flat grey cap.
        sigma = _strand_sigma(lab.shape[1])
        detail = L - cv2.GaussianBlur(L, (0, 0), sigma)
        silver = silver + STRAND_GAIN * detail
        # Hair too dark to show strands (black hair in a soft photo) gets made-up ones: white and dark
        # hairs mixed, as greying hair is, instead of a flat grey. Seeded: the same photo, the same hairs.
        noise = made_up_strands(L.shape) if strands is None else strands
        flat = np.clip(1.0 - cv2.GaussianBlur(np.abs(detail), (0, 0), 3 * sigma) / FLAT_DETAIL, 0.0, 1.0)
        dark = np.clip((DARK_HAIR - L) / 20.0, 0.0, 1.0)  # light hair greys to light: no flat grey cap
        silver = silver + MADE_UP_STRANDS * noise * flat * dark
    lab[..., 0] = L + (np.clip(silver, 0.0, 100.0) - L) * g
    # Brows keep a little of their colour and a faint warmth: a fully colourless grey over warm skin
    # reads as blue by contrast.
    fade = 1.0 - (0.8 if neutral else 0.92) * g
    lab[..., 1] *= fade
    lab[..., 2] *= fade
    lab[..., 2] += (2.0 if neutral else 3.0) * g


def ungrey(lab: np.ndarray, mask: np.ndarray, amount: float, typical: float = 50.0) -> None:
    """Take grey out of the masked hair in place by `amount` (0-1): white and grey strands turn a
    dark brown, already dark hair barely changes (only what is light and colourless moves).
    `typical` is the hair's median lightness: strands keep their contrast around it."""
    if amount <= 0 or lab.size == 0:
        return
    L, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    chroma = np.hypot(a, b)
    greyish = np.clip((L - 30.0) / 30.0, 0.0, 1.0) * np.clip((18.0 - chroma) / 10.0, 0.0, 1.0)
    # Grey strands in dark hair are not far lighter than the hair: what is (a lamp or a bright wall the
    # mask let in at the hair's edge) is no strand and is not darkened into a dark blot.
    ceiling = max(typical + STRAND_LIGHTER, WHITE_HAIR)
    greyish *= np.clip((ceiling - L) / 10.0, 0.0, 1.0)
    w = np.clip(amount, 0.0, 1.0) * mask * greyish
    brown_L = 26.0 + 0.9 * (L - typical)  # the strands' light and dark, around a dark brown
    lab[..., 0] = L + (brown_L - L) * w
    lab[..., 1] = a + (6.0 - a) * w
    lab[..., 2] = b + (13.0 - b) * w
