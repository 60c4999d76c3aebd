"""serve-model over real HTTP: the SageMaker BYOC contract with a small random SAM checkpoint."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest

from booth_core import wire
from booth_core.ages import DEFAULT_AGES
from tests.conftest import image_bytes

pytestmark = pytest.mark.slow  # each needs a real model, a moto server or a server process

SIZE = 64
ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"


def invoke(
    url: str, body: bytes, content_type: str = "image/jpeg", ages: str | None = None
) -> httpx.Response:
    headers = {"Content-Type": content_type}
    if ages is not None:
        headers[ATTRIBUTES] = ages
    return httpx.post(f"{url}/invocations", content=body, headers=headers, timeout=120)


def strip_of(response: httpx.Response) -> np.ndarray:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == wire.CONTENT_TYPE
    return wire.decode_npy(response.content)


def test_ping_answers_200_once_loaded(server_url):
    response = httpx.get(f"{server_url}/ping", timeout=5)
    assert response.status_code == 200


def test_portrait_without_ages_uses_the_defaults(server_url, astronaut_jpeg):
    response = invoke(server_url, astronaut_jpeg)
    strip = strip_of(response)
    assert strip.shape == (SIZE, SIZE * (1 + len(DEFAULT_AGES)), 3)
    assert response.headers["X-Time-Traveler-Ages"] == ",".join(map(str, DEFAULT_AGES))
    assert response.headers["X-Time-Traveler-Engine"] == "sam"
    frames = wire.split_strip(strip)
    assert frames[0].std() > 10  # the aligned original is a real picture, not a blank


def test_png_with_ages_header(server_url, astronaut):
    response = invoke(server_url, image_bytes(astronaut, "PNG"), "image/png", "ages=10,80")
    assert strip_of(response).shape == (SIZE, SIZE * 3, 3)
    assert response.headers["X-Time-Traveler-Ages"] == "10,80"


def test_corrupt_image_is_a_4xx_bad_image(server_url, astronaut_jpeg):
    response = invoke(server_url, astronaut_jpeg[:300])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_IMAGE"


def test_faceless_image_is_a_4xx_no_face(server_url, faceless):
    response = invoke(server_url, image_bytes(faceless, "JPEG"))
    assert 400 <= response.status_code < 500
    error = response.json()["error"]
    assert error["code"] == "NO_FACE"
    assert error["message"]


def test_bad_ages_and_content_type_are_bad_requests(server_url, astronaut_jpeg):
    for ages in ("ages=10,abc", "ages=101", "ages=" + ",".join(["30"] * 13)):
        response = invoke(server_url, astronaut_jpeg, ages=ages)
        assert response.status_code == 400, ages
        assert response.json()["error"]["code"] == "BAD_REQUEST"
    response = invoke(server_url, b"hello", content_type="text/plain")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_REQUEST"


def test_oversized_body_is_too_large(server_url):
    response = invoke(server_url, b"\xff" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "TOO_LARGE"


def test_concurrent_requests_each_get_their_own_answer(server_url, astronaut_jpeg, grace_hopper):
    """Four requests in flight at once, different photos and ages; each equals its sequential answer."""
    hopper_jpeg = image_bytes(grace_hopper, "JPEG")
    cases = [
        (astronaut_jpeg, "ages=20"),
        (hopper_jpeg, "ages=30,60"),
        (astronaut_jpeg, "ages=5,45,90"),
        (hopper_jpeg, "ages=70,10,50,30"),
    ]
    expected = [strip_of(invoke(server_url, body, ages=ages)) for body, ages in cases]
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda case: invoke(server_url, case[0], ages=case[1]), cases))
    for (_, ages), response, reference in zip(cases, responses, expected, strict=True):
        strip = strip_of(response)
        n_ages = len(ages.removeprefix("ages=").split(","))
        assert strip.shape == (SIZE, SIZE * (1 + n_ages), 3)
        assert response.headers["X-Time-Traveler-Ages"] == ages.removeprefix("ages=")
        difference = np.abs(strip.astype(int) - reference.astype(int))
        assert difference.max() <= 2, f"{ages}: concurrent answer differs from the sequential one"
    # The two photos really differ, so a mixed-up answer could not pass the comparison above.
    originals = [wire.split_strip(strip)[0] for strip in expected[:2]]
    assert np.abs(originals[0].astype(int) - originals[1].astype(int)).mean() > 10


def test_photo_layout_answers_the_whole_photo_with_its_faces(server_url, grace_hopper):
    """`layout=photo` in CustomAttributes: frames are the photo (512x600 here), faces in a header."""
    import json

    from job_service.frames import strip_to_jpegs

    response = invoke(server_url, image_bytes(grace_hopper, "JPEG"), ages="ages=20,60,layout=photo")
    strip = strip_of(response)
    assert strip.shape == (600, 512 * 3, 3)
    assert response.headers["X-Time-Traveler-Frame-Size"] == "512x600"
    faces = json.loads(response.headers["X-Time-Traveler-Faces"])
    assert len(faces) == 1 and 150 < faces[0]["box"][0] < 250
    jpegs = strip_to_jpegs(response.content, 3)  # the job service's splitter: photo-sized frames
    import io

    from PIL import Image

    assert [Image.open(io.BytesIO(j)).size for j in jpegs] == [(512, 600)] * 3
    same = invoke(server_url, image_bytes(grace_hopper, "JPEG"), ages="ages=20,60;layout=photo")
    assert strip_of(same).shape == strip.shape


def test_the_default_stays_the_seed_aligned_strip(server_url, grace_hopper):
    response = invoke(server_url, image_bytes(grace_hopper, "JPEG"), ages="ages=20")
    assert strip_of(response).shape == (SIZE, SIZE * 2, 3)
    assert response.headers["X-Time-Traveler-Frame-Size"] == f"{SIZE}x{SIZE}"
    bad = invoke(server_url, image_bytes(grace_hopper, "JPEG"), ages="ages=20,layout=poster")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "BAD_REQUEST"


def test_the_attendees_answer_is_checked_and_taken(server_url, grace_hopper):
    """`sitter=` in CustomAttributes (booth_core.sitter): a known answer is taken (SAM needs no judgement of
    the sitter's age, so its frames are as asked), anything else is refused before the photo is aged."""
    told = invoke(server_url, image_bytes(grace_hopper, "JPEG"), ages="ages=20;sitter=senior")
    assert told.status_code == 200 and strip_of(told).shape == (SIZE, SIZE * 2, 3)
    bad = invoke(server_url, image_bytes(grace_hopper, "JPEG"), ages="ages=20;sitter=toddler")
    assert bad.status_code == 400 and "sitter" in bad.json()["error"]["message"]
