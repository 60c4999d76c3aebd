"""The torch-free core that the kiosk, the job service and the model share: the contract's facts.

Ages, the error table, limits, the model wire format, photo decoding, the engines' result type and
the strip/GIF rendering. It imports numpy and Pillow only, so it fits the Lambda zip and the kiosk bundle.
"""

#: The project's version (pyproject.toml), for /health and job documents of the torch-free parts.
__version__ = "0.1.0"
