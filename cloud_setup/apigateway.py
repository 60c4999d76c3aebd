"""The booth's REST API: API Gateway in front of the api Lambda, every route behind an API key.

Routes are API.md's. A frame's path is `/results/{job_id}/{frame}` because API Gateway path
parameters are whole segments (`{index}.jpg` cannot be one); the handler reads `1.jpg` from `frame`.
"""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from cloud_setup.context import StackContext, is_missing
from cloud_setup.lambdas import ensure_permission
from cloud_setup.report import ABSENT, CREATED, DELETED, UNCHANGED, UPDATED
from cloud_setup.stack import has_stack_tag, stack_tags

KIND = "api gateway rest api"
#: (path, method) of API.md.
ROUTES = (
    ("/health", "GET"),
    ("/uploads/{job_id}", "PUT"),
    ("/jobs/{job_id}", "GET"),
    ("/results/{job_id}/{frame}", "GET"),
)
#: Photos arrive as JPEG/PNG; `*/*` makes API Gateway pass every body to the proxy Lambda base64-encoded
#: and turn the Lambda's base64 JPEG answers back into bytes whatever the client's Accept header.
BINARY_MEDIA_TYPES = ["image/jpeg", "image/png", "*/*"]
THROTTLE = {"rateLimit": 20.0, "burstLimit": 40}
#: API Gateway's own refusals in API.md's error shape.
GATEWAY_RESPONSES = {
    "INVALID_API_KEY": ("403", "FORBIDDEN", "A valid API key is required."),
    "MISSING_AUTHENTICATION_TOKEN": ("404", "NOT_FOUND", "No such route."),
    "REQUEST_TOO_LARGE": ("413", "TOO_LARGE", "The photo is larger than 10 MB."),
}


def _find_named(apigw, lister: str, name: str, **query) -> dict | None:
    """The first item called `name` in a paginated API Gateway listing (REST APIs, keys, usage plans)."""
    for page in apigw.get_paginator(lister).paginate(**query):
        for item in page["items"]:
            if item["name"] == name:
                return item
    return None


def _find_api(apigw, name: str) -> dict | None:
    return _find_named(apigw, "get_rest_apis", name)


def api_url(ctx: StackContext, api_id: str) -> str:
    return f"https://{api_id}.execute-api.{ctx.names.region}.amazonaws.com/{ctx.names.stage}"


def _ensure_rest_api(ctx: StackContext) -> tuple[dict, bool, bool]:
    """The API by name, with our binary media types; returns (api, created, updated)."""
    apigw = ctx.clients.apigateway
    api = _find_api(apigw, ctx.names.rest_api)
    created = api is None
    if created:
        api = apigw.create_rest_api(
            name=ctx.names.rest_api,
            description=f"Time Traveler booth API of stack {ctx.stack}",
            binaryMediaTypes=BINARY_MEDIA_TYPES,
            endpointConfiguration={"types": ["REGIONAL"]},
            tags=stack_tags(ctx.stack),
        )
        api = apigw.get_rest_api(restApiId=api["id"])
    elif not has_stack_tag(api.get("tags", {}), ctx.stack):
        raise RuntimeError(f"REST API {ctx.names.rest_api} exists but does not belong to stack {ctx.stack}")
    missing = [t for t in BINARY_MEDIA_TYPES if t not in api.get("binaryMediaTypes", [])]
    if missing:
        # Only where create ignored them (moto) or someone removed them; `value` is for emulators.
        apigw.update_rest_api(
            restApiId=api["id"],
            patchOperations=[
                {"op": "add", "path": f"/binaryMediaTypes/{t.replace('/', '~1')}", "value": t}
                for t in missing
            ],
        )
    return api, created, bool(missing) and not created


def _ensure_resource(apigw, api_id: str, path: str, resources: dict[str, dict]) -> tuple[str, bool]:
    """Create each missing segment of `path`; returns the resource id and whether anything was made."""
    if path in resources:
        return resources[path]["id"], False
    parent_path, _, part = path.rpartition("/")
    parent_id, _ = _ensure_resource(apigw, api_id, parent_path or "/", resources)
    made = apigw.create_resource(restApiId=api_id, parentId=parent_id, pathPart=part)
    resources[path] = made
    return made["id"], True


def _ensure_method(apigw, api_id: str, resource_id: str, method: str, uri: str, params: list[str]) -> bool:
    """A key-protected method with a Lambda proxy integration; True when anything changed."""
    changed = False
    try:
        current = apigw.get_method(restApiId=api_id, resourceId=resource_id, httpMethod=method)
    except ClientError as exc:
        if not is_missing(exc):
            raise
        current = None
    if current is None or not current.get("apiKeyRequired"):
        if current is not None:
            apigw.delete_method(restApiId=api_id, resourceId=resource_id, httpMethod=method)
        apigw.put_method(
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod=method,
            authorizationType="NONE",
            apiKeyRequired=True,
            requestParameters={f"method.request.path.{p}": True for p in params},
        )
        current, changed = {}, True
    integration = current.get("methodIntegration") or {}
    if integration.get("uri") != uri or integration.get("type") != "AWS_PROXY":
        apigw.put_integration(
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod=method,
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=uri,
            timeoutInMillis=29000,
        )
        changed = True
    return changed


def _ensure_gateway_responses(apigw, api_id: str) -> bool:
    changed = False
    existing = {
        item["responseType"]: item for item in apigw.get_gateway_responses(restApiId=api_id).get("items", [])
    }
    for response_type, (status, code, message) in GATEWAY_RESPONSES.items():
        body = json.dumps({"error": {"code": code, "message": message}})
        current = existing.get(response_type, {})
        if (
            current.get("statusCode") == status
            and current.get("responseTemplates", {}).get("application/json") == body
        ):
            continue
        apigw.put_gateway_response(
            restApiId=api_id,
            responseType=response_type,
            statusCode=status,
            responseTemplates={"application/json": body},
        )
        changed = True
    return changed


def _ensure_stage(ctx: StackContext, api_id: str, changed: bool) -> bool:
    """Deploy when the API changed or the stage is missing; True when a deployment was made."""
    apigw = ctx.clients.apigateway
    try:
        apigw.get_stage(restApiId=api_id, stageName=ctx.names.stage)
        exists = True
    except ClientError as exc:
        if not is_missing(exc):
            raise
        exists = False
    if exists and not changed:
        return False
    deployment = apigw.create_deployment(restApiId=api_id, description=f"deploy of stack {ctx.stack}")
    if exists:
        apigw.update_stage(
            restApiId=api_id,
            stageName=ctx.names.stage,
            patchOperations=[{"op": "replace", "path": "/deploymentId", "value": deployment["id"]}],
        )
    else:
        apigw.create_stage(
            restApiId=api_id,
            stageName=ctx.names.stage,
            deploymentId=deployment["id"],
            tags=stack_tags(ctx.stack),
        )
    return True


def _find_key(apigw, name: str) -> dict | None:
    return _find_named(apigw, "get_api_keys", name, nameQuery=name, includeValues=True)


def _find_plan(apigw, name: str) -> dict | None:
    return _find_named(apigw, "get_usage_plans", name)


def _ensure_key_and_plan(ctx: StackContext, api_id: str) -> tuple[str, bool]:
    """The booth's API key, in a throttled usage plan on this API's stage; returns (key value, changed)."""
    apigw = ctx.clients.apigateway
    changed = False
    key = _find_key(apigw, ctx.names.api_key)
    if key is None:
        key = apigw.create_api_key(
            name=ctx.names.api_key,
            description=f"booth key of stack {ctx.stack}",
            enabled=True,
            tags=stack_tags(ctx.stack),
        )
        ctx.report.record(CREATED, "api gateway api key", ctx.names.api_key)
        changed = True
    else:
        ctx.report.record(UNCHANGED, "api gateway api key", ctx.names.api_key)
    stage = {"apiId": api_id, "stage": ctx.names.stage}
    plan = _find_plan(apigw, ctx.names.usage_plan)
    plan_action = UNCHANGED
    if plan is None:
        plan = apigw.create_usage_plan(
            name=ctx.names.usage_plan,
            description=f"booths of stack {ctx.stack}",
            apiStages=[stage],
            throttle=THROTTLE,
            tags=stack_tags(ctx.stack),
        )
        plan_action = CREATED
    elif stage not in [{"apiId": s["apiId"], "stage": s["stage"]} for s in plan.get("apiStages", [])]:
        apigw.update_usage_plan(
            usagePlanId=plan["id"],
            patchOperations=[{"op": "add", "path": "/apiStages", "value": f"{api_id}:{ctx.names.stage}"}],
        )
        plan_action = UPDATED
    keys = apigw.get_usage_plan_keys(usagePlanId=plan["id"]).get("items", [])
    if key["id"] not in [k["id"] for k in keys]:
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
        plan_action = plan_action if plan_action == CREATED else UPDATED
    ctx.report.record(
        plan_action, "api gateway usage plan", ctx.names.usage_plan, f"{THROTTLE['rateLimit']:g} req/s"
    )
    value = key.get("value") or apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"]
    return value, changed or plan_action != UNCHANGED


def ensure(ctx: StackContext) -> None:
    apigw = ctx.clients.apigateway
    api, created, changed = _ensure_rest_api(ctx)
    api_id = api["id"]
    function = ctx.names.function("api")
    function_arn = ctx.outputs["api_function_arn"]
    uri = f"arn:aws:apigateway:{ctx.names.region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    resources = {
        r["path"]: r
        for page in apigw.get_paginator("get_resources").paginate(restApiId=api_id)
        for r in page["items"]
    }
    for path, method in ROUTES:
        resource_id, made = _ensure_resource(apigw, api_id, path, resources)
        params = [part.strip("{}") for part in path.split("/") if part.startswith("{")]
        changed |= made | _ensure_method(apigw, api_id, resource_id, method, uri, params)
    changed |= _ensure_gateway_responses(apigw, api_id)
    source_arn = ctx.names.arn("execute-api", f"{api_id}/*")
    permission_added = ensure_permission(
        ctx, function, "apigateway-invoke", "apigateway.amazonaws.com", source_arn
    )
    deployed = _ensure_stage(ctx, api_id, changed)
    action = CREATED if created else (UPDATED if changed or deployed or permission_added else UNCHANGED)
    ctx.outputs["api_id"] = api_id
    ctx.outputs["api_url"] = api_url(ctx, api_id)
    ctx.report.record(action, KIND, ctx.names.rest_api, ctx.outputs["api_url"])
    ctx.outputs["api_key"], _ = _ensure_key_and_plan(ctx, api_id)


def describe(ctx: StackContext) -> list[tuple[str, str, str]]:
    apigw = ctx.clients.apigateway
    api = _find_api(apigw, ctx.names.rest_api)
    rows = [(KIND, ctx.names.rest_api, "absent" if api is None else f"present, {api_url(ctx, api['id'])}")]
    if api is not None:
        ctx.outputs["api_url"] = api_url(ctx, api["id"])
    rows.append(
        (
            "api gateway api key",
            ctx.names.api_key,
            "present" if _find_key(apigw, ctx.names.api_key) else "absent",
        )
    )
    rows.append(
        (
            "api gateway usage plan",
            ctx.names.usage_plan,
            "present" if _find_plan(apigw, ctx.names.usage_plan) else "absent",
        )
    )
    return rows


def delete(ctx: StackContext) -> None:
    apigw = ctx.clients.apigateway
    plan = _find_plan(apigw, ctx.names.usage_plan)
    if plan is not None and has_stack_tag(plan.get("tags", {}), ctx.stack):
        for key in apigw.get_usage_plan_keys(usagePlanId=plan["id"]).get("items", []):
            apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
        if plan.get("apiStages"):
            apigw.update_usage_plan(
                usagePlanId=plan["id"],
                patchOperations=[
                    {"op": "remove", "path": "/apiStages", "value": f"{s['apiId']}:{s['stage']}"}
                    for s in plan["apiStages"]
                ],
            )
        apigw.delete_usage_plan(usagePlanId=plan["id"])
        ctx.report.record(DELETED, "api gateway usage plan", ctx.names.usage_plan)
    else:
        ctx.report.record(ABSENT, "api gateway usage plan", ctx.names.usage_plan)
    key = _find_key(apigw, ctx.names.api_key)
    if key is not None and has_stack_tag(key.get("tags", {}), ctx.stack):
        apigw.delete_api_key(apiKey=key["id"])
        ctx.report.record(DELETED, "api gateway api key", ctx.names.api_key)
    else:
        ctx.report.record(ABSENT, "api gateway api key", ctx.names.api_key)
    api = _find_api(apigw, ctx.names.rest_api)
    if api is not None and has_stack_tag(api.get("tags", {}), ctx.stack):
        apigw.delete_rest_api(restApiId=api["id"])  # takes its resources, methods, stages and deployments
        ctx.report.record(DELETED, KIND, ctx.names.rest_api)
    else:
        ctx.report.record(ABSENT, KIND, ctx.names.rest_api)
