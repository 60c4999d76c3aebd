"""The optional `share` field and what it points at, on both deployments, plus the local share server's rules."""

from __future__ import annotations

import base64
import io
import re
from datetime import UTC, datetime
from urllib.parse import urlparse

import httpx
import pytest
from PIL import Image

from booth_core.media import ANIMATION_LONG_SIDE
from tests.job_service.conftest import jpeg_headers, new_id, wait_final
from tests.job_service.deployments import API_BASE, stored_files

# Each test starts a real server (and an engine process): slow for the edit loop, run by `make test`.
pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]
RETENTION_S = 24 * 3600


def _inline(page: str, kind: str) -> bytes:
    match = re.search(rf'data:{re.escape(kind)};base64,([A-Za-z0-9+/=]+)"', page)
    assert match, f"no inline {kind} in the page"
    return base64.b64decode(match.group(1))


def _finished(deployment, photo) -> tuple[str, dict]:
    job_id = new_id()
    assert deployment.request("PUT", f"/uploads/{job_id}", photo, jpeg_headers()).status == 202
    document = wait_final(deployment, job_id)
    assert document["status"] == "SUCCESS", document["error"]
    return job_id, document


def test_share_field_opens_the_page_with_the_animation(make_deployment, classic_engine, photo):
    deployment = make_deployment(classic_engine, share=True)
    job_id, document = _finished(deployment, photo)
    share = document["share"]
    assert set(share) == {"url", "expires_at"} and share["url"].startswith(("http://", "https://"))
    # One shape on both backends: the front's prefix, the job id, a 128-bit URL-safe token.
    prefix = {"local": "/s", "aws": f"{API_BASE}/share"}[deployment.kind]
    assert re.fullmatch(rf".*{re.escape(prefix)}/{job_id}/[A-Za-z0-9_-]{{22}}", share["url"]), share["url"]
    expires = datetime.strptime(share["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    assert abs(expires - (deployment.clock() + RETENTION_S)) < 5  # lives as long as retention, not an hour

    page = deployment.fetch(share["url"])
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    text = page.body.decode("utf-8")
    assert "You, through the years" in text and "<script" not in text
    gif = Image.open(io.BytesIO(_inline(text, "image/gif")))
    assert gif.format == "GIF" and max(gif.size) == ANIMATION_LONG_SIDE
    assert gif.n_frames == 2  # ages 20, 70: young -> old, looping back
    assert _inline(text, "video/mp4")[4:8] == b"ftyp"
    again = wait_final(deployment, job_id)
    assert again["share"]["expires_at"] == share["expires_at"]


def test_share_is_gone_after_retention(make_deployment, classic_engine, photo):
    deployment = make_deployment(classic_engine, share=True)
    _, document = _finished(deployment, photo)
    url = document["share"]["url"]
    assert deployment.fetch(url).status == 200
    deployment.clock.advance(RETENTION_S + 1)
    assert deployment.fetch(url).status == 404  # expired for readers at once, before any sweep
    deployment.sweep()
    assert deployment.fetch(url).status == 404
    assert deployment.stored_objects() == 0  # the token went with the page, the media and the frames


def test_no_share_field_while_unfinished_or_failed(make_deployment, classic_engine, photo, faceless_png):
    deployment = make_deployment(classic_engine, share=True)
    job_id = new_id()
    queued = deployment.request(
        "PUT", f"/uploads/{job_id}", faceless_png, {"Content-Type": "image/png", "X-Target-Ages": "20"}
    )
    assert queued.json().get("share") is None
    assert wait_final(deployment, job_id)["status"] == "FAILED"
    assert wait_final(deployment, job_id).get("share") is None


# --- the local share server -------------------------------------------------------------------------
@pytest.fixture
def local_share(tmp_path, classic_engine):
    from job_service.local import start_local_server
    from tests.job_service.deployments import FakeClock

    clock = FakeClock()
    server = start_local_server(
        data_dir=tmp_path / "data",
        engine_instance=classic_engine,
        clock=clock,
        sweep_interval=3600,
        share_host="127.0.0.1",
    )
    server.clock = clock
    yield server
    server.stop()


def _local_job(server, photo) -> dict:
    job_id = new_id()
    answer = httpx.put(f"{server.base_url}/uploads/{job_id}", content=photo, headers=jpeg_headers())
    assert answer.status_code == 202
    assert wait_final(_Http(server.base_url), job_id)["status"] == "SUCCESS"
    return httpx.get(f"{server.base_url}/jobs/{job_id}").json()


class _Http:
    """The `request` shape wait_final polls through."""

    def __init__(self, base_url):
        self.base_url = base_url

    def request(self, method, path, headers=None):
        from tests.job_service.deployments import Reply

        answer = httpx.request(method, self.base_url + path, headers=headers or {})
        return Reply(answer.status_code, dict(answer.headers), answer.content)


def test_local_share_server_answers_only_the_right_token(local_share, photo):
    document = _local_job(local_share, photo)
    url = document["share"]["url"]
    share_base = local_share.share_server.base_url
    assert url.startswith(share_base + "/s/" + document["job_id"] + "/")
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 21  # 128 random bits, URL-safe

    good = httpx.get(url)
    assert good.status_code == 200 and good.headers["cache-control"] == "no-store"
    assert good.headers["referrer-policy"] == "no-referrer"
    gif = httpx.get(url + "/animation.gif")
    assert gif.status_code == 200 and Image.open(io.BytesIO(gif.content)).format == "GIF"
    assert "attachment" in gif.headers["content-disposition"]
    assert httpx.get(url + "/animation.mp4").content[4:8] == b"ftyp"

    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    refused = [
        f"{share_base}/s/{document['job_id']}/{wrong}",
        f"{share_base}/s/{document['job_id']}/",
        f"{share_base}/s/{new_id()}/{token}",
        f"{share_base}/s/{document['job_id']}/{token}/0.jpg",
        f"{share_base}/s/{document['job_id']}/{token}/../token",
        f"{share_base}/jobs/{document['job_id']}",
        f"{share_base}/results/{document['job_id']}/0.jpg",
        f"{share_base}/health",
        f"{share_base}/",
    ]
    answers = {(httpx.get(address).status_code, httpx.get(address).content) for address in refused}
    assert answers == {(404, b"Not found\n")}  # one bare answer: nothing tells a guess from a gone job
    assert httpx.put(url, content=b"x").status_code == 404
    assert (
        httpx.get(f"{local_share.base_url}/s/{document['job_id']}/{token}").status_code == 404
    )  # not on the API


def test_local_share_links_expire_and_the_sweep_deletes_the_token(local_share, photo):
    document = _local_job(local_share, photo)
    url = document["share"]["url"]
    local_share.clock.advance(RETENTION_S + 1)
    assert httpx.get(url).status_code == 404
    local_share.service.sweep()
    assert stored_files(local_share) == 0  # token, page and media went with the frames


def test_without_share_host_there_is_no_share_server_and_no_link(tmp_path, classic_engine, photo):
    from job_service.local import start_local_server

    with start_local_server(
        data_dir=tmp_path / "d", engine_instance=classic_engine, sweep_interval=3600
    ) as server:
        assert server.share_server is None
        document = _local_job(server, photo)
        assert "share" not in document


def test_a_share_address_that_cannot_be_bound_costs_the_links_not_the_service(tmp_path, classic_engine, photo):
    import socket

    from job_service.local import start_local_server

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with start_local_server(
            data_dir=tmp_path / "d", engine_instance=classic_engine, sweep_interval=3600,
            share_host="127.0.0.1", share_port=port,
        ) as server:  # fmt: skip
            assert server.share_server is None
            assert _local_job(server, photo)["status"] == "SUCCESS"


def test_advertised_url_names_a_reachable_address():
    from job_service.local.share_server import advertised_base_url

    assert advertised_base_url("192.168.8.2", 8080) == "http://192.168.8.2:8080"
    host = urlparse(advertised_base_url("0.0.0.0", 8080)).hostname
    assert host and host != "0.0.0.0"
