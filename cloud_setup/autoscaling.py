"""Scale the async endpoint to zero when idle and wake it when work arrives.

* a scalable target on the variant's DesiredInstanceCount, min_instances (0 by default)..max_instances;
* target tracking on ApproximateBacklogSizePerInstance (scales between 1..max, and in to 0 when the
  backlog is empty);
* target tracking cannot leave 0 (the per-instance metric is undefined without instances), so a step
  policy adds one instance when the CloudWatch alarm on HasBacklogWithoutCapacity fires.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from cloud_setup.context import StackContext, is_missing
from cloud_setup.report import ABSENT, CREATED, DELETED, UNCHANGED, UPDATED
from cloud_setup.stack import has_stack_tag, tag_list

NAMESPACE = "sagemaker"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
#: Queued photos per instance the target tracking aims at; one photo takes a few seconds on a GPU.
BACKLOG_TARGET = 4.0
SCALE_IN_COOLDOWN_S = 600  # ten quiet minutes before giving an instance back
SCALE_OUT_COOLDOWN_S = 120
WAKE_COOLDOWN_S = 150
KIND_TARGET = "scalable target"
KIND_POLICY = "scaling policy"
KIND_ALARM = "cloudwatch alarm"


def _ids(ctx: StackContext) -> dict:
    return {
        "ServiceNamespace": NAMESPACE,
        "ResourceId": ctx.names.scaling_resource_id,
        "ScalableDimension": DIMENSION,
    }


def target_tracking(ctx: StackContext) -> dict:
    return {
        "TargetValue": BACKLOG_TARGET,
        "CustomizedMetricSpecification": {
            "MetricName": "ApproximateBacklogSizePerInstance",
            "Namespace": "AWS/SageMaker",
            "Dimensions": [{"Name": "EndpointName", "Value": ctx.names.endpoint}],
            "Statistic": "Average",
        },
        "ScaleInCooldown": SCALE_IN_COOLDOWN_S,
        "ScaleOutCooldown": SCALE_OUT_COOLDOWN_S,
    }


STEP_SCALING = {
    "AdjustmentType": "ChangeInCapacity",
    "MetricAggregationType": "Average",
    "Cooldown": WAKE_COOLDOWN_S,
    "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}],
}


def alarm_spec(ctx: StackContext, policy_arn: str) -> dict:
    return {
        "AlarmName": ctx.names.wake_alarm,
        "AlarmDescription": f"wake the Time Traveler endpoint of stack {ctx.stack} from zero instances",
        "MetricName": "HasBacklogWithoutCapacity",
        "Namespace": "AWS/SageMaker",
        "Dimensions": [{"Name": "EndpointName", "Value": ctx.names.endpoint}],
        "Statistic": "Average",
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "missing",
        "AlarmActions": [policy_arn],
    }


def _target(aas, ctx: StackContext) -> dict | None:
    targets = aas.describe_scalable_targets(
        ServiceNamespace=NAMESPACE, ResourceIds=[ctx.names.scaling_resource_id]
    )
    return next(iter(targets["ScalableTargets"]), None)


def _policies(aas, ctx: StackContext) -> dict[str, dict]:
    found = aas.describe_scaling_policies(
        ServiceNamespace=NAMESPACE, ResourceId=ctx.names.scaling_resource_id
    )
    return {p["PolicyName"]: p for p in found["ScalingPolicies"]}


def _alarm(cw, name: str) -> dict | None:
    return next(iter(cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]), None)


def _same(current: dict, wanted: dict) -> bool:
    """Compare only the keys we set (AWS adds defaults of its own)."""
    for key, value in wanted.items():
        have = current.get(key)
        if isinstance(value, dict):
            if not isinstance(have, dict) or not _same(have, value):
                return False
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            if not isinstance(have, list) or len(have) != len(value) or not all(map(_same, have, value)):
                return False
        elif have != value:
            return False
    return True


def ensure(ctx: StackContext) -> None:
    aas = ctx.clients.application_autoscaling
    cw = ctx.clients.cloudwatch
    ids = _ids(ctx)
    minimum, maximum = ctx.options.min_instances, ctx.options.max_instances

    target = _target(aas, ctx)
    if target is None:
        action = CREATED
    elif (target["MinCapacity"], target["MaxCapacity"]) != (minimum, maximum):
        action = UPDATED
    else:
        action = UNCHANGED
    if action != UNCHANGED:
        aas.register_scalable_target(MinCapacity=minimum, MaxCapacity=maximum, **ids)
    ctx.report.record(action, KIND_TARGET, ids["ResourceId"], f"{minimum}..{maximum} instances")

    policies = _policies(aas, ctx)
    wanted = {
        ctx.names.target_tracking_policy: (
            "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration",
            target_tracking(ctx),
        ),
        ctx.names.wake_policy: ("StepScaling", "StepScalingPolicyConfiguration", STEP_SCALING),
    }
    arns = {}
    for name, (policy_type, key, config) in wanted.items():
        current = policies.get(name)
        if (
            current is not None
            and current["PolicyType"] == policy_type
            and _same(current.get(key, {}), config)
        ):
            arns[name] = current["PolicyARN"]
            ctx.report.record(UNCHANGED, KIND_POLICY, name)
            continue
        arns[name] = aas.put_scaling_policy(PolicyName=name, PolicyType=policy_type, **{key: config}, **ids)[
            "PolicyARN"
        ]
        ctx.report.record(CREATED if current is None else UPDATED, KIND_POLICY, name, policy_type)

    spec = alarm_spec(ctx, arns[ctx.names.wake_policy])
    current = _alarm(cw, ctx.names.wake_alarm)
    if current is not None and _same(current, spec):
        ctx.report.record(UNCHANGED, KIND_ALARM, ctx.names.wake_alarm)
    else:
        cw.put_metric_alarm(Tags=tag_list(ctx.stack), **spec)
        ctx.report.record(
            CREATED if current is None else UPDATED,
            KIND_ALARM,
            ctx.names.wake_alarm,
            "HasBacklogWithoutCapacity >= 1",
        )


def describe(ctx: StackContext) -> list[tuple[str, str, str]]:
    aas = ctx.clients.application_autoscaling
    target = _target(aas, ctx)
    rows = [(KIND_TARGET, ctx.names.scaling_resource_id,
             "absent" if target is None else f"{target['MinCapacity']}..{target['MaxCapacity']} instances")]  # fmt: skip
    policies = _policies(aas, ctx)
    for name in (ctx.names.target_tracking_policy, ctx.names.wake_policy):
        rows.append((KIND_POLICY, name, policies[name]["PolicyType"] if name in policies else "absent"))
    alarm = _alarm(ctx.clients.cloudwatch, ctx.names.wake_alarm)
    rows.append((KIND_ALARM, ctx.names.wake_alarm, "absent" if alarm is None else alarm["StateValue"]))
    return rows


def delete(ctx: StackContext, quiet: bool = False) -> None:
    """Alarm, policies, then the scalable target. `quiet` skips the report (used before an endpoint update)."""
    aas, cw = ctx.clients.application_autoscaling, ctx.clients.cloudwatch
    record = (lambda *args: None) if quiet else ctx.report.record
    alarm = _alarm(cw, ctx.names.wake_alarm)
    owned = alarm is not None and has_stack_tag(
        cw.list_tags_for_resource(ResourceARN=alarm["AlarmArn"]).get("Tags", []), ctx.stack
    )
    if owned:
        cw.delete_alarms(AlarmNames=[ctx.names.wake_alarm])
    record(DELETED if owned else ABSENT, KIND_ALARM, ctx.names.wake_alarm)
    policies = _policies(aas, ctx)
    for name in (ctx.names.wake_policy, ctx.names.target_tracking_policy):
        if name in policies:
            aas.delete_scaling_policy(PolicyName=name, **_ids(ctx))
        record(DELETED if name in policies else ABSENT, KIND_POLICY, name)
    target = _target(aas, ctx)
    if target is not None:
        try:
            aas.deregister_scalable_target(**_ids(ctx))
        except ClientError as exc:
            if not is_missing(exc, "ObjectNotFoundException"):
                raise
    record(DELETED if target is not None else ABSENT, KIND_TARGET, ctx.names.scaling_resource_id)
