"""The SDKs in clients/, generated from the issuer's OpenAPI schema, so that what they
call is the API the issuer serves (a unit test regenerates them and compares).

    python -m callwright_devstack.sdk --write    # `make sdk`: schema, Python and TypeScript
    python -m callwright_devstack.sdk --check    # what the unit test checks, from a shell

`clients/openapi.json` is the issuer's schema made fit for generators
(docs/decisions.md#sdk-schema): operation ids are the route functions'
names, the API key is a security scheme rather than a header parameter on every call,
FastAPI's 422 (never answered) is gone, and the LiveKit webhook (LiveKit's, not a
client's) is left out. From it:

- `clients/python/src/callwright_client/`: openapi-python-client (the dev group pins it);
  every file but HAND_WRITTEN is generated.
- `clients/typescript/src/schema.ts`: openapi-typescript (clients/typescript/package.json
  pins it; `npm ci` there first); `index.ts` and `signatures.ts` are written by hand.
"""

from __future__ import annotations

import argparse
import copy
import filecmp
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from callwright_devstack.api_reference import (
    HIDDEN_SCHEMAS,
    UNUSED_STATUSES,
    current_schema,
)
from callwright_devstack.checkout import REPO_ROOT

CLIENTS = REPO_ROOT / "clients"
SCHEMA_JSON = CLIENTS / "openapi.json"
PYTHON_CLIENT = CLIENTS / "python"
PYTHON_PACKAGE = PYTHON_CLIENT / "src" / "callwright_client"
PYTHON_CONFIG = PYTHON_CLIENT / "generator.yaml"
TS_CLIENT = CLIENTS / "typescript"
TS_SCHEMA = TS_CLIENT / "src" / "schema.ts"
OPENAPI_TYPESCRIPT = TS_CLIENT / "node_modules" / ".bin" / "openapi-typescript"
# Files of the Python package that the generator does not write.
HAND_WRITTEN = {"signatures.py", "py.typed"}
API_KEY_HEADER = "x-api-key"
API_KEY_SCHEME = "ApiKey"
# Not for API clients: LiveKit signs and sends it.
LEFT_OUT_PATHS = {"/v1/livekit/webhook"}
# Route names that read as SDK calls once they stand alone.
RENAMED = {
    "token": "refresh_session_token",
    "end": "end_session",
    "timeline": "get_session_timeline",
    "stats": "get_agent_stats",
    "create_voice": "create_voice_session",
    "create_chat": "create_chat_session",
}
REGENERATE = "run `make sdk` (python -m callwright_devstack.sdk --write)"


def _operation_id(method: str, path: str, default: str) -> str:
    """The route function's name, from FastAPI's default id (name, path, method)."""
    suffix = re.sub(r"\W", "_", path) + "_" + method
    if not default.endswith(suffix):
        raise ValueError(f"{method.upper()} {path}: unexpected operation id {default!r}")
    name = default.removesuffix(suffix)
    return RENAMED.get(name, name)


def _hoist(node: Any, schemas: dict[str, Any], names: dict[str, str]) -> Any:
    """`node` with every model schema inlined in it (an object with a title and properties)
    moved to `schemas` under its title and referred to; the issuer inlines a body's models
    so that its own parser reads them, which would give each body its own copies of the
    same classes in an SDK. A model named like a different one becomes `<title>Input`
    (`names` keeps which, for the discriminators' mappings)."""
    if isinstance(node, list):
        return [_hoist(item, schemas, names) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _hoist(value, schemas, names) for key, value in node.items()}
    mapping = out.get("discriminator", {}).get("mapping")
    if isinstance(mapping, dict):
        out["discriminator"]["mapping"] = {
            key: "#/components/schemas/" + names.get(ref.rsplit("/", 1)[-1], "?")
            for key, ref in mapping.items()
        }
    title = out.get("title")
    if not isinstance(title, str) or not isinstance(out.get("properties"), dict):
        return out
    name = title if schemas.get(title, out) == out else f"{title}Input"
    # Generators name a model by its title.
    out["title"] = name
    if schemas.setdefault(name, out) != out:
        raise ValueError(f"two different request models are named {name}")
    names[title] = name
    return {"$ref": f"#/components/schemas/{name}"}


def sdk_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The issuer's schema as the generators read it (see the module's docstring)."""
    out = copy.deepcopy(schema)
    uses_key = False
    for path in LEFT_OUT_PATHS:
        out["paths"].pop(path, None)
    for path, operations in out["paths"].items():
        for method, op in operations.items():
            op["operationId"] = _operation_id(method, path, op["operationId"])
            params = op.get("parameters", [])
            if any(p["name"].lower() == API_KEY_HEADER for p in params):
                uses_key = True
                op["security"] = [{API_KEY_SCHEME: []}]
                op["parameters"] = [p for p in params if p["name"].lower() != API_KEY_HEADER]
                if not op["parameters"]:
                    del op["parameters"]
            for status in UNUSED_STATUSES:
                op.get("responses", {}).pop(status, None)
    components = out.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for operations in out["paths"].values():
        for op in operations.values():
            for content in op.get("requestBody", {}).get("content", {}).values():
                if "schema" in content:
                    content["schema"] = _hoist(content["schema"], schemas, {})
    for name in HIDDEN_SCHEMAS:
        components.get("schemas", {}).pop(name, None)
    if uses_key:
        components["securitySchemes"] = {
            API_KEY_SCHEME: {"type": "apiKey", "in": "header", "name": "X-API-Key"}
        }
    return out


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def generate_python(schema_path: Path, out_dir: Path) -> Path:
    """The Python package generated into `out_dir`; answers the package's folder."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(schema_path),
            "--config",
            str(PYTHON_CONFIG),
            "--meta",
            "none",
            "--output-path",
            str(out_dir / "callwright_client"),
            "--overwrite",
            "--fail-on-warning",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    package = out_dir / "callwright_client"
    # The repository's ruff settings, so that `ruff format --check .` agrees with the files.
    ruff = [sys.executable, "-m", "ruff"]
    config = ["--config", str(REPO_ROOT / "pyproject.toml")]
    for command in (["check", "--fix-only", "--quiet", "--exit-zero"], ["format", "--quiet"]):
        subprocess.run([*ruff, *command, *config, str(package)], check=True, timeout=120)
    return package


def generate_typescript(schema_path: Path, out_file: Path) -> None:
    if not OPENAPI_TYPESCRIPT.exists():
        raise FileNotFoundError(
            f"{OPENAPI_TYPESCRIPT} is missing: run `npm ci` in {TS_CLIENT} (make sdk does)"
        )
    subprocess.run(
        [str(OPENAPI_TYPESCRIPT), str(schema_path), "--output", str(out_file)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=TS_CLIENT,
    )


def _generated_files(root: Path) -> set[Path]:
    return {
        p.relative_to(root)
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.name not in HAND_WRITTEN
    }


def python_differences(schema_path: Path = SCHEMA_JSON) -> list[str]:
    """The files of clients/python that differ from what the pinned generator makes of
    `schema_path` (added, missing or changed); empty when in sync."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate_python(schema_path, Path(tmp))
        expected, present = _generated_files(fresh), _generated_files(PYTHON_PACKAGE)
        changed = [
            str(name)
            for name in sorted(expected & present)
            if not filecmp.cmp(fresh / name, PYTHON_PACKAGE / name, shallow=False)
        ]
        return [
            *(f"missing: {name}" for name in sorted(expected - present)),
            *(f"not generated: {name}" for name in sorted(present - expected)),
            *(f"changed: {name}" for name in changed),
        ]


def typescript_differences(schema_path: Path = SCHEMA_JSON) -> list[str]:
    """Whether clients/typescript/src/schema.ts is what the pinned openapi-typescript makes
    of `schema_path` (it needs clients/typescript/node_modules)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "schema.ts"
        generate_typescript(schema_path, fresh)
        if TS_SCHEMA.exists() and filecmp.cmp(fresh, TS_SCHEMA, shallow=False):
            return []
        return [f"changed: {TS_SCHEMA.relative_to(REPO_ROOT)}"]


def write_python(schema_path: Path = SCHEMA_JSON) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate_python(schema_path, Path(tmp))
        for name in _generated_files(PYTHON_PACKAGE):
            (PYTHON_PACKAGE / name).unlink()
        for name in sorted(_generated_files(fresh)):
            (PYTHON_PACKAGE / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fresh / name, PYTHON_PACKAGE / name)
        for folder in sorted(PYTHON_PACKAGE.rglob("*"), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


def current_sdk_schema() -> dict[str, Any]:
    return sdk_schema(current_schema())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="regenerate clients/")
    action.add_argument("--check", action="store_true", help="fail when clients/ is stale")
    args = parser.parse_args(argv)
    text = schema_text(current_sdk_schema())
    if args.write:
        SCHEMA_JSON.write_text(text)
        write_python()
        generate_typescript(SCHEMA_JSON, TS_SCHEMA)
        return 0
    problems = []
    if not SCHEMA_JSON.exists() or SCHEMA_JSON.read_text() != text:
        problems.append(f"{SCHEMA_JSON.relative_to(REPO_ROOT)} differs from the issuer's schema")
    problems += python_differences() + typescript_differences()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(REGENERATE, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
