"""Errors that name the source they came from, so a failed run says what broke and where."""


class SourceError(RuntimeError):
    """A source could not be fetched or its response was not what we expect."""

    def __init__(self, source: str, message: str, *, status: int | None = None):
        super().__init__(f"{source}: {message}")
        self.source = source
        self.status = status
