"""Errors a user can meet. Each carries the fix and the CLI exit code it maps to."""


class IntakeError(Exception):
    """Base: a problem the user can act on. `hint` says what to do."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        msg = super().__str__()
        return f"{msg}\n  fix: {self.hint}" if self.hint else msg


class FormDefinitionError(IntakeError):
    """A form definition file is invalid (carries file, line and field)."""

    exit_code = 3


class MissingDependencyError(IntakeError):
    """An external program or language pack is missing or too old."""

    exit_code = 4


class ExternalProgramError(IntakeError):
    """An external program failed or timed out."""

    exit_code = 5

    def __init__(self, message: str, returncode: int | None = None, hint: str | None = None):
        super().__init__(message, hint)
        self.returncode = returncode


class WorkspaceError(IntakeError):
    """The workspace is missing or not usable."""

    exit_code = 2


class InputRejected(IntakeError):
    """An input file cannot be processed; it goes to quarantine with this reason."""

    exit_code = 6

    def __init__(self, message: str, code: str = "unreadable", hint: str | None = None):
        super().__init__(message, hint)
        self.code = code
