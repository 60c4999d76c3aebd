"""The Time Traveler kiosk app: a PySide6 photobooth that talks only to the booth REST contract.

Nothing in this package imports torch: the app runs on a plain kiosk PC, and the heavy model
lives behind the REST contract (a local job service or the cloud).
"""

__version__ = "0.1.0"
