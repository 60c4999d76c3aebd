"""The local service's optional `stage`: warming_up while its engine loads, then aging for the job the
engine has and waiting for the one in line behind it, each read from the real service over HTTP."""

from __future__ import annotations

import httpx
import pytest

from booth_core import job_stage
from job_service.local import start_local_server
from tests.job_service.conftest import jpeg_headers, new_id
from tests.job_service.deployments import GatedEngine
from tests.job_service.fault_engines import SlowLoadingEngine
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(120)


def _document(server, job_id: str) -> dict:
    return httpx.get(f"{server.base_url}/jobs/{job_id}").json()


def test_local_stage_follows_the_engine_and_the_line(tmp_path, classic_engine, photo):
    gated = GatedEngine(classic_engine)
    engine = SlowLoadingEngine(gated)
    with start_local_server(data_dir=tmp_path, engine_instance=engine, workers=1) as server:
        first, second = new_id(), new_id()
        for job_id in (first, second):
            reply = httpx.put(f"{server.base_url}/uploads/{job_id}", content=photo, headers=jpeg_headers())
            assert reply.status_code == 202, reply.text
        for job_id in (first, second):  # nothing has loaded: both wait for the engine, not for each other
            document = _document(server, job_id)
            assert (document["status"], document["stage"]) == ("QUEUED", job_stage.WARMING_UP)

        engine.finish_loading()
        assert gated.entered.wait(60)  # the engine process has the first job in hand
        document = _document(server, first)
        assert (document["status"], document["stage"]) == ("PROCESSING", job_stage.AGING)
        document = _document(server, second)
        assert (document["status"], document["stage"]) == ("QUEUED", job_stage.WAITING)
        assert httpx.get(f"{server.base_url}/health").json()["queued"] == 1

        gated.release()
        for job_id in (first, second):
            final = wait_for(
                lambda job_id=job_id: (document := _document(server, job_id))["status"] == "SUCCESS" and document,
                60,
                f"job {job_id} succeeding",
            )
            assert "stage" not in final  # only while unfinished
