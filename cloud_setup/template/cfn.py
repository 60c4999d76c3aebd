"""CloudFormation's intrinsic functions and IAM policy shapes, as plain dicts."""

from __future__ import annotations

import hashlib
import json


def ref(logical_id: str) -> dict:
    return {"Ref": logical_id}


def get_att(logical_id: str, attribute: str) -> dict:
    return {"Fn::GetAtt": [logical_id, attribute]}


def sub(text: str) -> dict:
    """`${AWS::Region}`, `${Resource.Attribute}` ... substituted by CloudFormation."""
    return {"Fn::Sub": text}


def arn(service: str, resource: str) -> dict:
    """An ARN in this stack's account and region."""
    return sub(f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}")


def statement(sid: str, actions: list[str], resources: list, **extra) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources, **extra}


def policy_document(statements: list[dict]) -> dict:
    return {"Version": "2012-10-17", "Statement": statements}


def trust(service: str) -> dict:
    return policy_document(
        [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]
    )


def role(description: str, service: str, statements: list[dict]) -> dict:
    """An IAM role with one inline policy; its name is left to CloudFormation (no CAPABILITY_NAMED_IAM
    clash between stacks, and a changed trust can replace it)."""
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": description,
            "AssumeRolePolicyDocument": trust(service),
            "Policies": [{"PolicyName": "time-traveler", "PolicyDocument": policy_document(statements)}],
        },
    }


def short_hash(value: object) -> str:
    """8 hex chars of a JSON value (names a resource after its contents, e.g. an API deployment)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:8]
