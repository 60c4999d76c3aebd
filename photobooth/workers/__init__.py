"""Background workers: camera, network and files. Each reports to the UI thread by Qt signals only."""
