"""The engine served under the SageMaker bring-your-own-container contract (`/ping`, `/invocations`).

`invocation` holds the one request-to-strip function that both the HTTP server (`app`) and the
SageMaker PyTorch toolkit handlers (`code/inference.py`) use, so the two paths cannot drift apart.
"""
