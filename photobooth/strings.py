"""Every sentence the booth shows, keyed by id and grouped by language, so that a translation is one dict.

Screens call `Strings(language).get(key, **values)`; a missing key in a language falls back to English,
so a half-done translation never shows a raw key to an attendee.
"""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    "app.title": "Time Traveler",
    "attract.call": "Tap to travel in time",
    "attract.sub": "See yourself at {ages}",
    "preview.hint": "Tap when ready: everyone in the picture will be aged",
    "preview.start": "Take my photo",
    "preview.back": "Back",
    "preview.waiting": "Waking up the camera…",
    "consent.kept": "Your photo is used only to make your strip and is deleted after {duration}.",
    "consent.hours": "{n} hours",
    "consent.hour": "1 hour",
    "consent.days": "{n} days",
    "consent.minutes": "{n} minutes",
    "countdown.smile": "Smile!",
    "review.title": "Happy with this photo?",
    "review.retake": "Retake",
    "review.go": "Go!",
    "review.auto": "Going by itself in {n} s",
    "processing.uploading": "Sending your photo…",
    "processing.queued": "Waiting in line for the time machine…",
    "processing.ageing": "Travelling through the years…",
    "processing.downloading": "Bringing your pictures back…",
    "processing.starting": "Starting the time machine…",
    "processing.retrying": "The connection dropped. Trying again ({attempt} of {total})…",
    "processing.elapsed": "{seconds} s",
    "processing.cancel": "Cancel",
    "processing.cancel_ask": "Stop making your pictures?",
    "processing.cancel_yes": "Yes, stop",
    "processing.cancel_no": "No, keep going",
    "result.title": "You, through the years",
    "result.now": "Now",
    "result.age": "Age {age}",
    "result.engine": "Made by the {engine} engine",
    "result.qr": "Scan to keep it",
    "result.saved": "Saved as {name}",
    "result.done": "Done",
    "error.no_face.title": "We couldn't find a face",
    "error.no_face.body": "Look straight at the camera, with your whole face inside the oval, and try again.",
    "error.bad_photo.title": "That photo didn't work",
    "error.bad_photo.body": "Something went wrong with the picture. Let's take another one.",
    "error.network.title": "We can't reach the time machine",
    "error.network.body": "Sorry! The connection is down. We tried several times. Please try again in a minute.",
    "error.busy.title": "The time machine is busy",
    "error.busy.body": "Lots of travellers right now. Please try again in a minute.",
    "error.timeout.title": "That took too long",
    "error.timeout.body": "Sorry! The time machine didn't finish in time. Please try again.",
    "error.server.title": "Something went wrong",
    "error.server.body": "Sorry! The time machine had a problem with this photo. Please try again.",
    "error.camera.title": "The camera is not answering",
    "error.camera.body": "We are reconnecting it. This usually takes a few seconds.",
    "error.back": "OK",
    "error.returning": "Back in {n} s",
    "out_of_order.title": "Out of order, back in a moment",
    "out_of_order.body": "The time machine is fixing itself. It will be back by itself shortly.",
    "pin.title": "Staff PIN",
    "pin.wrong": "Wrong PIN ({left} tries left)",
    "pin.locked": "Too many wrong PINs. Try again in {n} s.",
    "pin.cancel": "Cancel",
    "pin.ok": "OK",
    "settings.title": "Booth settings",
    "settings.backend_url": "Backend URL (empty: run locally)",
    "settings.api_key": "API key",
    "settings.ages": "Ages (comma separated)",
    "settings.camera": "Camera (index, video or image file)",
    "settings.choose_file": "Choose file…",
    "settings.countdown": "Countdown (seconds)",
    "settings.idle": "Idle timeout (seconds)",
    "settings.output": "Output folder",
    "settings.language": "Language",
    "settings.pin": "Staff PIN",
    "settings.save": "Save",
    "settings.cancel": "Cancel",
    "settings.quit": "Quit booth",
    "settings.quit_ask": "Close the booth? Attendees cannot use it until it is started again.",
    "settings.quit_yes": "Quit",
    "settings.quit_no": "Stay",
    "settings.saved": "Saved to {path}",
    "settings.bad_ages": "Ages: {error}",
    "settings.bad_url": "Backend URL: use http://host:port or https://host, or leave it empty.",
    "settings.bad_pin": "Staff PIN: at least {n} digits, and not the first-use PIN.",
    "settings.new_pin": "First use: choose a new staff PIN ({n} digits or more) and save it.",
    "settings.pin_keep": "unchanged",
    "settings.language_missing": "Language {code} is not available: showing English.",
    "settings.status": "Backend: {backend} · engine: {engine}",
    "config.bad_file": "The settings file {path} could not be read ({error}); using defaults.",
}

GERMAN: dict[str, str] = {
    "attract.call": "Tippen für eine Zeitreise",
    "attract.sub": "Sieh dich mit {ages}",
    "preview.hint": "Tippen, wenn alle bereit sind: jedes Gesicht im Bild altert mit",
    "preview.start": "Foto machen",
    "preview.back": "Zurück",
    "countdown.smile": "Lächeln!",
    "review.title": "Gefällt dir das Foto?",
    "review.retake": "Nochmal",
    "review.go": "Los!",
    "processing.cancel": "Abbrechen",
    "result.title": "Du, durch die Jahre",
    "result.now": "Jetzt",
    "result.age": "Alter {age}",
    "result.done": "Fertig",
    "error.back": "OK",
}

LANGUAGES: dict[str, dict[str, str]] = {"en": ENGLISH, "de": GERMAN}
#: Each language's name in itself, for the staff settings.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "de": "Deutsch"}


class Strings:
    """Looks up the sentences of one language, falling back to English key by key."""

    def __init__(self, language: str = "en") -> None:
        self.language = language if language in LANGUAGES else "en"
        self._table = LANGUAGES[self.language]

    def get(self, key: str, **values) -> str:
        text = self._table.get(key) or ENGLISH[key]
        return text.format(**values) if values else text

    def duration(self, seconds: float) -> str:
        """Words for a retention period: minutes, hours or days, whichever reads best."""
        minutes = round(seconds / 60)
        if minutes < 60:
            return self.get("consent.minutes", n=max(minutes, 1))
        hours = round(seconds / 3600)
        if hours == 1:
            return self.get("consent.hour")
        if hours < 48:
            return self.get("consent.hours", n=hours)
        return self.get("consent.days", n=round(hours / 24))
