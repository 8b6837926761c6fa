"""The service layer: the one Python API of the engine used by the CLI and the web app (``Engine``)."""
