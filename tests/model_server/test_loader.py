"""/ping answers 503 fast while the engine loads, and keeps answering 503 if loading failed."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx

from inference_container.model_server.app import create_app


def test_ping_is_503_until_the_engine_is_loaded():
    release = threading.Event()

    def slow_factory():
        release.wait(30)
        raise RuntimeError("no weights here")

    app = create_app(slow_factory)
    loader = app.state.loader
    loader.start()  # what the app's lifespan does at startup

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://model") as client:
            started = time.perf_counter()
            loading = await client.get("/ping")
            elapsed = time.perf_counter() - started
            refused = await client.post("/invocations", content=b"x", headers={"Content-Type": "image/jpeg"})
            release.set()
            loader.join(10)
            failed = await client.get("/ping")
        return loading, elapsed, refused, failed

    loading, elapsed, refused, failed = asyncio.run(scenario())
    assert loading.status_code == 503 and elapsed < 1.0
    assert loading.json()["error"] == {"code": "UNAVAILABLE", "message": "The model is still loading."}
    assert refused.status_code == 503
    assert failed.status_code == 503
    assert failed.json()["error"] == {"code": "UNAVAILABLE", "message": "The model failed to load."}


def test_a_missing_device_fails_ping_instead_of_falling_back_to_the_cpu(tmp_path):
    import pytest
    import torch

    from inference_container.model_server.loader import DeviceUnavailable, engine_factory
    from inference_container.sam import save_random_checkpoint

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA; the refusal is for machines without it")
    save_random_checkpoint(tmp_path / "model.pt", output_size=64, seed=0, small=True)
    build = engine_factory(tmp_path, "sam", "cuda", "fp32")
    with pytest.raises(DeviceUnavailable, match="CUDA"):
        build()

    app = create_app(build)
    loader = app.state.loader
    loader.start()
    loader.join(60)

    async def ping():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://model") as client:
            return await client.get("/ping")

    answer = asyncio.run(ping())
    assert answer.status_code == 503
    assert "cannot use its device" in answer.json()["error"]["message"]
