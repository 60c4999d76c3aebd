"""The object store on S3: private objects, frames answered as presigned GET URLs."""

from __future__ import annotations

from urllib.parse import urlparse

from botocore.exceptions import ClientError

_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3ObjectStore:
    """Photos (`uploads/...`) in `bucket`, frames (`results/...`) in `results_bucket` (default: the same one).
    `url_expires` is the presigned frame URLs' lifetime in seconds, `upload_expires` the presigned upload
    forms' (their defaults: job_service.aws.settings)."""

    def __init__(
        self,
        client,
        bucket: str,
        results_bucket: str | None = None,
        *,
        url_expires: int,
        upload_expires: int,
    ):
        self.client = client
        self.bucket = bucket
        self.results_bucket = results_bucket or bucket
        self.url_expires = url_expires
        self.upload_expires = upload_expires

    def _bucket(self, key: str) -> str:
        return self.results_bucket if key.startswith("results/") else self.bucket

    def put(self, key: str, data: bytes, content_type: str) -> None:
        # A single PutObject is atomic: readers see the whole object or none.
        self.client.put_object(Bucket=self._bucket(key), Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self._bucket(key), Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self._bucket(key), Key=key)
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return False
            raise

    def delete_prefix(self, prefix: str) -> None:
        bucket = self._bucket(prefix)
        if not prefix.endswith("/"):
            self.client.delete_object(Bucket=bucket, Key=prefix)
            return
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})

    def url(self, key: str) -> str | None:
        return self.signed_get(key, self.url_expires)

    def signed_get(self, key: str, expires_in: int, **response_headers: str) -> str:
        """A presigned GET of one object, valid `expires_in` seconds; `response_headers` are S3's
        `Response*` overrides (ResponseContentType=..., ResponseCacheControl=...)."""
        return self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket(key), "Key": key, **response_headers},
            ExpiresIn=expires_in,
        )

    def presign_upload(self, key: str, content_type: str, max_bytes: int) -> dict:
        """A presigned POST form for one photo: this key and content type only, at most `max_bytes`,
        valid `upload_expires` seconds. The client sends `fields` plus the file as multipart/form-data."""
        form = self.client.generate_presigned_post(
            Bucket=self._bucket(key),
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=self.upload_expires,
        )
        return {
            "method": "POST",
            "url": form["url"],
            "fields": form["fields"],
            "file_field": "file",
            "max_bytes": max_bytes,
            "expires_in": self.upload_expires,
        }

    def delete_url(self, url: str) -> None:
        """Delete the object at an `s3://` URL (SageMaker's output and failure bodies once a job is done)."""
        bucket, key = split_s3_url(url)
        self.client.delete_object(Bucket=bucket, Key=key)

    def location(self, key: str) -> str:
        """`s3://bucket/key`, the form SageMaker takes as InputLocation."""
        return f"s3://{self._bucket(key)}/{key}"


def split_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/a/b` -> ("bucket", "a/b"); ValueError for anything else."""
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc or not parsed.path.strip("/"):
        raise ValueError(f"not an s3:// object URL: {url!r}")
    return parsed.netloc, parsed.path.lstrip("/")


def read_s3_url(client, url: str) -> bytes:
    """The bytes at an `s3://` URL (SageMaker's output and failure locations lie in its own output path)."""
    bucket, key = split_s3_url(url)
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()
