"""Deploy one CloudFormation template through a change set: create it, show it, then execute it (or, for a
dry run, delete it). CloudFormation does the rest: ordering, rollback of a failed update, deletion."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass

from botocore.exceptions import ClientError, WaiterError

from cloud_setup.report import Report

CAPABILITIES = ["CAPABILITY_IAM"]
#: GPU endpoints take ~10 minutes to create; an update waits for the new instance and the old one's drain.
STACK_WAIT = {"Delay": 15, "MaxAttempts": 240}
CHANGE_SET_WAIT = {"Delay": 3, "MaxAttempts": 200}
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
CREATED, UPDATED, UNCHANGED, PLANNED = "created", "updated", "unchanged", "planned"


@dataclass(frozen=True)
class Deployment:
    """One template for one stack."""

    stack: str
    template: dict
    body: str
    parameters: dict[str, str]
    tags: list[dict[str, str]]
    template_url: str | None = None  # set when the body is too large to send inline


def describe_stack(cfn, name: str) -> dict | None:
    try:
        return cfn.describe_stacks(StackName=name)["Stacks"][0]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise


def deployed_template(cfn, name: str) -> dict:
    body = cfn.get_template(StackName=name, TemplateStage="Original")["TemplateBody"]
    return json.loads(body) if isinstance(body, str) else json.loads(json.dumps(body))


def physical_ids(cfn, name: str) -> dict[str, str]:
    """logical id -> physical id of every resource the stack made."""
    found = {}
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=name):
        for resource in page["StackResourceSummaries"]:
            if resource.get("PhysicalResourceId"):
                found[resource["LogicalResourceId"]] = resource["PhysicalResourceId"]
    return found


def _unchanged(cfn, stack: dict, deployment: Deployment) -> bool:
    """Same template, parameters and tags as deployed: nothing to do (checked before asking for a change set,
    which AWS answers with a FAILED change set and moto with an empty one)."""
    have = {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters", [])}
    tags = sorted((t["Key"], t["Value"]) for t in stack.get("Tags", []))
    return (
        have == deployment.parameters
        and tags == sorted((t["Key"], t["Value"]) for t in deployment.tags)
        and deployed_template(cfn, deployment.stack) == deployment.template
    )


def _change_lines(cfn, stack: str, change_set: str) -> list[str]:
    lines = []
    token = None
    while True:
        page = cfn.describe_change_set(
            StackName=stack, ChangeSetName=change_set, **({"NextToken": token} if token else {})
        )
        for change in page.get("Changes", []):
            rc = change.get("ResourceChange", {})
            replace = " (replacement)" if rc.get("Replacement") == "True" else ""
            lines.append(
                f"  {rc.get('Action', '?'):<8} {rc.get('ResourceType', '?'):<44} {rc.get('LogicalResourceId')}{replace}"
            )
        token = page.get("NextToken")
        if not token:
            return lines


def failure_events(cfn, stack: str, limit: int = 10) -> list[str]:
    """The latest failed resources of a stack, in words, for the error message."""
    lines = []
    for event in cfn.describe_stack_events(StackName=stack).get("StackEvents", []):
        if event.get("ResourceStatus", "").endswith("FAILED"):
            lines.append(f"{event['LogicalResourceId']}: {event.get('ResourceStatusReason', '')}")
        if len(lines) >= limit:
            break
    return lines


def _wait(cfn, waiter: str, **kwargs) -> None:
    cfn.get_waiter(waiter).wait(**kwargs)


def deploy(cfn, deployment: Deployment, report: Report, dry_run: bool = False) -> str:
    """Create or update the stack; returns CREATED, UPDATED, UNCHANGED, or PLANNED for a dry run."""
    name = deployment.stack
    stack = describe_stack(cfn, name)
    if stack is not None and stack["StackStatus"] == "ROLLBACK_COMPLETE":
        # A first create that failed leaves a stack that can only be deleted (it holds no resources).
        report.note(f"  stack {name} is ROLLBACK_COMPLETE from a failed first deploy; deleting it first")
        if dry_run:
            return PLANNED
        cfn.delete_stack(StackName=name)
        _wait(cfn, "stack_delete_complete", StackName=name, WaiterConfig=STACK_WAIT)
        stack = None
    status = (stack or {}).get("StackStatus", "")
    if status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
        raise RuntimeError(f"stack {name} is {status}; wait for it to finish, then deploy again")
    kind = "CREATE" if stack is None or status == "REVIEW_IN_PROGRESS" else "UPDATE"
    if kind == "UPDATE" and _unchanged(cfn, stack, deployment):
        report.record(UNCHANGED, "cloudformation stack", name)
        return UNCHANGED
    change_set = f"{name}-{time.strftime('%Y%m%d%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:6]}"
    source = (
        {"TemplateURL": deployment.template_url}
        if deployment.template_url
        else {"TemplateBody": deployment.body}
    )
    cfn.create_change_set(
        StackName=name,
        ChangeSetName=change_set,
        ChangeSetType=kind,
        Parameters=[
            {"ParameterKey": k, "ParameterValue": v} for k, v in sorted(deployment.parameters.items())
        ],
        Capabilities=CAPABILITIES,
        Tags=deployment.tags,
        Description=f"cloud_setup deploy of {name}",
        **source,
    )
    try:
        _wait(
            cfn,
            "change_set_create_complete",
            StackName=name,
            ChangeSetName=change_set,
            WaiterConfig=CHANGE_SET_WAIT,
        )
    except WaiterError:
        described = cfn.describe_change_set(StackName=name, ChangeSetName=change_set)
        reason = described.get("StatusReason", "")
        cfn.delete_change_set(StackName=name, ChangeSetName=change_set)
        if any(text in reason for text in NO_CHANGES):
            report.record(UNCHANGED, "cloudformation stack", name)
            return UNCHANGED
        raise RuntimeError(f"change set for {name} failed: {reason}") from None
    lines = _change_lines(cfn, name, change_set)
    report.note(f"Change set {change_set} ({kind.lower()} {name}, {len(lines)} change(s)):")
    for line in lines:
        report.note(line)
    if dry_run:
        cfn.delete_change_set(StackName=name, ChangeSetName=change_set)
        if kind == "CREATE":
            cfn.delete_stack(StackName=name)  # the empty REVIEW_IN_PROGRESS stack a CREATE change set makes
        report.note("  dry run: change set deleted, nothing executed")
        return PLANNED
    cfn.execute_change_set(StackName=name, ChangeSetName=change_set)
    report.note(
        f"  executing; waiting for CloudFormation to finish {name} (a new GPU endpoint takes ~10 min)"
    )
    waiter = "stack_create_complete" if kind == "CREATE" else "stack_update_complete"
    try:
        _wait(cfn, waiter, StackName=name, WaiterConfig=STACK_WAIT)
    except WaiterError:
        events = failure_events(cfn, name)
        raise RuntimeError(
            f"stack {name} did not {kind.lower()} (CloudFormation rolled it back):\n  " + "\n  ".join(events)
        ) from None
    action = CREATED if kind == "CREATE" else UPDATED
    report.record(action, "cloudformation stack", name, f"{len(lines)} change(s)")
    return action


def delete(cfn, name: str, report: Report) -> bool:
    """Delete a stack and wait; False when there was none."""
    if describe_stack(cfn, name) is None:
        report.record("absent", "cloudformation stack", name)
        return False
    cfn.delete_stack(StackName=name)
    try:
        _wait(cfn, "stack_delete_complete", StackName=name, WaiterConfig=STACK_WAIT)
    except WaiterError:
        raise RuntimeError(
            f"stack {name} did not delete:\n  " + "\n  ".join(failure_events(cfn, name))
        ) from None
    report.record("deleted", "cloudformation stack", name)
    return True
