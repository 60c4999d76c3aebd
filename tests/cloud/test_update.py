"""Changing a setting makes a new endpoint config, updates the endpoint and removes the superseded one.

moto has no UpdateEndpoint, so that one call is recorded by a thin wrapper around the moto client
instead of being sent; everything else goes to the moto server.
"""

from __future__ import annotations

import pytest

from cloud_setup import plan
from cloud_setup.cli import build_parser, make_context, options_from
from cloud_setup.report import Report

from .conftest import IMAGE_URI, MODEL_DATA_URL, REGION
from .helpers import cloud

pytestmark = pytest.mark.slow  # each needs a real model, a moto server or a server process


class RecordingSageMaker:
    """The moto SageMaker client, except that update_endpoint is recorded."""

    def __init__(self, real, events: list):
        self._real, self.events = real, events

    def update_endpoint(self, **kwargs):
        self.events.append(("update_endpoint", kwargs))

    def __getattr__(self, name):
        return getattr(self._real, name)


def test_instance_type_change_updates_the_endpoint(moto_url, aws, tmp_path):
    stack = "tt-upd"
    booth = str(tmp_path / "booth.toml")
    code, _, output = cloud(
        "deploy",
        stack,
        moto_url,
        "--image-uri",
        IMAGE_URI,
        "--model-data-url",
        MODEL_DATA_URL,
        "--booth-config",
        booth,
    )
    assert code == 0, output
    sm = aws("sagemaker")
    first = sm.describe_endpoint(EndpointName=f"{stack}-endpoint")["EndpointConfigName"]

    args = build_parser().parse_args(["deploy", "--name", stack, "--region", REGION, "--endpoint-url", moto_url,
                                      "--booth-config", booth, "--instance-type", "ml.g4dn.2xlarge"])  # fmt: skip
    ctx = make_context(options_from(args), Report(), dry_run=False, vendor_deps=False)
    events: list = []
    real_client = ctx.clients.client
    aas = real_client("application-autoscaling")

    def client(service):
        if service == "sagemaker":
            return RecordingSageMaker(real_client(service), events)
        return real_client(service)

    ctx.clients.client = client
    plan.deploy(ctx)

    [(call, kwargs)] = events
    second = kwargs["EndpointConfigName"]
    assert kwargs["EndpointName"] == f"{stack}-endpoint" and second != first
    assert (
        sm.describe_endpoint_config(EndpointConfigName=second)["ProductionVariants"][0]["InstanceType"]
        == "ml.g4dn.2xlarge"
    )
    configs = [
        c["EndpointConfigName"]
        for c in sm.list_endpoint_configs(NameContains=f"{stack}-config-")["EndpointConfigs"]
    ]
    assert configs == [second]  # the superseded config is gone
    changes = {(c.action, c.kind) for c in ctx.report.changed()}
    assert ("updated", "sagemaker endpoint") in changes and (
        "deleted",
        "sagemaker endpoint config",
    ) in changes
    assert ("unchanged", "sagemaker model") in {(c.action, c.kind) for c in ctx.report.changes}
    assert not any(kind in ("s3 bucket", "lambda function", "api gateway rest api") for _, kind in changes)
    # Scaling was taken off before the update and registered again after it.
    assert ("created", "scalable target") in changes and ("created", "cloudwatch alarm") in changes
    targets = aas.describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[f"endpoint/{stack}-endpoint/variant/AllTraffic"]
    )
    assert len(targets["ScalableTargets"]) == 1
    assert cloud("teardown", stack, moto_url, "--yes", "--booth-config", booth)[0] == 0


def test_scaling_floor_can_keep_one_instance_warm_and_return_to_zero(moto_url, aws, tmp_path):
    stack = "tt-warm"
    common = ("--image-uri", IMAGE_URI, "--model-data-url", MODEL_DATA_URL, "--booth-config", str(tmp_path / "b.toml"))
    resource = f"endpoint/{stack}-endpoint/variant/AllTraffic"
    aas = aws("application-autoscaling")

    def capacity():
        [target] = aas.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[resource])["ScalableTargets"]
        return target["MinCapacity"], target["MaxCapacity"]

    assert cloud("deploy", stack, moto_url, *common, "--min-instances", "1", "--max-instances", "3")[0] == 0
    assert capacity() == (1, 3)
    code, report, _ = cloud("deploy", stack, moto_url, *common, "--max-instances", "3")
    assert code == 0 and capacity() == (0, 3)
    assert [(c.action, c.kind) for c in report.changed()] == [("updated", "scalable target")]
    assert cloud("teardown", stack, moto_url, "--yes", *common[-2:])[0] == 0
