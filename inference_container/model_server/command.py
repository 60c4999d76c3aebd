"""`time-traveler serve-model`: run the model server the way SageMaker starts a container (`serve`)."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from inference_container.engine.registry import AUTO, engine_choices
from inference_container.model_server.loader import DEFAULT_MODEL_DIR

PORT_ENV = "SAGEMAKER_BIND_TO_PORT"
MODEL_DIR_ENV = "SM_MODEL_DIR"
DEVICE_ENV = "TIME_TRAVELER_DEVICE"
PRECISION_ENV = "TIME_TRAVELER_PRECISION"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=Path(os.environ.get(MODEL_DIR_ENV) or DEFAULT_MODEL_DIR),
        help="folder holding model.pt (default /opt/ml/model)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get(PORT_ENV) or 8080),
        help="default $SAGEMAKER_BIND_TO_PORT or 8080",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to listen on (default 127.0.0.1: the model has no key; the container's `serve` "
        "passes 0.0.0.0, where SageMaker is the only caller)",
    )
    parser.add_argument(
        "--engine",
        choices=engine_choices(),
        default=AUTO,
        help="auto: SAM when model.pt is present, else the classic engine",
    )
    parser.add_argument(
        "--device",
        default=os.environ.get(DEVICE_ENV) or None,
        help="torch device, e.g. cuda or cpu (default $TIME_TRAVELER_DEVICE, else the best available); "
        "a device that is not there fails /ping instead of falling back",
    )
    parser.add_argument(
        "--precision",
        choices=["auto", "fp32", "fp16", "bf16"],
        default=os.environ.get(PRECISION_ENV) or "auto",
        help="compute precision (default $TIME_TRAVELER_PRECISION, else auto)",
    )
    parser.add_argument(
        "--max-concurrency", type=int, default=None, help="photos aged at the same time (default 2)"
    )


def keep_memory_for_inference() -> bool:
    """This process exists to run the model: keep freed activation memory for the next layer and photo
    (glibc mallopt, inference_container/sam/memory.py; ~20 % per photo on CPU). Set here, where the
    process starts, never as a side effect of loading an engine."""
    from inference_container.sam.memory import keep_freed_memory

    return keep_freed_memory()


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from booth_core.http_server import server_config
    from inference_container.model_server.app import DEFAULT_MAX_CONCURRENCY, create_app
    from inference_container.model_server.loader import engine_factory

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    keep_memory_for_inference()
    app = create_app(
        engine_factory(args.model_dir, args.engine, args.device, args.precision),
        max_concurrency=args.max_concurrency or DEFAULT_MAX_CONCURRENCY,
    )
    uvicorn.Server(server_config(app, host=args.host, port=args.port, log_level="info", lifespan="on")).run()
    return 0
