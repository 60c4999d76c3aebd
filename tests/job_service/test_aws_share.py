"""The public share route on AWS (moto through boto3): a 302 to a presigned GET of the page for the right token,
the same bare 404 for everything else, and the job document's link to it."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
import requests
from PIL import Image

from booth_core import wire
from job_service.aws import functions
from job_service.aws.share_route import SHARE_REDIRECT_EXPIRES_S
from job_service.model import JobStatus, iso_time
from tests.job_service.conftest import new_id
from tests.job_service.deployments import (
    API_BASE,
    OUTPUT_BUCKET,
    AwsDeployment,
    sagemaker_notification,
    sns_event,
)

pytestmark = pytest.mark.timeout(120)
RETENTION_S = 24 * 3600
NOT_FOUND = (404, b"Not found\n")


@pytest.fixture
def aws(tmp_path, classic_engine):
    """An AWS deployment whose endpoint is played by hand: each job's strip is written directly (fast)."""
    deployment = AwsDeployment(tmp_path, classic_engine)
    deployment.hold = True
    yield deployment
    deployment.close()


def _succeed(deployment, photo) -> tuple[str, dict]:
    """A job through upload, a SageMaker answer of three 64 px frames and its SNS notice: (id, document)."""
    job_id = new_id()
    headers = {"Content-Type": "image/jpeg", "X-Target-Ages": "20,70"}
    assert deployment.request("PUT", f"/uploads/{job_id}", photo, headers).status == 202
    call = deployment.runtime.calls[-1]
    bucket, key = call["response"]["OutputLocation"].removeprefix("s3://").split("/", 1)
    frames = [np.full((64, 64, 3), 60 * i, np.uint8) for i in range(3)]
    deployment.s3.put_object(Bucket=bucket, Key=key, Body=wire.encode_npy(wire.join_frames(frames)))
    message = sagemaker_notification(call["request"], call["response"], ok=True)
    functions.handle_sns_event(deployment.service, deployment.s3, sns_event(message))
    document = deployment.request("GET", f"/jobs/{job_id}").json()
    assert document["status"] == "SUCCESS"
    return job_id, document


def _answer(reply) -> tuple[int, bytes]:
    return reply.status, reply.body


def test_the_job_document_links_to_the_share_route_for_the_whole_retention(aws, photo):
    job_id, document = _succeed(aws, photo)
    share = document["share"]
    prefix = f"{API_BASE}/share/{job_id}/"
    assert share["url"].startswith(prefix) and len(share["url"].removeprefix(prefix)) == 22  # 128 bits
    assert share["expires_at"] == iso_time(aws.service.get_job(job_id).expires_at)
    assert abs(aws.service.get_job(job_id).expires_at - (aws.clock() + RETENTION_S)) < 5
    token = aws.s3.get_object(Bucket=OUTPUT_BUCKET, Key=f"results/{job_id}/share/token")["Body"].read()
    assert share["url"] == prefix + token.decode("ascii")  # the token lies beside the frames
    assert aws.request("GET", f"/jobs/{job_id}").json()["share"] == share  # the same on every read


def test_the_right_token_redirects_to_a_short_lived_presigned_page(aws, photo):
    job_id, document = _succeed(aws, photo)
    visit = aws.visit_share(document["share"]["url"])
    assert visit.status == 302 and visit.body == b""
    assert visit.headers["cache-control"] == "no-store" and visit.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in visit.headers["x-robots-tag"]
    location = urlparse(visit.headers["location"])
    assert location.path.endswith(f"/results/{job_id}/share/index.html")
    query = parse_qs(location.query)
    assert int(query["X-Amz-Expires"][0]) == SHARE_REDIRECT_EXPIRES_S <= 300  # minutes, not the retention

    page = requests.get(visit.headers["location"], timeout=30)  # moto's S3, over its HTTP interface
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "You, through the years" in page.text and "data:image/gif;base64," in page.text
    unsigned = requests.get(visit.headers["location"].split("?")[0], timeout=30)
    assert unsigned.status_code == 403  # the bucket stays private: only the visit's signature opens it


def test_the_downloads_redirect_as_attachments(aws, photo):
    _, document = _succeed(aws, photo)
    gif = aws.visit_share(document["share"]["url"] + "/animation.gif")
    assert gif.status == 302
    fetched = requests.get(gif.headers["location"], timeout=30)
    assert fetched.status_code == 200 and Image.open(io.BytesIO(fetched.content)).format == "GIF"
    assert fetched.headers["content-disposition"] == 'attachment; filename="time-traveler.gif"'
    mp4 = aws.fetch(document["share"]["url"] + "/animation.mp4")  # PyAV is in the Lambda zip too
    assert mp4.status == 200 and mp4.body[4:8] == b"ftyp"


def test_everything_but_a_live_link_gets_the_same_bare_404(aws, photo, faceless_png):
    job_id, document = _succeed(aws, photo)
    url = document["share"]["url"]
    token = url.rsplit("/", 1)[1]
    other_id, other = _succeed(aws, photo)
    failed = new_id()
    aws.request("PUT", f"/uploads/{failed}", faceless_png, {"Content-Type": "image/png"})
    aws.service.fail_job(failed, "NO_FACE")
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    refused = [
        f"{API_BASE}/share/{job_id}/{wrong}",
        f"{API_BASE}/share/{job_id}/{token[:-1]}",
        f"{API_BASE}/share/{job_id}/",
        f"{API_BASE}/share/{other_id}/{token}",  # another job's token
        f"{API_BASE}/share/{new_id()}/{token}",  # unknown id
        f"{API_BASE}/share/{failed}/{token}",  # a job that failed has no link
        f"{API_BASE}/share/{job_id.upper()}/{token}",  # malformed ids
        f"{API_BASE}/share/not-a-job/{token}",
        f"{API_BASE}/share/{job_id}/{token}/0.jpg",  # frames are not shared
        f"{API_BASE}/share/{job_id}/{token}/token",
        f"{API_BASE}/share/{job_id}/{token}/../token",
        f"{API_BASE}/shares/{job_id}/{token}",
    ]
    answers = {_answer(aws.visit_share(address)) for address in refused}
    assert answers == {NOT_FOUND}
    assert _answer(aws.visit_share(url, method="POST")) == NOT_FOUND
    assert aws.visit_share(url).headers["cache-control"] == "no-store"
    assert aws.visit_share(other["share"]["url"]).status == 302  # each job's own token opens its own page

    # A job that is no longer SUCCESS (with its token still there) and an expired one: the same 404.
    aws.service.table.update(other_id, {JobStatus.SUCCESS}, status=JobStatus.PROCESSING)
    assert _answer(aws.visit_share(other["share"]["url"])) == NOT_FOUND
    assert aws.visit_share(url).status == 302
    aws.clock.advance(RETENTION_S + 1)
    assert _answer(aws.visit_share(url)) == NOT_FOUND  # at once, before the sweep and the TTL


def test_the_sweep_deletes_the_token_with_the_job(aws, photo):
    job_id, _ = _succeed(aws, photo)
    prefix = f"results/{job_id}/share/"
    listed = aws.s3.list_objects_v2(Bucket=OUTPUT_BUCKET, Prefix=prefix)["Contents"]
    names = {item["Key"].removeprefix(prefix) for item in listed}
    assert names == {"index.html", "animation.gif", "animation.mp4", "token"}
    aws.clock.advance(RETENTION_S + 1)
    aws.sweep()
    assert aws.stored_objects() == 0


def test_a_share_page_that_could_not_be_stored_answers_404(aws, photo):
    job_id, document = _succeed(aws, photo)
    aws.s3.delete_object(Bucket=OUTPUT_BUCKET, Key=f"results/{job_id}/share/index.html")
    assert _answer(aws.visit_share(document["share"]["url"])) == NOT_FOUND


def test_the_share_event_parses_an_http_api_event_too(aws, photo):
    _, document = _succeed(aws, photo)
    path = urlparse(document["share"]["url"]).path  # /prod/share/<id>/<token>
    event = {"rawPath": path, "requestContext": {"stage": "prod", "http": {"method": "GET"}}, "headers": {}}
    assert functions.handle_share_event(aws.service, event)["statusCode"] == 302
