"""One module per external program: version check, timeouts, errors that carry the fix."""
