"""One QWidget per screen. Screens only show things and emit signals; the app decides what happens next."""
