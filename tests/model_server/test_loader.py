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
