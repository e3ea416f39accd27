"""Where recordings are kept and for how long: the operator's settings, read from the same
environment as callwright_shared.settings (kept apart so that the recording switches live
with the code that reads them)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from callwright_shared.settings import EnvSettings, _env, _NameList, only_read_by


class RecordingSettings(EnvSettings):
    """Recordings: where they are kept, for how long, and the operator's switch per
    organization (docs/recordings.md)."""

    # `local`: a folder on the issuer's and the worker's disk (what `make run` uses);
    # `s3`: any S3-compatible object store (AWS S3, MinIO, Cloudflare R2, SeaweedFS).
    storage: Literal["local", "s3"] = Field(
        "local",
        validation_alias=_env("CALLWRIGHT_RECORDINGS_STORAGE"),
        description="Where recordings are kept: local (a folder on the issuer's and the worker's "
        "disk, as `make run` uses) or s3 (any S3-compatible object store: AWS S3, "
        "MinIO, Cloudflare R2, SeaweedFS).",
    )
    directory: str = Field(
        "./recordings",
        validation_alias=_env("CALLWRIGHT_RECORDINGS_DIR"),
        description="The local folder (shared by the issuer and the worker).",
    )
    s3_endpoint_url: str | None = Field(
        None,
        validation_alias=_env("CALLWRIGHT_RECORDINGS_S3_ENDPOINT_URL"),
        description="The object store's endpoint; unset, AWS S3.",
    )
    s3_bucket: str = Field(
        "callwright-recordings",
        validation_alias=_env("CALLWRIGHT_RECORDINGS_S3_BUCKET"),
        description="The bucket.",
    )
    s3_region: str = Field(
        "us-east-1",
        validation_alias=_env("CALLWRIGHT_RECORDINGS_S3_REGION"),
        description="The bucket's region.",
    )
    s3_access_key_id: str | None = Field(
        None,
        validation_alias=_env("CALLWRIGHT_RECORDINGS_S3_ACCESS_KEY_ID"),
        description="The object store's access key id.",
    )
    s3_secret_access_key: SecretStr | None = Field(
        None,
        validation_alias=_env("CALLWRIGHT_RECORDINGS_S3_SECRET_ACCESS_KEY"),
        description="The object store's secret key.",
    )
    # How long a download link works: at most an hour.
    url_ttl_seconds: int = Field(
        900,
        gt=0,
        le=3600,
        validation_alias=_env("CALLWRIGHT_RECORDINGS_URL_TTL_SECONDS"),
        description="How long a download link works: at most an hour.",
        json_schema_extra=only_read_by("issuer"),
    )
    # The key that signs the local folder's download links; unset, one derived from
    # LIVEKIT_API_SECRET (docs/decisions.md#recording-links).
    url_secret: SecretStr | None = Field(
        None,
        validation_alias=_env("CALLWRIGHT_RECORDINGS_URL_SECRET"),
        description="The key that signs the local folder's download links; unset, one derived from "
        "LIVEKIT_API_SECRET.",
        json_schema_extra=only_read_by("issuer"),
    )
    # Recordings are deleted this many days after their call ended (0 keeps them).
    retention_days: float = Field(
        30.0,
        ge=0,
        validation_alias=_env("CALLWRIGHT_RECORDINGS_RETENTION_DAYS"),
        description="Recordings are deleted this many days after their call ended (0 keeps them).",
        json_schema_extra=only_read_by("issuer"),
    )
    upload_attempts: int = Field(
        3,
        gt=0,
        le=10,
        validation_alias=_env("CALLWRIGHT_RECORDINGS_UPLOAD_ATTEMPTS"),
        description="Attempts the worker makes to copy a recording to the store.",
    )
    upload_timeout_seconds: float = Field(
        120.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_RECORDINGS_UPLOAD_TIMEOUT_SECONDS"),
        description="One upload attempt's time limit.",
    )
    # The operator's switch per organization, over what the agent asks for.
    forced_on_orgs: _NameList = Field(
        (),
        validation_alias=_env("CALLWRIGHT_RECORDING_FORCED_ON_ORGS"),
        description="Organizations whose calls are always recorded, whatever their agents ask "
        "(comma-separated ids).",
    )
    forced_off_orgs: _NameList = Field(
        (),
        validation_alias=_env("CALLWRIGHT_RECORDING_FORCED_OFF_ORGS"),
        description="Organizations whose calls are never recorded (comma-separated ids).",
    )

    def records(self, org_id: str, *, agent_enabled: bool) -> bool:
        """Whether a call of this organization is recorded, the operator's switch first."""
        if org_id in self.forced_off_orgs:
            return False
        if org_id in self.forced_on_orgs:
            return True
        return agent_enabled
