"""The container files cannot be built here (no Docker); check the essentials by reading them."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "inference_container" / "Dockerfile"
BUILD_AND_PUSH = ROOT / "inference_container" / "build_and_push.sh"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def test_dockerfile_essentials():
    steps = instructions()
    base = [rest for keyword, rest in steps if keyword == "FROM"]
    assert len(base) == 1 and base[0].startswith("pytorch/pytorch:") and "cuda" in base[0]
    runs = " ".join(rest for keyword, rest in steps if keyword == "RUN")
    assert 'pip install ".[model]"' in runs
    assert "face_recognition_models" in runs  # landmarks from the package, checked at build time
    assert "serve-model" in runs and "/usr/local/bin/serve" in runs
    assert ("CMD", '["serve"]') in steps
    assert ("EXPOSE", "8080") in steps
    copied = {rest.split()[0] for keyword, rest in steps if keyword == "COPY"}
    assert {"booth_core", "inference_container"} <= copied  # the model imports the torch-free core
    assert not any(word in runs for word in ("curl ", "wget ", "weights download"))


def test_build_and_push_script_is_valid_bash_and_does_the_steps():
    subprocess.run(["bash", "-n", str(BUILD_AND_PUSH)], check=True)
    script = BUILD_AND_PUSH.read_text()
    for step in ("aws ecr describe-repositories", "aws ecr create-repository", "get-login-password",
                 "docker build", "docker push", 'echo "$IMAGE_URI"'):  # fmt: skip
        assert step in script, step
    assert BUILD_AND_PUSH.stat().st_mode & 0o111
