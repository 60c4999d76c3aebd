"""API.md's contract, run the same way against the local server (real HTTP) and the AWS adapters (moto)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from booth_core.ages import DEFAULT_AGES
from tests.job_service.conftest import jpeg_headers, new_id, wait_final
from tests.job_service.deployments import GatedEngine, RaisingEngine, jpeg_ok

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


# --- the happy path -------------------------------------------------------------------------------
def test_photo_becomes_frames_that_decode(deployment, photo):
    job_id = new_id()
    reply = deployment.request(
        "PUT", f"/uploads/{job_id}", photo, jpeg_headers(**{"X-Target-Ages": "30,40,80"})
    )
    assert reply.status == 202
    assert reply.json()["job_id"] == job_id and reply.json()["status"] == "QUEUED"

    document = wait_final(deployment, job_id)
    assert document["status"] == "SUCCESS", document["error"]
    assert document["error"] is None and document["engine"] == "classic"
    assert document["ages"] == [30, 40, 80]
    # every asked age is within what either engine can show for this adult sitter: frames carry them as asked
    assert [(f["index"], f["age"]) for f in document["frames"]] == [(0, None), (1, 30), (2, 40), (3, 80)]
    assert document["created_at"].endswith("Z") and document["updated_at"] >= document["created_at"]
    sizes = set()
    for frame in document["frames"]:
        got = deployment.fetch(frame["url"])
        assert got.status == 200
        sizes.add(jpeg_ok(got.body))
    assert sizes == {Image.open(io.BytesIO(photo)).size}  # photo layout: every frame is the whole photo


def test_default_ages_apply_without_the_header(deployment, photo):
    job_id = new_id()
    reply = deployment.request("PUT", f"/uploads/{job_id}", photo, {"Content-Type": "image/jpeg"})
    assert reply.status == 202
    assert reply.json()["ages"] == list(DEFAULT_AGES)
    document = wait_final(deployment, job_id)
    assert [frame["age"] for frame in document["frames"]] == [None, *DEFAULT_AGES]


def test_the_attendees_answer_reaches_the_engine(deployment, photo):
    """`X-Sitter: child` (docs/job_service.md) is kept on the job and told to the engine: the classic engine
    then shows the adult in the test photo as a child grown up, so "95" is made (and, locally, labelled) as
    far as a child can believably go (strength.reach), where without the header it is 95 as asked."""
    told, judged = new_id(), new_id()
    reply = deployment.request(
        "PUT", f"/uploads/{told}", photo, jpeg_headers(**{"X-Target-Ages": "95", "X-Sitter": "Child"})
    )
    assert reply.status == 202 and reply.json()["sitter"] == "child"
    deployment.request("PUT", f"/uploads/{judged}", photo, jpeg_headers(**{"X-Target-Ages": "95"}))
    told_document, judged_document = wait_final(deployment, told), wait_final(deployment, judged)
    assert told_document["status"] == judged_document["status"] == "SUCCESS"
    assert told_document["sitter"] == "child" and "sitter" not in judged_document
    assert told_document["ages"] == judged_document["ages"] == [95]  # what was asked stays on the job
    told_frame, judged_frame = (
        np.asarray(Image.open(io.BytesIO(deployment.fetch(document["frames"][1]["url"]).body)), dtype=np.float32)
        for document in (told_document, judged_document)
    )
    assert np.abs(told_frame - judged_frame).mean() > 1.0  # the engine made another frame
    if deployment.kind == "local":  # the async endpoint's output carries no labels (docs/job_service.md)
        assert [frame["age"] for frame in judged_document["frames"]] == [None, 95]
        (shown,) = [frame["age"] for frame in told_document["frames"][1:]]
        assert 30 <= shown <= 45, shown


@pytest.mark.parametrize("sitter", ["baby", "child,adult", "teen", "8"])
def test_bad_sitter_header(deployment, photo, sitter):
    reply = deployment.request("PUT", f"/uploads/{new_id()}", photo, jpeg_headers(**{"X-Sitter": sitter}))
    assert (reply.status, reply.code) == (400, "BAD_REQUEST")
    assert "X-Sitter" in reply.json()["error"]["message"]
    assert deployment.stored_objects() == 0 and deployment.job_count() == 0


def test_png_upload_and_frames_through_the_results_route(deployment, astronaut):
    from tests.conftest import image_bytes

    job_id = new_id()
    body = image_bytes(astronaut.resize((256, 256)), "PNG")
    assert (
        deployment.request(
            "PUT", f"/uploads/{job_id}", body, {"Content-Type": "image/png", "X-Target-Ages": "50"}
        ).status
        == 202
    )
    assert wait_final(deployment, job_id)["status"] == "SUCCESS"
    reply = deployment.request("GET", f"/results/{job_id}/1.jpg")
    assert reply.status == 200 and reply.headers["content-type"].startswith("image/jpeg")
    assert jpeg_ok(reply.body) == (256, 256)


def test_repeat_upload_is_the_same_job_and_starts_nothing(deployment, photo):
    job_id = new_id()
    first = deployment.request("PUT", f"/uploads/{job_id}", photo, jpeg_headers())
    assert first.status == 202
    repeat = deployment.request("PUT", f"/uploads/{job_id}", photo, jpeg_headers(**{"X-Target-Ages": "33"}))
    assert repeat.status == 200
    assert repeat.json()["job_id"] == job_id and repeat.json()["ages"] == [30, 70]
    assert repeat.json()["created_at"] == first.json()["created_at"]
    done = wait_final(deployment, job_id)
    again = deployment.request("PUT", f"/uploads/{job_id}", photo, jpeg_headers())
    assert again.status == 200 and again.json() == done
    assert deployment.job_count() == 1
    if deployment.kind == "aws":
        assert len(deployment.runtime.calls) == 1  # one endpoint invocation


def test_health_names_the_engine(deployment):
    reply = deployment.request("GET", "/health")
    assert reply.status == 200
    document = reply.json()
    assert document["status"] == "ok" and document["engine"] == "classic" and document["version"]


# --- API.md's error table, row by row ---------------------------------------------------------------
@pytest.mark.parametrize(
    "job_id",
    [
        "3F0C8A4E-1B2C-4D5E-8F90-123456789ABC",  # upper case
        "3f0c8a4e-1b2c-1d5e-8f90-123456789abc",  # UUID1
        "not-a-uuid",
    ],
)
def test_bad_request_malformed_id(deployment, photo, job_id):
    reply = deployment.request("PUT", f"/uploads/{job_id}", photo, jpeg_headers())
    assert (reply.status, reply.code) == (400, "BAD_REQUEST")
    assert deployment.request("GET", f"/jobs/{job_id}").code == "BAD_REQUEST"
    assert deployment.stored_objects() == 0


@pytest.mark.parametrize("ages", ["ten,20", "10,101", ",".join(["30"] * 13), "", "-5", "10;20"])
def test_bad_request_ages_header(deployment, photo, ages):
    reply = deployment.request("PUT", f"/uploads/{new_id()}", photo, jpeg_headers(**{"X-Target-Ages": ages}))
    assert (reply.status, reply.code) == (400, "BAD_REQUEST")
    assert deployment.stored_objects() == 0 and deployment.job_count() == 0


@pytest.mark.parametrize("content_type", ["text/plain", "image/gif", "application/json", ""])
def test_bad_request_content_type(deployment, photo, content_type):
    reply = deployment.request("PUT", f"/uploads/{new_id()}", photo, {"Content-Type": content_type})
    assert (reply.status, reply.code) == (400, "BAD_REQUEST")
    assert deployment.stored_objects() == 0


def test_too_large(deployment):
    body = b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024)
    reply = deployment.request("PUT", f"/uploads/{new_id()}", body, jpeg_headers())
    assert (reply.status, reply.code) == (413, "TOO_LARGE")
    assert deployment.stored_objects() == 0 and deployment.job_count() == 0


def test_bad_image_refused_at_upload(deployment):
    reply = deployment.request("PUT", f"/uploads/{new_id()}", b"this is not a photo", jpeg_headers())
    assert (reply.status, reply.code) == (400, "BAD_IMAGE")
    assert deployment.stored_objects() == 0


def test_bad_image_fails_the_job(deployment, truncated_jpeg):
    job_id = new_id()
    assert deployment.request("PUT", f"/uploads/{job_id}", truncated_jpeg, jpeg_headers()).status == 202
    document = wait_final(deployment, job_id)
    assert document["status"] == "FAILED" and document["frames"] == []
    assert document["error"]["code"] == "BAD_IMAGE" and document["error"]["message"]


def test_no_face_fails_the_job(deployment, faceless_png):
    job_id = new_id()
    headers = {"Content-Type": "image/png", "X-Target-Ages": "30"}
    assert deployment.request("PUT", f"/uploads/{job_id}", faceless_png, headers).status == 202
    document = wait_final(deployment, job_id)
    assert document["status"] == "FAILED"
    assert document["error"]["code"] == "NO_FACE" and "face" in document["error"]["message"]


def test_inference_failed_when_the_model_raises(make_deployment, photo):
    deployment = make_deployment(RaisingEngine())
    job_id = new_id()
    assert deployment.request("PUT", f"/uploads/{job_id}", photo, jpeg_headers()).status == 202
    document = wait_final(deployment, job_id)
    assert document["status"] == "FAILED" and document["error"]["code"] == "INFERENCE_FAILED"
    assert "CUDA" not in document["error"]["message"]  # no internals shown to a person


def test_timeout_fails_a_stuck_job_and_a_late_result_changes_nothing(make_deployment, classic_engine, photo):
    engine = GatedEngine(classic_engine)
    deployment = make_deployment(engine, job_timeout=60)
    if deployment.kind == "aws":
        deployment.hold = True
    stuck, swept = new_id(), new_id()
    for job_id in (stuck, swept):
        assert deployment.request("PUT", f"/uploads/{job_id}", photo, jpeg_headers()).status == 202
    if deployment.kind == "local":
        assert engine.entered.wait(10)  # the first job is in the model, the second waits its turn
    deployment.clock.advance(61)

    report = deployment.sweep()  # the sweeper finds both
    assert (len(report.timed_out) if hasattr(report, "timed_out") else report["timed_out"]) == 2
    for job_id in (stuck, swept):
        document = deployment.request("GET", f"/jobs/{job_id}").json()
        assert document["status"] == "FAILED" and document["error"]["code"] == "TIMEOUT"

    engine.release()  # the model answers after all
    deployment.hold = False
    deployment.pump()
    if deployment.kind == "local":
        deployment.server.queue.stop()  # drains: both workers' jobs are finished with
    document = deployment.request("GET", f"/jobs/{stuck}").json()
    assert (
        document["status"] == "FAILED" and document["error"]["code"] == "TIMEOUT" and document["frames"] == []
    )
    assert deployment.request("GET", f"/results/{stuck}/0.jpg").code == "NOT_FOUND"


def test_a_reader_never_sees_a_job_past_its_timeout(make_deployment, classic_engine, photo):
    engine = GatedEngine(classic_engine)
    deployment = make_deployment(engine, job_timeout=30)
    deployment.hold = True
    job_id = new_id()
    deployment.request("PUT", f"/uploads/{job_id}", photo, jpeg_headers())
    deployment.clock.advance(31)
    document = deployment.request("GET", f"/jobs/{job_id}").json()  # no sweep ran
    assert document["status"] == "FAILED" and document["error"]["code"] == "TIMEOUT"
    engine.release()


def test_not_found(deployment, photo):
    assert deployment.request("GET", f"/jobs/{new_id()}").code == "NOT_FOUND"
    assert deployment.request("GET", f"/jobs/{new_id()}").status == 404
    assert deployment.request("GET", f"/results/{new_id()}/0.jpg").status == 404
    assert deployment.request("GET", "/no/such/route").code == "NOT_FOUND"
    job_id = new_id()
    deployment.request("PUT", f"/uploads/{job_id}", photo, jpeg_headers())
    assert wait_final(deployment, job_id)["status"] == "SUCCESS"
    for name in ("3.jpg", "99.jpg", "1.png", "x.jpg", "-1.jpg"):
        reply = deployment.request("GET", f"/results/{job_id}/{name}")
        assert (reply.status, reply.code) == (404, "NOT_FOUND"), name


@pytest.mark.parametrize(
    "path",
    [
        "/jobs/..%2F..%2Fjobs.sqlite3",
        "/jobs/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/results/..%2F..%2Fobjects/0.jpg",
        "/results/..%2fuploads/0.jpg",
    ],
)
def test_path_traversal_in_ids_is_refused(deployment, path):
    reply = deployment.request("GET", path)
    assert reply.status in (400, 404) and reply.code in ("BAD_REQUEST", "NOT_FOUND")


def test_path_traversal_upload_stores_nothing(deployment, photo):
    reply = deployment.request("PUT", "/uploads/..%2F..%2Fescaped", photo, jpeg_headers())
    assert reply.status in (400, 404)
    assert deployment.stored_objects() == 0


def test_forbidden_without_the_key_and_nothing_is_stored(make_deployment, classic_engine, photo):
    deployment = make_deployment(classic_engine, api_key="s3cret-key")
    good = {"x-api-key": "s3cret-key"}
    job_id = new_id()
    for headers in ({}, {"x-api-key": "wrong"}, {"x-api-key": ""}):
        reply = deployment.request("PUT", f"/uploads/{job_id}", photo, jpeg_headers(**headers))
        assert (reply.status, reply.code) == (403, "FORBIDDEN")
        assert deployment.request("GET", "/health", headers=headers).status == 403
        assert deployment.request("GET", f"/jobs/{job_id}", headers=headers).status == 403
    assert deployment.stored_objects() == 0 and deployment.job_count() == 0
    assert deployment.request("GET", f"/jobs/{job_id}", headers=good).status == 404

    assert deployment.request("PUT", f"/uploads/{job_id}", photo, jpeg_headers(**good)).status == 202
    assert wait_final(deployment, job_id, headers=good)["status"] == "SUCCESS"
    assert deployment.request("GET", f"/results/{job_id}/0.jpg").status == 403
    assert deployment.request("GET", f"/results/{job_id}/0.jpg", headers=good).status == 200


# --- retention ------------------------------------------------------------------------------------
def test_retention_deletes_photo_frames_and_record(deployment, photo):
    job_id = new_id()
    deployment.request("PUT", f"/uploads/{job_id}", photo, jpeg_headers())
    assert wait_final(deployment, job_id)["status"] == "SUCCESS"
    assert deployment.stored_objects() >= 4  # the photo and three frames
    deployment.clock.advance(24 * 3600 + 1)
    assert deployment.request("GET", f"/jobs/{job_id}").status == 404  # gone for readers at once
    deployment.sweep()
    assert deployment.job_count() == 0
    if deployment.kind == "local":
        assert deployment.stored_objects() == 0
    else:  # on AWS the async output lies in the endpoint's own bucket, which the lifecycle rule empties
        assert deployment.s3.list_objects_v2(Bucket="tt-input").get("KeyCount") == 0
        assert deployment.s3.list_objects_v2(Bucket="tt-output").get("KeyCount") == 0
