"""package-model builds model.tar.gz with model.pt + code/, and code/inference.py runs from the archive alone."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import textwrap

import pytest

from inference_container.cli import main

SIZE = 64


@pytest.mark.slow
def test_archive_layout_and_toolkit_handlers(small_model_dir, tmp_path, astronaut_jpeg):
    archive_path = tmp_path / "model.tar.gz"
    assert (
        main(["package-model", "--weights", str(small_model_dir / "model.pt"), "-o", str(archive_path)]) == 0
    )

    with tarfile.open(archive_path) as archive:
        names = set(archive.getnames())
        requirements = archive.extractfile("code/requirements.txt").read().decode()
        archive.extractall(tmp_path / "unpacked", filter="data")
    assert {"model.pt", "code/inference.py", "code/requirements.txt"} <= names
    assert "code/inference_container/model_server/invocation.py" in names
    assert not any(
        "__pycache__" in name or name.startswith("code/inference_container/code") for name in names
    )
    assert (tmp_path / "unpacked" / "model.pt").read_bytes() == (small_model_dir / "model.pt").read_bytes()
    assert "dlib-bin" in requirements and "torch" not in requirements

    photo = tmp_path / "photo.jpg"
    photo.write_bytes(astronaut_jpeg)
    # Run the handlers as the toolkit would: from code/, importing the archive's copy of the package.
    script = textwrap.dedent(
        f"""
        import inference_container, inference
        from pathlib import Path
        from booth_core import wire
        assert Path(inference_container.__file__).resolve().is_relative_to(Path.cwd().resolve())

        class Request:
            def get_request_properties(self):
                return {{"X-Amzn-SageMaker-Custom-Attributes": "ages=15,65"}}

        class Context:
            request_processor = [Request()]

        model = inference.model_fn({str(tmp_path / "unpacked")!r})
        data = inference.input_fn(Path({str(photo)!r}).read_bytes(), "image/jpeg", Context())
        body, content_type = inference.output_fn(inference.predict_fn(data, model), "application/x-npy")
        assert content_type == "application/x-npy"
        print(wire.decode_npy(body).shape)
        try:
            inference.predict_fn(inference.input_fn(b"not a photo", "image/jpeg"), model)
        except Exception as exc:
            print(exc.code)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path / "unpacked" / "code",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == [f"({SIZE},", f"{SIZE * 3},", "3)", "BAD_IMAGE"]
