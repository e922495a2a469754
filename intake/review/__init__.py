"""The clerk's review desk: what needs a human, and the audited operations that resolve it.

`service` is the Python API; the web page (`app`) and the CLI (`intake review ...`) call it
one-to-one. `profile` turns an accepted submission into the respondent's profile rows.
"""

from intake.review.service import (  # noqa: F401
    Item, ReviewError, accept, assign_page, enter, export_submission, group, queue, set_value, settle,
)
