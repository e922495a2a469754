"""The one way this project starts an external program: always with a timeout."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

from intake.errors import ExternalProgramError, MissingDependencyError

DEBIAN_HINT = "sudo apt-get install {pkg}   (or run: make demo, which installs it)"


def which(program: str, package: str) -> str:
    path = shutil.which(program)
    if not path:
        raise MissingDependencyError(f"{program} not found on PATH", hint=DEBIAN_HINT.format(pkg=package))
    return path


def run(args: Sequence[str], *, timeout: float, package: str, input: bytes | None = None,
        check: bool = True) -> subprocess.CompletedProcess:
    """Run a program; raise ExternalProgramError (with its exit code) on failure or timeout."""
    exe = which(args[0], package)
    try:
        proc = subprocess.run([exe, *args[1:]], input=input, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise ExternalProgramError(
            f"{args[0]} did not finish within {timeout:g} s", hint="the input may be too large or damaged"
        ) from exc
    if check and proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExternalProgramError(
            f"{args[0]} failed (exit {proc.returncode}): {' '.join(err[-3:])}",
            returncode=proc.returncode,
            hint="check the input file; run `intake doctor` to check the installation",
        )
    return proc
