"""BCP: when a supplier or a whole area goes down, name the alternatives at once (代替調達・生産支援)
and send the requests by fax and post.

    assess(ws, area=[...], down=[...], who="coordinator", top=3) -> Incident    `intake bcp --area TEXT --down ID`
    list_incidents(ws, state=None) ; get_incident(ws, id) ; close(ws, id, who, why=None)
    print_incident_letters(ws, id, out, today=None) -> LetterRun                `intake bcp letters ID --out DIR`
    accept_offer(ws, id, factory, who) -> list[Match]                           `intake bcp accept ID FACTORY`
    replies.on_settled(ws, submission_id, status)     called through intake.dispatch for each settled submission
Affected.public() is the `--format jsonl` line.
"""

from intake.bcp.area import BcpError  # noqa: F401
from intake.bcp.assess import Affected, Alternative  # noqa: F401
from intake.bcp.incidents import Incident, assess, close, get_incident, list_incidents  # noqa: F401
from intake.bcp.letters import print_incident_letters  # noqa: F401
from intake.bcp.replies import accept_offer  # noqa: F401
