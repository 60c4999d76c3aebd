"""Teardown removes everything deploy made, in reverse order, and nothing else."""

from __future__ import annotations

import json

import pytest

from cloud_setup.cli import main

from .conftest import IMAGE_URI, MODEL_DATA_URL, REGION
from .helpers import cloud, names_in_account

pytestmark = pytest.mark.slow  # each needs a real model, a moto server or a server process


def test_teardown_leaves_nothing_of_the_stack_and_spares_the_rest(moto_url, aws, tmp_path):
    stack = "tt-gone"
    # Resources that are not the stack's: one with a look-alike name, untagged.
    aws("s3").create_bucket(
        Bucket="unrelated-photos", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    aws("iam").create_role(
        RoleName=f"{stack}-lookalike",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )
    booth = tmp_path / "booth.toml"
    code, _, output = cloud("deploy", stack, moto_url, "--image-uri", IMAGE_URI, "--model-data-url", MODEL_DATA_URL,
                            "--booth-config", str(booth))  # fmt: skip
    assert code == 0, output
    photos = f"{stack}-photos-123456789012-{REGION}"
    aws("s3").put_object(Bucket=photos, Key="uploads/3f0c0000-0000-4000-8000-000000000000", Body=b"photo")
    assert any(stack in name for name in names_in_account(aws))

    code, report, output = cloud("teardown", stack, moto_url, "--yes", "--booth-config", str(booth))
    assert code == 0, output
    left = [name for name in names_in_account(aws) if stack in name]
    assert left == [f"{stack}-lookalike"], left
    assert "unrelated-photos" in names_in_account(aws)
    assert not booth.exists()
    # Reverse order: the endpoint's scaling and the endpoint go before the roles, the buckets last.
    kinds = [c.kind for c in report.changes if c.action == "deleted"]
    assert (
        kinds.index("scalable target")
        < kinds.index("sagemaker endpoint")
        < kinds.index("iam role")
        < kinds.index("s3 bucket")
    )

    code, _, output = cloud("status", stack, moto_url)
    assert code == 1 and "absent" in output
    code, report, _ = cloud("teardown", stack, moto_url, "--yes", "--booth-config", str(booth))
    assert code == 0 and report.actions() == {"absent"}  # a second teardown finds nothing to do


def test_teardown_needs_confirmation(moto_url, capsys):
    argv = ["teardown", "--name", "tt-keep", "--region", REGION, "--endpoint-url", moto_url]
    assert main(argv) == 1  # stdin is not a terminal under pytest
    assert "--yes" in capsys.readouterr().err


def test_deploy_refuses_to_adopt_a_resource_it_does_not_own(moto_url, aws, capsys):
    aws("dynamodb").create_table(
        TableName="tt-squat-jobs",
        AttributeDefinitions=[{"AttributeName": "job_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "job_id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    argv = ["deploy", "--name", "tt-squat", "--region", REGION, "--endpoint-url", moto_url, "--no-lambda-deps",
            "--image-uri", IMAGE_URI, "--model-data-url", MODEL_DATA_URL]  # fmt: skip
    assert main(argv) == 3
    assert "does not belong to stack tt-squat" in capsys.readouterr().err
    assert main(["teardown", *argv[1:7], "--yes"]) == 0
    assert "tt-squat-jobs" in aws("dynamodb").list_tables()["TableNames"]  # teardown spared it too


def test_bad_options_are_clear_errors(moto_url, capsys):
    assert main(["deploy", "--name", "Bad_Name", "--region", REGION, "--endpoint-url", moto_url]) == 2
    assert "stack name" in capsys.readouterr().err
    assert (
        main(
            [
                "deploy",
                "--name",
                "tt-nomodel",
                "--region",
                REGION,
                "--endpoint-url",
                moto_url,
                "--no-lambda-deps",
            ]
        )
        == 2
    )
    assert "--image-uri" in capsys.readouterr().err
    common = [
        "deploy",
        "--name",
        "tt-bad",
        "--region",
        REGION,
        "--endpoint-url",
        moto_url,
        "--no-lambda-deps",
    ]
    assert main([*common, "--image-uri", "docker.io/me/model:1", "--model-data-url", MODEL_DATA_URL]) == 2
    assert "Amazon ECR image" in capsys.readouterr().err
    assert (
        main([*common, "--image-uri", IMAGE_URI, "--model-data-url", "https://example.com/model.tar.gz"]) == 2
    )
    assert "s3://bucket/key" in capsys.readouterr().err
