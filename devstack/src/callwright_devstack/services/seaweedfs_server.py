"""A real, throwaway S3-compatible object store: SeaweedFS (`weed server -s3`, built from
source into .tools/bin by `make test`), for the recordings' S3 storage tests. Path-style
addressing, one access key, one bucket made at start."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from callwright_devstack.checkout import REPO_ROOT
from callwright_devstack.launch import Process, Service
from callwright_devstack.ports import free_tcp_port

WEED_BINARY = Path(
    os.environ.get("CALLWRIGHT_WEED_BINARY") or REPO_ROOT / ".tools" / "bin" / "weed"
)
ACCESS_KEY = "callwright-test"
SECRET_KEY = "callwright-test-secret-key-0123456789"
REGION = "us-east-1"

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def _port_pair() -> tuple[int, int]:
    """A port and its gRPC port (SeaweedFS defaults that one to port + 10000)."""
    return free_tcp_port(), free_tcp_port()


@dataclass
class SeaweedFS(Service):
    bucket: str = "callwright-recordings"
    s3_port: int = field(default_factory=free_tcp_port)
    _process: Process | None = None
    _datadir: str | None = None

    @staticmethod
    def available() -> bool:
        return WEED_BINARY.is_file() and os.access(WEED_BINARY, os.X_OK)

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    def client(self) -> S3Client:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"max_attempts": 1},
            ),
        )

    def start(self, timeout: float = 120.0) -> None:
        self._datadir = tempfile.mkdtemp(prefix="callwright-seaweedfs-")
        data = Path(self._datadir)
        config = data / "s3.json"
        config.write_text(
            '{"identities": [{"name": "callwright", "credentials": [{"accessKey": "'
            + ACCESS_KEY
            + '", "secretKey": "'
            + SECRET_KEY
            + '"}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}'
        )
        master, master_grpc = _port_pair()
        volume, volume_grpc = _port_pair()
        filer, filer_grpc = _port_pair()
        (data / "store").mkdir()
        self._process = Process(
            [
                str(WEED_BINARY),
                "server",
                f"-dir={data / 'store'}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-master.port={master}",
                f"-master.port.grpc={master_grpc}",
                "-master.volumeSizeLimitMB=64",
                f"-volume.port={volume}",
                f"-volume.port.grpc={volume_grpc}",
                "-volume.max=8",
                "-filer",
                f"-filer.port={filer}",
                f"-filer.port.grpc={filer_grpc}",
                "-s3",
                f"-s3.port={self.s3_port}",
                f"-s3.port.grpc={free_tcp_port()}",
                # Fixed ports by default (8181, 9101): off, so parallel runs never clash.
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                f"-s3.config={config}",
            ],
            log_path=data / "weed.log",
        )
        self._process.start()
        self._process.wait_ready(self._bucket_made, within=timeout, what="SeaweedFS", poll=0.5)

    def _bucket_made(self) -> bool:
        """Ready once the bucket could be made (or is there): S3, filer and volume up."""
        try:
            client = self.client()
            existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
            if self.bucket not in existing:
                client.create_bucket(Bucket=self.bucket)
            probe = client.put_object(Bucket=self.bucket, Key="ready", Body=b"ok")
            client.delete_object(Bucket=self.bucket, Key="ready")
            return bool(probe)
        except Exception:
            return False

    def has(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client().head_object(Bucket=self.bucket, Key=key)
        except ClientError:
            return False
        return True

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop(timeout=10)
        self._process = None
        if self._datadir:
            shutil.rmtree(self._datadir, ignore_errors=True)
