"""The torch-free core that the kiosk, the job service and the model share: the contract's facts.

Ages, the error table, limits, the model wire format, photo decoding, the engines' result type and
the strip/GIF rendering. It imports numpy and Pillow only, so it fits the Lambda zip and the kiosk bundle.
"""
