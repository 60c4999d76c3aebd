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
    """The name of every resource of every kind moto's CloudFormation makes for the stack."""
    names = [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]
    names += aws("dynamodb").list_tables()["TableNames"]
    names += [t["TopicArn"] for t in aws("sns").list_topics()["Topics"]]
    names += [r["RoleName"] for r in aws("iam").list_roles()["Roles"]]
    names += [f["FunctionName"] for f in aws("lambda").list_functions()["Functions"]]
    names += [r["Name"] for r in aws("events").list_rules()["Rules"]]
    names += [g["logGroupName"] for g in aws("logs").describe_log_groups()["logGroups"]]
    names += aws("sqs").list_queues().get("QueueUrls", [])
    names += [a["name"] for a in aws("apigateway").get_rest_apis()["items"]]
    sm = aws("sagemaker")
    names += [m["ModelName"] for m in sm.list_models()["Models"]]
    names += [c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]]
    names += [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]]
    names += [s["StackName"] for s in aws("cloudformation").list_stacks()["StackSummaries"]
              if s["StackStatus"] != "DELETE_COMPLETE"]  # fmt: skip
    return names
