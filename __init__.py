"""mobilekit: a trained PyTorch model in, validated mobile artifacts and on-device benchmarks out.

Subpackages: ``mobilekit.export`` (model -> bundle), ``mobilekit.device_runner`` (bundle -> phones
-> stored results and reports), ``mobilekit.cli`` (the ``mobilekit`` command, the only place that
knows both). Nothing heavy is imported here, so ``mobilekit --help`` stays instant.
"""

__version__ = "0.1.0"


class MobilekitError(Exception):
    """A mistake the user can fix (bad input, missing file, unsupported op): shown as a message, not a traceback.

    ``hint`` says what to do about it. Internal bugs are any other exception.
    """

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message
