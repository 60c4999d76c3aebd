"""Fixtures of the job-service tests: the classic engine at 256 px, photos, and both deployments."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from PIL import Image

from tests.conftest import image_bytes
from tests.job_service.deployments import DEPLOYMENTS, FakeClock
from tests.waiting import wait_for

#: Two ages keep each job short; tests of X-Target-Ages ask for others.
TEST_AGES = "30,70"


@pytest.fixture(autouse=True)
def _fake_aws_credentials(monkeypatch):
    """boto3 never finds real credentials here (moto intercepts every call anyway)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def classic_engine():
    from inference_container.classic import ClassicEngine

    return ClassicEngine(output_size=256)


@pytest.fixture(scope="session")
def photo(astronaut_jpeg) -> bytes:
    return astronaut_jpeg


@pytest.fixture(scope="session")
def faceless_png(faceless) -> bytes:
    return image_bytes(faceless, "PNG")


@pytest.fixture(scope="session")
def truncated_jpeg(astronaut_jpeg) -> bytes:
    """A JPEG whose header is fine but whose data stops halfway: it fails only when decoded."""
    return astronaut_jpeg[: len(astronaut_jpeg) // 2]


@pytest.fixture(scope="session")
def noise_png() -> bytes:
    rng = np.random.default_rng(0)
    return image_bytes(Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)), "PNG")


def new_id() -> str:
    return str(uuid.uuid4())


def jpeg_headers(**extra) -> dict:
    return {"Content-Type": "image/jpeg", "X-Target-Ages": TEST_AGES, **extra}


def wait_final(deployment, job_id: str, headers: dict | None = None, timeout: float = 60.0) -> dict:
    """Poll GET /jobs/{id} like the app does until the job is SUCCESS or FAILED."""

    def finished() -> dict | None:
        reply = deployment.request("GET", f"/jobs/{job_id}", headers=headers)
        assert reply.status == 200, reply.body
        document = reply.json()
        return document if document["status"] in ("SUCCESS", "FAILED") else None

    return wait_for(finished, timeout, f"job {job_id} reaching SUCCESS or FAILED")


@pytest.fixture(params=sorted(DEPLOYMENTS))
def make_deployment(request, tmp_path):
    """`make_deployment(engine, **options)` -> a running deployment of the parametrised kind, closed after."""
    made = []

    def make(engine, **options):
        options.setdefault("clock", FakeClock())
        deployment = DEPLOYMENTS[request.param](tmp_path / f"d{len(made)}", engine, **options)
        made.append(deployment)
        return deployment

    yield make
    for deployment in made:
        deployment.close()


@pytest.fixture
def deployment(make_deployment, classic_engine):
    return make_deployment(classic_engine)
