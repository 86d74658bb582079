"""Errors that name the source they came from, so a failed run says what broke and where."""


class SourceError(RuntimeError):
    """A source could not be fetched or its response was not what we expect."""

    def __init__(self, source: str, message: str, *, status: int | None = None):
        super().__init__(f"{source}: {message}")
        self.source = source
        self.status = status


class SourceSkipped(SourceError):
    """A source that cannot run as configured (its API key is not set): skipped, not failed.

    The ingest factory should record it as skipped and keep any data the source has, never
    bootstrap a snapshot for it or count it as a failure (see Source.skip_reason).
    """
