"""The booth's REST API: API Gateway in front of the api function, every booth route behind the booth's key,
plus the public share route in front of the share function, without a key and throttled.

Routes are API.md's, plus the optional presigned upload. A frame's path is `/results/{job_id}/{frame}`
because API Gateway path parameters are whole segments (`{index}.jpg` cannot be one).
"""

from __future__ import annotations

import json

from cloud_setup.stack import StackOptions
from cloud_setup.template.cfn import get_att, ref, short_hash, sub
from job_service.aws.share_route import SHARE_ROUTE

STAGE = "v1"
#: (path, method) of the booth's routes: the api function, API key required.
ROUTES = (
    ("/health", "GET"),
    ("/uploads/{job_id}", "PUT"),
    ("/uploads/{job_id}/presign", "POST"),
    ("/jobs/{job_id}", "GET"),
    ("/results/{job_id}/{frame}", "GET"),
)
#: (path, method) of the attendee's link (the page; `{file}`: animation.gif or .mp4): the share function, no key.
SHARE_ROUTES = (
    (f"{SHARE_ROUTE}/{{job_id}}/{{token}}", "GET"),
    (f"{SHARE_ROUTE}/{{job_id}}/{{token}}/{{file}}", "GET"),
)
#: Stage throttling of each share method, for every caller together (no key, so no usage plan applies): a
#: person opens a link a few times; a scanner guessing links gets 429s past this and its bill stays bounded.
SHARE_THROTTLE = {"ThrottlingRateLimit": 5.0, "ThrottlingBurstLimit": 10}
#: `*/*` makes API Gateway hand every body to the proxy function base64-encoded and turn its base64 JPEG
#: answers back into bytes whatever the client's Accept header says.
BINARY_MEDIA_TYPES = ["image/jpeg", "image/png", "*/*"]
#: One booth polls about once a second while a photo is processed; a few booths share a stack.
THROTTLE = {"RateLimit": 20.0, "BurstLimit": 40}
#: API Gateway's own refusals, in API.md's error shape.
GATEWAY_RESPONSES = {
    "INVALID_API_KEY": ("403", "FORBIDDEN", "A valid API key is required."),
    "MISSING_AUTHENTICATION_TOKEN": ("404", "NOT_FOUND", "No such route."),
    "REQUEST_TOO_LARGE": ("413", "TOO_LARGE", "The photo is larger than 10 MB."),
}


def _logical(path: str) -> str:
    """`/results/{job_id}/{frame}` -> `ResultsJobIdFrame`."""
    parts = [p.strip("{}") for p in path.strip("/").split("/")]
    return "".join(word.capitalize() for part in parts for word in part.split("_"))


def _resources() -> dict[str, dict]:
    """One AWS::ApiGateway::Resource per path segment, parents first."""
    out: dict[str, dict] = {}
    for path, _ in ROUTES + SHARE_ROUTES:
        segments = path.strip("/").split("/")
        for depth in range(1, len(segments) + 1):
            prefix = "/" + "/".join(segments[:depth])
            parent = "/" + "/".join(segments[: depth - 1])
            out.setdefault(
                f"{_logical(prefix)}Resource",
                {
                    "Type": "AWS::ApiGateway::Resource",
                    "Properties": {
                        "RestApiId": ref("RestApi"),
                        "ParentId": get_att("RestApi", "RootResourceId")
                        if depth == 1
                        else ref(f"{_logical(parent)}Resource"),
                        "PathPart": segments[depth - 1],
                    },
                },
            )
    return out


def _method_id(path: str, method: str) -> str:
    """`/jobs/{job_id}`, GET -> `JobsJobIdGetMethod`."""
    return f"{_logical(path)}{method.capitalize()}Method"


def _setting_path(path: str) -> str:
    """A stage method setting names its resource with each `/` written `~1`: `/share/{job_id}` -> `/~1share~1{job_id}`."""
    return "/" + path.replace("/", "~1")


def _method(path: str, method: str, function: str = "ApiFunction", api_key: bool = True) -> dict:
    params = [part.strip("{}") for part in path.split("/") if part.startswith("{")]
    return {
        "Type": "AWS::ApiGateway::Method",
        "Properties": {
            "RestApiId": ref("RestApi"),
            "ResourceId": ref(f"{_logical(path)}Resource"),
            "HttpMethod": method,
            "AuthorizationType": "NONE",
            "ApiKeyRequired": api_key,
            "RequestParameters": {f"method.request.path.{p}": True for p in params},
            "Integration": {
                "Type": "AWS_PROXY",
                "IntegrationHttpMethod": "POST",
                "Uri": sub(
                    "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                    f"${{{function}.Arn}}/invocations"
                ),
                "TimeoutInMillis": 29000,
            },
        },
    }


def resources(options: StackOptions) -> dict:
    out: dict = {
        "RestApi": {
            "Type": "AWS::ApiGateway::RestApi",
            "Properties": {
                "Name": f"{options.name}-api",
                "Description": f"Time Traveler booth API of stack {options.name}",
                "BinaryMediaTypes": BINARY_MEDIA_TYPES,
                "EndpointConfiguration": {"Types": ["REGIONAL"]},
            },
        },
        **_resources(),
    }
    methods = {_method_id(path, method): _method(path, method) for path, method in ROUTES}
    for path, method in SHARE_ROUTES:
        methods[_method_id(path, method)] = _method(path, method, "ShareFunction", api_key=False)
    out.update(methods)
    for response_type, (status, code, message) in GATEWAY_RESPONSES.items():
        out[f"{_logical(response_type.lower())}Response"] = {
            "Type": "AWS::ApiGateway::GatewayResponse",
            "Properties": {
                "RestApiId": ref("RestApi"),
                "ResponseType": response_type,
                "StatusCode": status,
                "ResponseTemplates": {
                    "application/json": json.dumps({"error": {"code": code, "message": message}})
                },
            },
        }
    # A deployment is a snapshot: naming it after the routes makes CloudFormation make a new one whenever
    # they change, and keeps the same one (no change) when they do not.
    deployment = f"ApiDeployment{short_hash([methods, GATEWAY_RESPONSES])}"
    out[deployment] = {
        "Type": "AWS::ApiGateway::Deployment",
        "DependsOn": sorted(methods),
        "Properties": {"RestApiId": ref("RestApi"), "Description": f"routes of stack {options.name}"},
    }
    out["ApiStage"] = {
        "Type": "AWS::ApiGateway::Stage",
        "Properties": {
            "RestApiId": ref("RestApi"),
            "StageName": STAGE,
            "DeploymentId": ref(deployment),
            "MethodSettings": [
                {"ResourcePath": _setting_path(path), "HttpMethod": method, **SHARE_THROTTLE}
                for path, method in SHARE_ROUTES
            ],
        },
    }
    out["BoothApiKey"] = {
        "Type": "AWS::ApiGateway::ApiKey",
        "Properties": {
            "Name": f"{options.name}-booth-key",
            "Description": f"booth key of stack {options.name}",
            "Enabled": True,
        },
    }
    out["BoothUsagePlan"] = {
        "Type": "AWS::ApiGateway::UsagePlan",
        "Properties": {
            "UsagePlanName": f"{options.name}-booth-plan",
            "Description": f"booths of stack {options.name}",
            "ApiStages": [{"ApiId": ref("RestApi"), "Stage": ref("ApiStage")}],
            "Throttle": THROTTLE,
            "Quota": {"Limit": options.daily_quota, "Period": "DAY"},
        },
    }
    out["BoothUsagePlanKey"] = {
        "Type": "AWS::ApiGateway::UsagePlanKey",
        "Properties": {
            "KeyId": ref("BoothApiKey"),
            "KeyType": "API_KEY",
            "UsagePlanId": ref("BoothUsagePlan"),
        },
    }
    out["ApiFunctionApiPermission"] = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "FunctionName": ref("ApiFunction"),
            "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": sub(
                "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/*"
            ),
        },
    }
    out["ShareFunctionApiPermission"] = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "FunctionName": ref("ShareFunction"),
            "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": sub(
                "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
                f"${{RestApi}}/*/GET{SHARE_ROUTE}/*"
            ),
        },
    }
    return out


def url_output() -> dict:
    return sub(f"https://${{RestApi}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{STAGE}")
