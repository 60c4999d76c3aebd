"""The Lambda zip, and the job service's handlers run from it against a deployed stack.

moto stores Lambda code but cannot run it without Docker, so the handlers are run here directly:
unpacked from the same zip deploy uploaded, in a fresh Python process, with the environment
the template gave the functions, against the moto server. The photo is scikit-image's astronaut.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import sysconfig
import textwrap
import zipfile

import numpy as np
import pytest

from booth_core import wire
from cloud_setup import lambda_zip

from .conftest import DUMMY_CREDENTIALS, IMAGE_URI, MODEL_DATA_URL, REGION
from .helpers import cloud

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Tried to parse")]  # a moto server each
SMALL_JOB = "3f0c5a3e-7a43-4d0e-9a49-5b2d3c1e0f11"
LARGE_JOB = "8d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"


def test_zip_is_deterministic_and_holds_whole_packages():
    first = lambda_zip.build_zip(lambda_zip.source_paths())
    assert first == lambda_zip.build_zip(lambda_zip.source_paths())
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert "job_service/aws/handlers.py" in names and "job_service/aws/functions.py" in names
    assert "booth_core/wire.py" in names
    assert not any(
        name.startswith(("inference_container/sam/", "photobooth/", "cloud_setup/", "tests/"))
        for name in names
    )
    assert not any("__pycache__" in name for name in names)


def _api_event(method: str, path: str, body: bytes = b"", headers: dict | None = None) -> dict:
    return {
        "httpMethod": method,
        "path": path,
        "headers": {"Host": "abc123.execute-api.eu-west-1.amazonaws.com", **(headers or {})},
        "requestContext": {"stage": "v1"},
        "body": base64.b64encode(body).decode() if body else None,
        "isBase64Encoded": bool(body),
    }


def _s3_event(bucket: str, key: str) -> dict:
    return {
        "Records": [
            {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": bucket}, "object": {"key": key}}}
        ]
    }


SCRIPT = """
import sys
# The zip first, then third-party packages only: -S keeps the repo's editable install from masking a gap.
sys.path[:] = [UNPACKED] + [p for p in sys.path if "site-packages" not in p] + [SITE_PACKAGES]
import json, pathlib, boto3, requests
from job_service.aws import handlers
assert pathlib.Path(handlers.__file__).resolve().is_relative_to(pathlib.Path(UNPACKED).resolve())
events = json.loads(pathlib.Path("events.json").read_text())
out = {name: handlers.api_handler(events[name]) for name in ("health", "upload", "presign")}
# The booth sends the large photo straight to S3 with the presigned form; S3 then fires the upload event.
form = json.loads(out["presign"]["body"])["upload"]
sent = requests.post(form["url"], data=form["fields"], files={form["file_field"]: pathlib.Path("photo.jpg").read_bytes()})
out["posted"] = sent.status_code
out["started"] = [handlers.upload_handler(events["s3_small"]), handlers.upload_handler(events["s3_large"])]
s3 = boto3.client("s3")
s3.put_object(Bucket=FRAMES, Key=OUTPUT_KEY, Body=pathlib.Path("strip.npy").read_bytes())
out["completion"] = handlers.completion_handler(events["completion"])
out["job"] = handlers.api_handler(events["job"])
# A phone opens the take-home link: the public route's handler, no API key.
share_path = json.loads(out["job"]["body"])["share"]["url"].split("/v1", 1)[1]
out["share"] = handlers.share_handler(dict(events["job"], path=share_path))
out["output_left"] = s3.list_objects_v2(Bucket=FRAMES, Prefix="async-output/").get("KeyCount", 0)
print(json.dumps(out))
"""


def test_handlers_from_the_zip_work_with_the_deployed_stack(moto_url, aws, tmp_path, astronaut_jpeg):
    stack = "tt-lambda"
    code, _, output = cloud("deploy", stack, moto_url, "--image-uri", IMAGE_URI, "--model-data-url", MODEL_DATA_URL,
                            "--booth-config", str(tmp_path / "booth.toml"))  # fmt: skip
    assert code == 0, output
    package = lambda_zip.build_zip(lambda_zip.source_paths())
    function = aws("lambda").get_function_configuration(FunctionName=f"{stack}-api")
    assert function["CodeSha256"] == lambda_zip.code_sha256(package)  # deploy uploaded exactly this zip
    unpacked = tmp_path / "lambda"
    zipfile.ZipFile(io.BytesIO(package)).extractall(unpacked)

    photos, frames = f"{stack}-photos-123456789012-{REGION}", f"{stack}-frames-123456789012-{REGION}"
    strip = wire.join_frames([np.full((64, 64, 3), 40 * i, np.uint8) for i in range(3)])
    output_key = "async-output/abc.out"
    notification = {
        "invocationStatus": "Completed",
        "inferenceId": SMALL_JOB,
        "requestParameters": {"inputLocation": f"s3://{photos}/uploads/{SMALL_JOB}"},
        "responseParameters": {"outputLocation": f"s3://{frames}/{output_key}"},
    }
    photo_headers = {"Content-Type": "image/jpeg", "X-Target-Ages": "20,70"}
    events = {
        "health": _api_event("GET", "/health"),
        "upload": _api_event("PUT", f"/uploads/{SMALL_JOB}", astronaut_jpeg, photo_headers),
        "presign": _api_event("POST", f"/uploads/{LARGE_JOB}/presign", b"", photo_headers),
        "s3_small": _s3_event(photos, f"uploads/{SMALL_JOB}"),
        "s3_large": _s3_event(photos, f"uploads/{LARGE_JOB}"),
        "job": _api_event("GET", f"/jobs/{SMALL_JOB}"),
        "completion": {"Records": [{"Sns": {"Message": json.dumps(notification)}}]},
    }
    (tmp_path / "events.json").write_text(json.dumps(events))
    (tmp_path / "strip.npy").write_bytes(wire.encode_npy(strip))
    (tmp_path / "photo.jpg").write_bytes(astronaut_jpeg)
    site_packages = sysconfig.get_paths()["purelib"]
    script = (
        f"UNPACKED, FRAMES, OUTPUT_KEY, SITE_PACKAGES = {str(unpacked)!r}, {frames!r}, {output_key!r}, {site_packages!r}\n"
        + textwrap.dedent(SCRIPT)
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "TT_", "TIME_TRAVELER_"))
    }
    env.update(DUMMY_CREDENTIALS, **function["Environment"]["Variables"])
    env.update(AWS_REGION=REGION, AWS_ENDPOINT_URL=moto_url, PYTHONPATH=str(unpacked))
    done = subprocess.run(
        [sys.executable, "-S", "-c", script],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])

    health = json.loads(out["health"]["body"])
    assert out["health"]["statusCode"] == 200 and health["max_put_bytes"] == 4 * 1024 * 1024
    assert out["upload"]["statusCode"] == 202, out["upload"]
    presigned = json.loads(out["presign"]["body"])
    assert out["presign"]["statusCode"] == 202 and presigned["status"] == "QUEUED"
    assert presigned["upload"]["max_bytes"] == 10 * 1024 * 1024 and presigned["upload"]["expires_in"] == 120
    assert presigned["upload"]["fields"]["Content-Type"] == "image/jpeg"
    assert out["posted"] == 204
    assert out["started"] == [{"started": 1}, {"started": 1}]  # both photos, one job logic
    assert out["completion"] == {"updated": 1}
    job = json.loads(out["job"]["body"])
    assert job["status"] == "SUCCESS" and [frame["age"] for frame in job["frames"]] == [None, 20, 70]
    assert out["output_left"] == 0  # SageMaker's full-size strip is gone once the frames are stored
    stored = aws("s3").list_objects_v2(Bucket=frames, Prefix=f"results/{SMALL_JOB}/").get("Contents", [])
    frame_keys = [f"results/{SMALL_JOB}/{i}.jpg" for i in range(3)]
    share_keys = [f"results/{SMALL_JOB}/share/{name}" for name in ("animation.gif", "index.html", "token")]
    keys = {o["Key"] for o in stored}
    assert (
        set(frame_keys + share_keys)
        <= keys
        <= set(frame_keys + share_keys + [f"results/{SMALL_JOB}/share/animation.mp4"])
    )
    api_base = f"https://abc123.execute-api.{REGION}.amazonaws.com/v1"
    assert job["share"]["url"].startswith(f"{api_base}/share/{SMALL_JOB}/")  # the public share route
    assert out["share"]["statusCode"] == 302
    assert f"/results/{SMALL_JOB}/share/index.html?" in out["share"]["headers"]["Location"]
    large = aws("dynamodb").get_item(TableName=f"{stack}-jobs", Key={"job_id": {"S": LARGE_JOB}})["Item"]
    assert large["status"]["S"] == "PROCESSING" and [a["N"] for a in large["ages"]["L"]] == ["20", "70"]
    assert cloud("teardown", stack, moto_url, "--yes", "--booth-config", str(tmp_path / "booth.toml"))[0] == 0
