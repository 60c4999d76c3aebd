"""Run the cloud_setup CLI in-process and list what exists in moto."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

from cloud_setup.cli import build_parser, run
from cloud_setup.report import Report

from .conftest import REGION


def cloud(action: str, name: str, moto_url: str, *extra: str) -> tuple[int, Report, str]:
    """`python -m cloud_setup ACTION --name NAME ...` with its report and printed output."""
    argv = [
        action,
        "--name",
        name,
        "--region",
        REGION,
        "--endpoint-url",
        moto_url,
        "--no-lambda-deps",
        *extra,
    ]
    out = io.StringIO()
    report = Report(out=out)
    with redirect_stdout(out):
        code = run(build_parser().parse_args(argv), report)
    return code, report, out.getvalue()


def names_in_account(aws) -> list[str]:
    """The name of every resource of every kind the stack uses, as moto lists them."""
    names = [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]
    names += aws("dynamodb").list_tables()["TableNames"]
    names += [t["TopicArn"] for t in aws("sns").list_topics()["Topics"]]
    names += [s["SubscriptionArn"] + s["Endpoint"] for s in aws("sns").list_subscriptions()["Subscriptions"]]
    names += [r["RoleName"] for r in aws("iam").list_roles()["Roles"]]
    names += [f["FunctionName"] for f in aws("lambda").list_functions()["Functions"]]
    names += [r["Name"] for r in aws("events").list_rules()["Rules"]]
    apigw = aws("apigateway")
    names += [a["name"] for a in apigw.get_rest_apis()["items"]]
    names += [k["name"] for k in apigw.get_api_keys()["items"]]
    names += [p["name"] for p in apigw.get_usage_plans()["items"]]
    sm = aws("sagemaker")
    names += [m["ModelName"] for m in sm.list_models()["Models"]]
    names += [c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]]
    names += [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]]
    aas = aws("application-autoscaling")
    names += [
        t["ResourceId"]
        for t in aas.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    ]
    names += [
        p["PolicyName"]
        for p in aas.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    ]
    names += [a["AlarmName"] for a in aws("cloudwatch").describe_alarms()["MetricAlarms"]]
    return names
