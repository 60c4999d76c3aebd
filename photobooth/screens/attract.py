"""Attract: the idle loop that invites passers-by. A tap anywhere starts; 5 quick taps in the top-left
corner (staff only know) open the PIN pad instead."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout

from photobooth.demo import attract_frames
from photobooth.screens.common import Screen, StaffCorner, fit_one_line, make_label
from photobooth.screens.crossfade import CrossfadeView

STAFF_TAPS = StaffCorner.TAPS


class AttractScreen(Screen):
    tapped = Signal()
    staff_gesture = Signal()

    def __init__(self, strings, ages, frames_for=attract_frames, parent=None) -> None:
        """`frames_for(ages)` gives the loop's (label, image) pairs; it is asked again when the ages change."""
        super().__init__(strings, parent)
        self.frames_for = frames_for
        self.ages = tuple(ages)
        self.corner = StaffCorner()
        self.title = make_label(role="title")
        self.view = CrossfadeView(self)
        self._frames = list(frames_for(self.ages))
        self._slides: list = []  # recent results (photobooth.screens.slideshow), when staff turned it on
        self.call = make_label(role="huge")
        self.sub = make_label(role="body")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 40)
        layout.addWidget(self.title)
        layout.addStretch(1)
        layout.addWidget(self.view, 12)  # the loop takes all the height the words leave
        layout.addWidget(self.call)
        layout.addWidget(self.sub)
        layout.addStretch(1)
        self.retranslate()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        # The picture is square: never let it take more height than width, so the call to action sits under it.
        self.view.setMaximumHeight(max(120, self.width() - 80))
        self._fit_call()
        super().resizeEvent(event)

    def _fit_call(self) -> None:
        fit_one_line(self.call, round(96 * self.unit()), self.width() - 100)

    def _frame_label(self, label: str | None) -> str:
        return self.strings.get("result.age", age=label) if label and label.isdigit() else (label or "")

    def show_slides(self, slides: list) -> None:
        """Play recent results instead of the demo faces; an empty list goes back to the demo."""
        self._slides = list(slides)
        self.retranslate()

    def set_ages(self, ages) -> None:
        self.ages = tuple(ages)
        self._frames = list(self.frames_for(self.ages))
        self.retranslate()

    def retranslate(self) -> None:
        self.view.set_frames(
            self._slides or [(self._frame_label(label), image) for label, image in self._frames]
        )
        self.title.setText(self.strings.get("app.title"))
        self.call.setText(self.strings.get("attract.call"))
        self._fit_call()
        ages = [str(age) for age in self.ages]
        listed = ", ".join(ages[:-1]) + (" & " if len(ages) > 1 else "") + ages[-1] if ages else ""
        self.sub.setText(self.strings.get("attract.sub", ages=listed))

    def enter(self, context) -> None:
        if tuple(context.config.booth.ages) != self.ages:
            self.set_ages(context.config.booth.ages)

    def key_tap(self) -> bool:
        self.tapped.emit()
        return True

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        in_corner, complete = self.corner.tap(self, event.position())
        if complete:
            self.staff_gesture.emit()
        if not in_corner:  # corner taps never start a session
            self.tapped.emit()
