"""Where recordings are kept: the operator's storage, never callwright's.

`RecordingStore` is the one interface; `LocalFolderStore` keeps files in a folder (the
default, what `make run` uses) and answers download links the issuer signs and serves
(`/v1/recording-files/...`); `S3Store` keeps them in any S3-compatible object store
(path-style addressing, so MinIO, SeaweedFS and R2 work as AWS S3 does) and answers links
the store presigns. Keys are `<org id>/<session id>.ogg`, never a path a request names.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import re
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlencode

from callwright_shared.recordings.settings import RecordingSettings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CONTENT_TYPE = "audio/ogg"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}\.ogg$")
FILE_ROUTE = "/v1/recording-files"


class StorageError(Exception):
    """The store refused or could not be reached; the message is safe to record."""


def key_of(org_id: str, session_id: str) -> str:
    key = f"{org_id}/{session_id}.ogg"
    if not KEY_PATTERN.fullmatch(key):
        raise ValueError(f"not a recording key: {key!r}")
    return key


class RecordingStore(Protocol):
    async def put(self, key: str, path: Path) -> int:
        """Store the file under `key`; returns its size in bytes."""
        ...

    async def delete(self, key: str) -> None:
        """Delete the object (no error when it is already gone)."""
        ...

    async def exists(self, key: str) -> bool: ...

    def download_url(self, key: str, *, expires_at: int, issuer_url: str) -> str:
        """A link that fetches the object without an API key until `expires_at` (unix
        seconds). `issuer_url` is where the issuer answers (for the signed local links)."""
        ...


def _signature(secret: bytes, key: str, expires_at: int) -> str:
    mac = hmac.new(secret, f"{key}\n{expires_at}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def link_secret(settings: RecordingSettings, livekit_api_secret: str) -> bytes:
    """The key of the local folder's links (docs/decisions.md#recording-links)."""
    if settings.url_secret is not None:
        return settings.url_secret.get_secret_value().encode()
    return hmac.new(
        livekit_api_secret.encode(), b"callwright recording links", hashlib.sha256
    ).digest()


def link_valid(secret: bytes, key: str, expires_at: int, signature: str, *, now: float) -> bool:
    if expires_at < now or not KEY_PATTERN.fullmatch(key):
        return False
    return hmac.compare_digest(_signature(secret, key, expires_at), signature)


class LocalFolderStore:
    def __init__(self, root: str | Path, *, secret: bytes) -> None:
        self.root = Path(root).resolve()
        self.secret = secret

    def path_of(self, key: str) -> Path:
        if not KEY_PATTERN.fullmatch(key):
            raise StorageError("not a recording key")
        return self.root / key

    async def put(self, key: str, path: Path) -> int:
        target = self.path_of(key)

        def copy() -> int:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(f".{os.getpid()}.part")
            shutil.copyfile(path, partial)
            os.replace(partial, target)  # readers never see half a file
            return target.stat().st_size

        try:
            return await asyncio.to_thread(copy)
        except OSError as exc:
            raise StorageError(f"could not write the recording: {exc.strerror}") from None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path_of(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path_of(key).is_file)

    def download_url(self, key: str, *, expires_at: int, issuer_url: str) -> str:
        query = urlencode(
            {"expires": expires_at, "signature": _signature(self.secret, key, expires_at)}
        )
        return f"{issuer_url.rstrip('/')}{FILE_ROUTE}/{key}?{query}"


class S3Store:
    def __init__(self, settings: RecordingSettings) -> None:
        import boto3
        from botocore.config import Config

        secret = settings.s3_secret_access_key
        self._bucket = settings.s3_bucket
        self._client: S3Client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=secret.get_secret_value() if secret else None,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                # Checksums only where S3 requires them: boto3's default trailing
                # checksums are refused by several S3-compatible stores.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=10,
                read_timeout=60,
            ),
        )

    async def _call(self, what: str, fn: object, *args: object, **kwargs: object) -> object:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return await asyncio.to_thread(fn, *args, **kwargs)  # type: ignore[arg-type]
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "error")
            raise StorageError(f"the object store refused to {what}: {code}") from None
        except BotoCoreError as exc:
            raise StorageError(f"could not {what}: {type(exc).__name__}") from None

    async def put(self, key: str, path: Path) -> int:
        await self._call(
            "store the recording",
            self._client.upload_file,
            str(path),
            self._bucket,
            key,
            ExtraArgs={"ContentType": CONTENT_TYPE},
        )
        return await asyncio.to_thread(os.path.getsize, path)

    async def delete(self, key: str) -> None:
        await self._call(
            "delete the recording", self._client.delete_object, Bucket=self._bucket, Key=key
        )

    async def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            await asyncio.to_thread(self._client.head_object, Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise StorageError("the object store refused to look the recording up") from None
        return True

    def download_url(self, key: str, *, expires_at: int, issuer_url: str) -> str:
        return self._client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=max(1, expires_at - int(time.time())),
        )


def store_of(settings: RecordingSettings, *, livekit_api_secret: str) -> RecordingStore:
    if settings.storage == "s3":
        return S3Store(settings)
    return LocalFolderStore(settings.directory, secret=link_secret(settings, livekit_api_secret))
