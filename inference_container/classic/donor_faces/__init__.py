"""Data only: the classic engine's donor faces (see README.md here); a package so that installs ship them."""
