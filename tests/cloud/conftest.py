"""A real moto server on a loopback port, reached over HTTP by `python -m cloud_setup --endpoint-url`."""

from __future__ import annotations

import os

import boto3
import pytest

REGION = "eu-west-1"
IMAGE_URI = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/time-traveler-model:test"
MODEL_DATA_URL = "s3://tt-model-artifacts/sam/model.tar.gz"
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


@pytest.fixture(scope="package")
def aws_env():
    """Dummy credentials only: nothing here may reach real AWS."""
    saved = {key: os.environ.get(key) for key in [*DUMMY_CREDENTIALS, "AWS_PROFILE"]}
    os.environ.update(DUMMY_CREDENTIALS)
    os.environ.pop("AWS_PROFILE", None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="package")
def moto_url(aws_env):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server._server.server_address
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="package")
def aws(moto_url):
    """client(service) against the moto server."""

    def client(service: str):
        return boto3.client(service, region_name=REGION, endpoint_url=moto_url)

    return client
