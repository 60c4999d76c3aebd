"""The Lambda zip, and the job service's handlers run from it against a deployed stack.

moto stores Lambda code but cannot run it without Docker, so the handlers are run here directly:
unpacked from the same zip deploy uploaded, in a fresh Python process, with the environment
deploy gave the functions, against the moto server.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile

import numpy as np

from booth_core import wire
from cloud_setup import lambda_zip

from .conftest import DUMMY_CREDENTIALS, IMAGE_URI, MODEL_DATA_URL, REGION
from .helpers import cloud

JOB_ID = "3f0c5a3e-7a43-4d0e-9a49-5b2d3c1e0f11"


def test_zip_is_deterministic_and_holds_what_the_handlers_import():
    first = lambda_zip.build_zip(lambda_zip.source_paths())
    assert first == lambda_zip.build_zip(lambda_zip.source_paths())
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert "cloud_setup/handlers.py" in names and "job_service/aws/functions.py" in names
    assert "booth_core/wire.py" in names
    assert not any(
        name.startswith(("job_service/local/", "inference_container/sam/", "tests/")) for name in names
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

    # What SageMaker would write after running the model: the strip at the async output path.
    frames_bucket = f"{stack}-frames-123456789012-{REGION}"
    strip = wire.join_frames([np.full((64, 64, 3), 40 * i, np.uint8) for i in range(3)])
    output_key = "async-output/abc.out"
    notification = {
        "invocationStatus": "Completed",
        "inferenceId": JOB_ID,
        "requestParameters": {"inputLocation": f"s3://{stack}-photos-123456789012-{REGION}/uploads/{JOB_ID}"},
        "responseParameters": {"outputLocation": f"s3://{frames_bucket}/{output_key}"},
    }
    events = {
        "health": _api_event("GET", "/health"),
        "upload": _api_event(
            "PUT",
            f"/uploads/{JOB_ID}",
            astronaut_jpeg,
            {"Content-Type": "image/jpeg", "X-Target-Ages": "20,70"},
        ),
        "job": _api_event("GET", f"/jobs/{JOB_ID}"),
        "completion": {"Records": [{"Sns": {"Message": json.dumps(notification)}}]},
    }
    (tmp_path / "events.json").write_text(json.dumps(events))
    script = textwrap.dedent(
        f"""
        import json, pathlib, boto3
        from cloud_setup import handlers
        assert pathlib.Path(handlers.__file__).resolve().is_relative_to(pathlib.Path({str(unpacked)!r}).resolve())
        events = json.loads(pathlib.Path({str(tmp_path / "events.json")!r}).read_text())
        out = {{"health": handlers.api_handler(events["health"]), "upload": handlers.api_handler(events["upload"])}}
        boto3.client("s3").put_object(Bucket={frames_bucket!r}, Key={output_key!r},
                                      Body=pathlib.Path({str(tmp_path / "strip.npy")!r}).read_bytes())
        out["completion"] = handlers.completion_handler(events["completion"])
        out["job"] = handlers.api_handler(events["job"])
        print(json.dumps(out))
        """
    )
    (tmp_path / "strip.npy").write_bytes(wire.encode_npy(strip))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "TT_", "TIME_TRAVELER_"))}
    env.update(DUMMY_CREDENTIALS, **function["Environment"]["Variables"])
    env.update(AWS_REGION=REGION, AWS_ENDPOINT_URL=moto_url, PYTHONPATH=str(unpacked))
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])

    assert out["health"]["statusCode"] == 200
    assert out["upload"]["statusCode"] == 202, out["upload"]
    assert out["completion"] == {"updated": 1}
    job = json.loads(out["job"]["body"])
    assert job["status"] == "SUCCESS" and job["ages"] == [20, 70]
    assert [frame["age"] for frame in job["frames"]] == [None, 20, 70]
    s3 = aws("s3")
    stored = [
        o["Key"]
        for o in s3.list_objects_v2(Bucket=frames_bucket, Prefix=f"results/{JOB_ID}/").get("Contents", [])
    ]
    assert sorted(stored) == [f"results/{JOB_ID}/{i}.jpg" for i in range(3)]
    item = aws("dynamodb").get_item(TableName=f"{stack}-jobs", Key={"job_id": {"S": JOB_ID}})["Item"]
    assert float(item["expires_at"]["N"]) > 0  # the TTL attribute the table expires on
    assert cloud("teardown", stack, moto_url, "--yes", "--booth-config", str(tmp_path / "booth.toml"))[0] == 0
