"""`make demo`: the whole loop on an embedded sample population, in one workspace.

Stages run in order and each prints one line; a stage whose package is not built
yet is reported as such rather than skipped silently.
"""

from __future__ import annotations

import importlib.resources
import shutil
import time
from pathlib import Path
from typing import Callable

from intake.errors import WorkspaceError
from intake.workspace import Workspace, init

SAMPLE_RESPONDENTS = "sample_respondents.csv"
DEMO_MARK = ".intake-demo"          # a workspace the demo made (and may set aside next time)


class DemoWorkspaceError(WorkspaceError):
    """The demo was pointed at a folder that holds something other than an earlier demo (exit code 2)."""


def fresh_workspace(root: Path) -> Path | None:
    """Each demo tells the whole story from an empty workspace: an earlier demo's workspace is kept aside as
    `<root>.previous` (replacing an older one), never mixed into the new run (a second run on the same
    workspace counted the first run's files as duplicates and its clerk's work as automatic). A folder that
    an earlier demo did not make is never moved. Returns where the earlier demo went, or None."""
    root = Path(root)
    if not root.exists() or not any(root.iterdir()):
        return None
    if not (root / DEMO_MARK).exists():
        raise DemoWorkspaceError(f"{root} is not empty and was not made by `intake demo`: the demo needs a "
                                 "workspace of its own", hint="intake --home demo demo   (or an empty folder)")
    aside = root.with_name(root.name + ".previous")
    if aside.exists():
        shutil.rmtree(aside)
    root.rename(aside)
    return aside


def sample_respondents_path() -> Path:
    return Path(str(importlib.resources.files("intake.data") / SAMPLE_RESPONDENTS))


def run_demo(ws: Workspace, *, echo: Callable[[str], None] = print, seed: int = 7,
             templates_dir: Path | None = None) -> dict:
    from intake.form import load_forms
    from intake.render import read_respondents_csv, render_batch, render_templates

    t0 = time.monotonic()
    aside = fresh_workspace(ws.root)
    if aside is not None:
        echo(f"[0] the previous demo's workspace is kept as {aside}; this run starts from an empty one")
    ws = init(ws.root)
    (ws.root / DEMO_MARK).write_text("made by intake demo: the next demo sets it aside\n", encoding="utf-8")
    forms = load_forms(ws.forms_path())
    out = ws.output
    summary: dict = {}

    if templates_dir is not None:
        paths = render_templates(forms, templates_dir)
        echo(f"[1] blank forms rendered: {len(paths)} PDFs in {templates_dir}")
    people = read_respondents_csv(sample_respondents_path())
    suppliers = [p for p in people if p.id.startswith("F")]
    buyers = [p for p in people if p.id.startswith("B")]
    surveys = render_batch(forms["survey"], "ja", suppliers, out / "surveys", combined=True, progress=False, workspace=ws)
    requests = render_batch(forms["request"], "ja", buyers, out / "requests", combined=True, progress=False, workspace=ws)
    echo(f"[2] personalised forms: {len(suppliers)} surveys, {len(buyers)} requests in {out} (print batches: "
         f"{', '.join(p.name for p in surveys + requests)})")
    summary["rendered"] = len(suppliers) + len(buyers)

    truths: list[dict] = []
    n = simulate_returns(ws, [(forms["survey"], p) for p in suppliers] + [(forms["request"], p) for p in buyers],
                         seed=seed, truths=truths)
    echo(f"[3] simulated fax and scan returns dropped into {ws.inbox}: {n} files")

    from intake.ingest.pipeline import process

    s = process(ws, forms=forms, stable_seconds=0, progress=False, workers=2)
    echo(f"[4] processed: {s.files} files, {s.pages} pages, {s.submissions} submissions, "
         f"{s.quarantined} quarantined, {s.duplicates} duplicates")
    from intake.store.queries import status_counts

    counts = status_counts(ws).submissions
    echo(f"[5] submissions accepted automatically: {counts.get('accepted', 0)}, "
         f"need review: {counts.get('needs_review', 0)}, incomplete: {counts.get('incomplete', 0)}")
    from intake.bench.run import no_clerk_line, office_view

    kinds = {(f.id, fd.key): fd.kind for f in forms.values() for fd in f.fields}
    office = office_view(ws.db_path, truths, kinds)
    echo(f"    {no_clerk_line(office)} (checked against the simulator's truth)")
    echo(f"    review them with: .venv/bin/intake --home {ws.root} review")
    summary.update(counts)
    summary["no_clerk"] = office
    summary.update(simulated_clerk(ws, truths, echo))
    summary.update(match_and_print(ws, forms, people, echo, seed=seed))
    summary.update(outage(ws, forms, people, echo, seed=seed))
    from intake.events.demo import event_day

    summary.update(event_day(ws, echo, seed=seed))          # a matching event: invitations to the day's sheets
    echo(f"demo finished in {time.monotonic() - t0:.1f} s; workspace: {ws.root}")
    return summary


CLERK = "demo-clerk (simulated)"
SECOND_CLERK = "demo-clerk B (simulated)"
DEMO_OFFICE = dict(name="埼玉県 産業労働部（デモ）", department="ものづくり連携推進課", head="課長",
                   postal_code="3300063", address="埼玉県さいたま市浦和区高砂3-15-1", phone="048-830-0000",
                   fax="048-830-0001", email="", coordinator="連携 太郎")
APPROVE_ABOVE = 0.45


def _truth_by_submission(truths: list[dict]) -> dict[tuple[str, str], dict]:
    out: dict[tuple[str, str], dict] = {}
    for rec in truths:
        for page in rec["pages"]:
            out.setdefault((rec["form"], rec["respondent"]), {}).update(page["fields"])
    return out


def simulated_clerk(ws: Workspace, truths: list[dict], echo: Callable[[str], None]) -> dict:
    """A SIMULATED clerk resolves the review queue with the simulator's ground truth (what a
    real clerk would read off the crop), so the loop can go on to matching. Counts what it touched."""
    from intake.review import service
    from intake.store.queries import status_counts

    truth = _truth_by_submission(truths)
    touched, left = 0, 0
    for _ in range(3):                      # settling can open a rule item on another field
        items = [i for i in service.queue(ws) if i.kind in ("field", "rule", "double")]
        if not items:
            break
        with service.connection(ws) as conn:
            subs = {r["id"]: (r["form"], r["respondent_id"]) for r in conn.execute("SELECT * FROM submissions")}
        for i in items:
            t = truth.get(subs.get(i.submission_id, ("", "")), {})
            if i.key not in t:
                left += 1
                continue
            value = t[i.key]
            try:
                if i.kind == "double":
                    service.enter(ws, i.submission_id, i.key, value, CLERK)
                    service.enter(ws, i.submission_id, i.key, value, SECOND_CLERK)
                else:
                    service.set_value(ws, i.submission_id, i.key, value, CLERK)
                touched += 1
            except Exception as exc:        # a value the desk refuses: leave it for a person
                left += 1
                echo(f"    clerk could not set {i.submission_id}/{i.key}: {exc}")
    counts = status_counts(ws).submissions
    echo(f"[6] {CLERK} resolved the review queue from the simulator's truth: touched {touched} fields; "
         f"now accepted {counts.get('accepted', 0)}, need review {counts.get('needs_review', 0)}, "
         f"incomplete {counts.get('incomplete', 0)}")
    return {"clerk_touched": touched, "accepted_after_review": counts.get("accepted", 0)}


def match_and_print(ws: Workspace, forms: dict, people: list, echo: Callable[[str], None], *, seed: int) -> dict:
    """Match, approve the strong proposals as coordinator 'demo', print the letters, and fax one
    reply slip back through the inbox to show its match moving on its own."""
    from intake import match as m_api
    from intake.letters import Office, print_letters, write_office

    write_office(ws, Office(**DEMO_OFFICE, placeholder=False))
    run = m_api.run_matching(ws)
    all_m = m_api.list_matches(ws)
    echo(f"[7] matching: {run.requests} requests x {run.suppliers} consenting suppliers -> "
         f"{sum(1 for m in all_m if m.kind == 'pair')} pair proposals, {sum(1 for m in all_m if m.kind == 'group')} "
         f"group proposals")
    approved = [m for m in m_api.list_matches(ws, "proposed") if m.score >= APPROVE_ABOVE]
    for m in approved:
        m_api.approve(ws, m.id, "demo")
        echo(f"    approved {m.id} ({m.score:.2f}) "
             + (f"{m.requester} <- {m.supplier}" if m.kind == "pair" else f"group {m.group_interest} "
                f"{m.group_region}: {', '.join(m.members)}"))
    out = ws.output / "letters"
    letters = print_letters(ws, out, approved=True)
    echo(f"[8] letters printed to {out}:")
    for line in letters.summary_lines():
        echo(f"    {line}")
    result = {"matches": len(all_m), "approved": len(approved), "letters": len(letters.documents)}
    pair = next((m for m in m_api.list_matches(ws, "letter_printed") if m.kind == "pair"), None)
    if pair is None:
        echo("[9] no pair match was printed, so no reply slip to send back")
        return result
    person = next((p for p in people if p.id == pair.supplier), None)
    if person is None:
        return result
    before = m_api.get_match(ws, pair.id).state
    n = simulate_returns(ws, [(forms["reply-slip"], person)], seed=seed + 1, match=pair.id)
    from intake.ingest.pipeline import process

    process(ws, forms=forms, stable_seconds=0, progress=False, workers=2)
    after = m_api.get_match(ws, pair.id)
    outcome = ", ".join(f"{k}={v}" for k, v in after.outcome.items()) or "(nothing readable yet)"
    echo(f"[9] {person.id}'s reply slip for {pair.id} came back by fax ({n} file) and was processed: "
         f"match {pair.id} {before} -> {after.state}; outcome: {outcome}")
    result.update({"reply_match": pair.id, "reply_state": after.state})
    return result


DEMO_OUTAGE = "埼玉県川越市"          # used only when no approved pair match has a supplier with a known city


def outage_area(ws: Workspace) -> str:
    """The city the demo's outage hits, so that it tells the whole BCP story (a fixed city stopped doing so
    whenever the simulator's answers changed). Cities of the suppliers approved pair matches rely on come first,
    then every other factory's; the first where a factory with buyers has a consenting stand-in wins, else the
    first with any stand-in (the requests and a reply slip still go out), else the first with buyers (who are
    told nobody can stand in). Assessed without recording anything."""
    from intake.bcp.area import place_of, resolve
    from intake.bcp.assess import RELYING, assess_factories
    from intake.bcp.incidents import vocabulary
    from intake.review.service import connection

    vocab = vocabulary(ws)
    with connection(ws) as conn:
        rows = conn.execute("SELECT f.postal_code, f.address FROM matches m JOIN factories f ON f.id = m.supplier_id "
                            f"WHERE m.kind='pair' AND m.state IN ({','.join('?' * len(RELYING))}) ORDER BY m.id",
                            tuple(RELYING)).fetchall()
        rows += conn.execute("SELECT postal_code, address FROM factories ORDER BY id").fetchall()
        cities: list[str] = []
        for postal_code, address in rows:
            place = place_of(postal_code, address)
            city = max((n for n in place.names if place.prefecture and n.startswith(place.prefecture)), key=len,
                       default="")
            if city and city != place.prefecture and city not in cities:
                cities.append(city)
        story = {city: assess_factories(conn, [resolve(city)], [], vocab) for city in cities}
    for wanted in (lambda a: a.buyers and a.alternatives, lambda a: a.alternatives, lambda a: a.buyers):
        city = next((c for c, affected in story.items() if any(wanted(a) for a in affected)), None)
        if city:
            return city
    return DEMO_OUTAGE


def outage(ws: Workspace, forms: dict, people: list, echo: Callable[[str], None], *, seed: int) -> dict:
    """BCP: declare an outage in one of the sample's cities, print the alternatives and the faxes, and fax
    one alternative's reply slip back through the inbox to show the incident updating on its own."""
    from intake import bcp
    from intake.bcp.assess import uncovered_text
    from intake.bcp.incidents import vocabulary

    where = outage_area(ws)
    try:
        inc = bcp.assess(ws, area=[where], who="demo")
    except bcp.BcpError as exc:
        echo(f"[10] outage in {where}: {exc}")
        return {}
    vocab = vocabulary(ws)
    echo(f"[10] outage declared in {where}: incident {inc.id}, {len(inc.affected)} "
         f"{'factory' if len(inc.affected) == 1 else 'factories'} down")
    for a in inc.affected:
        alts = ", ".join(f"{x.factory} {x.name}（{x.prefecture}, {x.score:.2f}）" for x in a.alternatives) or "なし"
        echo(f"    {a.factory} {a.name} (buyers: {', '.join(a.buyers) or 'none'}) -> 代替先: {alts}")
        for u in uncovered_text(a, vocab):
            echo(f"      {u}")
    run = bcp.print_incident_letters(ws, inc.id, ws.output / "bcp")
    echo(f"[11] BCP letters for {inc.id} printed to {ws.output / 'bcp'}:")
    for line in run.summary_lines():
        echo(f"    {line}")
    result = {"bcp_affected": len(inc.affected), "bcp_letters": len(run.documents)}
    slip = next((d for d in run.documents if d.kind == "reply_slip"), None)
    person = next((p for p in people if slip and p.id == slip.respondent.id), None)
    if person is None:
        return result
    truths: list[dict] = []
    n = simulate_returns(ws, [(forms["bcp-reply"], person)], seed=seed + 3, match=inc.id, truths=truths)
    from intake.ingest.pipeline import process

    process(ws, forms=forms, stable_seconds=0, progress=False, workers=2)

    def said() -> str:
        return "; ".join(f"{r['factory_id']} {r['answer'] or '(answer not readable yet)'}"
                         + (f", from {r['start_date']}" if r["start_date"] else "")
                         + (f", {r['monthly']}/month" if r["monthly"] else "") + f" [{r['status']}]"
                         for r in bcp.get_incident(ws, inc.id).replies) or "nothing yet"

    echo(f"[12] {person.id}'s BCP reply slip came back by fax ({n} file) and was processed: incident {inc.id} "
         f"replies: {said()}")
    touched = simulated_clerk(ws, truths, lambda _line: None)["clerk_touched"]
    echo(f"    after {CLERK} confirmed {touched} fields: {said()}")
    replies = bcp.get_incident(ws, inc.id).replies
    offer = next((r for r in replies if r["answer"] in bcp.replies.OFFERS), None)
    made = None
    if offer is not None:
        try:
            made = bcp.accept_offer(ws, inc.id, offer["factory_id"], "demo")
        except bcp.BcpError as exc:
            echo(f"    the offer was not turned into matches: {exc}")
    if made is not None:
        echo(f"    the offer became {len(made)} approved match(es) in one command (intake bcp accept {inc.id} "
             f"{offer['factory_id']}): " + ", ".join(f"{m.id} {m.requester} <- {m.supplier}" for m in made))
    result["bcp_replies"] = len(replies)
    return result


def simulate_returns(ws: Workspace, copies: list, *, seed: int, truths: list | None = None,
                     match: str | None = None) -> int:
    """Each (form, respondent) answers in a synthetic hand and sends it through one of the
    simulator's channels in turn; files are staged, then renamed into the inbox whole."""
    import numpy as np

    from intake.simulate.answers import Company, random_company
    from intake.simulate.corpus import simulate_return
    from intake.simulate.degrade import DEFAULT_PROFILES

    rng = np.random.default_rng(seed)
    stage = ws.root / "output" / "simulated"
    stage.mkdir(parents=True, exist_ok=True)
    files = []
    for i, (form, person) in enumerate(copies):
        made_up = random_company(rng, "ja")
        company = Company(name=person.name, person=made_up.person, representative=made_up.representative,
                          postal_code=person.postal_code or made_up.postal_code,
                          address=person.address or made_up.address, phone=person.phone or made_up.phone,
                          fax=person.fax or made_up.fax)
        profile = list(DEFAULT_PROFILES)[i % len(DEFAULT_PROFILES)]
        truth = simulate_return(form, stage / f"{form.id}-{person.id}", profile, rng,
                                respondent=person.id, company=company, match=match)
        files += [stage / t["file"] for t in truth]
        if truths is not None:
            truths.extend(truth)
    for f in files:
        f.replace(ws.inbox / f.name)
    return len(files)
