"""The job table on DynamoDB: partition key `job_id` (S), TTL attribute `expires_at` (epoch seconds)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from job_service.model import UNFINISHED, Job, JobStatus

#: The table's TTL attribute; the deploy enables TTL on it so DynamoDB deletes expired jobs itself.
TTL_ATTRIBUTE = "expires_at"
_NUMBERS = ("created_at", "updated_at", "expires_at", "frame_count")


def _to_item(job: Job) -> dict:
    item = {
        "job_id": job.job_id,
        "status": str(job.status),
        "created_at": Decimal(str(round(job.created_at, 3))),
        "updated_at": Decimal(str(round(job.updated_at, 3))),
        "ages": list(job.ages),
        "content_type": job.content_type,
        TTL_ATTRIBUTE: int(job.expires_at),
        "frame_count": job.frame_count,
    }
    for name in ("engine", "error_code", "error_message", "sitter"):
        value = getattr(job, name)
        if value is not None:
            item[name] = value
    if job.shown_ages is not None:
        item["shown_ages"] = list(job.shown_ages)
    return item


def _from_item(item: dict) -> Job:
    return Job(
        job_id=item["job_id"],
        status=JobStatus(item["status"]),
        created_at=float(item["created_at"]),
        updated_at=float(item["updated_at"]),
        ages=tuple(int(age) for age in item.get("ages", [])),
        content_type=item.get("content_type", "image/jpeg"),
        expires_at=float(item.get(TTL_ATTRIBUTE, 0)),
        frame_count=int(item.get("frame_count", 0)),
        engine=item.get("engine"),
        error_code=item.get("error_code"),
        error_message=item.get("error_message"),
        sitter=item.get("sitter"),
        shown_ages=tuple(int(age) for age in item["shown_ages"]) if item.get("shown_ages") else None,
    )


def _dynamo_value(name: str, value):
    if isinstance(value, JobStatus):
        return str(value)
    if name == TTL_ATTRIBUTE:
        return int(value)
    if isinstance(value, float):
        return Decimal(str(round(value, 3)))
    if isinstance(value, tuple):
        return list(value)
    return value


class DynamoJobTable:
    """`table` is a boto3 `dynamodb.Table` resource; status changes are conditional writes."""

    def __init__(self, table):
        self.table = table

    def create(self, job: Job) -> bool:
        try:
            self.table.put_item(Item=_to_item(job), ConditionExpression="attribute_not_exists(job_id)")
            return True
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    def get(self, job_id: str) -> Job | None:
        item = self.table.get_item(Key={"job_id": job_id}, ConsistentRead=True).get("Item")
        return _from_item(item) if item else None

    def update(self, job_id: str, expected: Iterable[JobStatus], **changes) -> Job | None:
        names = {f"#f{i}": name for i, name in enumerate(changes)}
        values = {f":v{i}": _dynamo_value(name, value) for i, (name, value) in enumerate(changes.items())}
        statuses = {f":s{i}": str(status) for i, status in enumerate(expected)}
        names["#status"] = "status"
        try:
            answer = self.table.update_item(
                Key={"job_id": job_id},
                UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(changes))),
                ConditionExpression=f"attribute_exists(job_id) AND #status IN ({', '.join(statuses)})",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={**values, **statuses},
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return _from_item(answer["Attributes"])

    def _scan(self, condition) -> list[Job]:
        jobs, kwargs = [], {"FilterExpression": condition, "ConsistentRead": True}
        while True:
            page = self.table.scan(**kwargs)
            jobs.extend(_from_item(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return jobs
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def unfinished(self) -> list[Job]:
        return self._scan(Attr("status").is_in([str(status) for status in UNFINISHED]))

    def expired(self, now: float) -> list[Job]:
        return self._scan(Attr(TTL_ATTRIBUTE).lte(int(now)))

    def delete(self, job_id: str) -> None:
        self.table.delete_item(Key={"job_id": job_id})
