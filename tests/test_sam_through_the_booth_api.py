"""The SAM engine behind the real booth API: a photo in over HTTP, SAM frames out, `engine: sam` reported.

The parts are tested alone elsewhere; this checks that `--engine sam` in the local job service really runs our
PyTorch SAM (a small random checkpoint in the released format) and that its frames reach the client.
"""

from __future__ import annotations

import io
import uuid

import httpx
import numpy as np
import pytest
from PIL import Image

pytest.importorskip("torch")

from inference_container.sam import save_random_checkpoint  # noqa: E402
from job_service.local import start_local_server  # noqa: E402
from tests.waiting import wait_for  # noqa: E402

pytestmark = pytest.mark.slow  # each needs a real model, a moto server or a server process


@pytest.fixture(scope="module")
def small_weights(tmp_path_factory):
    path = tmp_path_factory.mktemp("weights") / "sam_ffhq_aging.pt"
    save_random_checkpoint(path, output_size=64, seed=3, small=True)
    return path


def wait_for_end(client: httpx.Client, job_id: str, timeout: float = 120.0) -> dict:
    def finished() -> dict | None:
        job = client.get(f"/jobs/{job_id}").json()
        return job if job["status"] in ("SUCCESS", "FAILED") else None

    return wait_for(finished, timeout, f"job {job_id} finishing", interval=0.2)


def test_local_service_runs_sam_and_serves_its_frames(tmp_path, small_weights, astronaut_jpeg):
    with start_local_server(engine="sam", weights=small_weights, data_dir=tmp_path, ages="30,60") as server:
        assert server.wait_ready(120)
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            health = client.get("/health").json()
            assert health["engine"] == "sam"
            job_id = str(uuid.uuid4())
            answer = client.put(
                f"/uploads/{job_id}",
                content=astronaut_jpeg,
                headers={"Content-Type": "image/jpeg", "X-Target-Ages": "10,80"},
            )
            assert answer.status_code == 202
            job = wait_for_end(client, job_id)
            assert job["status"] == "SUCCESS", job["error"]
            assert job["engine"] == "sam" and job["ages"] == [10, 80]
            assert [frame["age"] for frame in job["frames"]] == [None, 10, 80]
            frames = []
            for frame in job["frames"]:
                response = client.get(frame["url"])
                assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
                frames.append(np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB"), np.float32))
    assert all(frame.shape == (512, 512, 3) for frame in frames)  # photo layout: the whole 512 px photo
    # The two ages go through the age channel, so a random but real SAM gives two different pictures.
    assert np.abs(frames[1] - frames[2])[60:240, 130:310].mean() > 0.5  # around her face
    assert np.abs(frames[1] - frames[2])[420:].mean() < 1.0  # far from it: the photo (JPEG noise only)
