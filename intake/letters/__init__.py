"""Letters the office prints: match letters (post for a 長3 window envelope, or FAX with a cover
sheet), each with a personalised reply slip; confirmation sheets; reminders; the day's batch.

    print_letters(ws, out, match_id=None, approved=False, wareki=False, confirmations=False,
                  reminder_days=None, today=None) -> LetterRun
    load_office(ws) -> Office ; write_office(ws, office)      <workspace>/office.yaml
"""

from intake.letters.office import Office, load_office, write_office  # noqa: F401
from intake.letters.printing import LetterRun, print_letters  # noqa: F401
