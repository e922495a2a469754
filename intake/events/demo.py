"""The demo's matching event (`make demo`, after the BCP step): invitations with personalised RSVP slips, a few
RSVPs faxed back (simulated hands, standard 204x98 fax) and read through the inbox, the rest by phone (the
clerk's twin), the schedule, and the day's sheets. Every random choice is seeded: two runs tell one story."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Callable

from intake.workspace import Workspace

FAXED = 3                      # RSVP slips that come back by fax in the demo


def fax_back_slip(ws: Workspace, form, slip_pdf: Path, answers: dict, rng, stem: str, sender: str = "") -> dict:
    """A personalised slip filled in a simulated hand and faxed at 204x98 into the inbox (staged, then renamed
    in whole). Returns what was written on it ({key: value}, the simulator's truth)."""
    from intake.form.layout import layout
    from intake.simulate.corpus import rasterise
    from intake.simulate.degrade import PROFILES, FaxHeader, send
    from intake.simulate.fill import fill_page, random_writer

    img, truth, _notes = fill_page(rasterise(slip_pdf, 300)[0], 300, layout(form).pages[0].fields, answers, rng,
                                    random_writer(rng, "ja", "tuning"))
    stage = ws.output / "simulated"
    stage.mkdir(parents=True, exist_ok=True)
    files, _ = send(PROFILES["fax-standard"], [img], 300, stage / stem, rng,
                    FaxHeader("2026/12/01 10:00", "0000-00-0000", sender))
    files[0].replace(ws.inbox / files[0].name)
    return truth


def event_day(ws: Workspace, echo: Callable[[str], None] = print, *, seed: int = 7, today: date | None = None,
              first_step: int = 13, workers: int = 2) -> dict:
    import numpy as np

    from intake import events
    from intake.ingest.pipeline import process
    from intake.review.service import forms as forms_of

    today = today or date.today()
    day = today + timedelta(days=30)
    eid = f"E{day:%Y%m}"
    out = ws.output / "events"
    n = first_step
    events.create(ws, eid, "ものづくり商談会（デモ）", day.isoformat(), "産業振興センター 大会議室", 4, 4,
                  who="demo", today=today)
    run = events.invite(ws, eid, out, all_consenting=True, today=today)
    fax = sum(1 for p in run.packets if p.to.channel == "fax")
    echo(f"[{n}] event {eid} ({day.isoformat()}): {len(run.packets)} invitations ({fax} by FAX) with personalised "
         f"RSVP slips printed to {out}")
    if not run.packets:
        return {"event_invited": 0}
    parts = sorted(events.get_event(ws, eid).participants, key=lambda p: (-len(p.candidates), p.factory))
    rng = np.random.default_rng(seed + 13)
    form = forms_of(ws)["event-rsvp"]
    slips = {d.respondent.id: d.path for d in run.documents if d.kind == "event_rsvp"}
    faxed = parts[:FAXED]
    truths = []
    for p in faxed:
        answers = {"attend": "yes", "people": "2", "hosts_visit": "yes" if rng.random() < 0.5 else "no"}
        for k in range(1, len(p.candidates) + 1):
            answers[f"wish_{k}"] = "meet" if k == 1 else "skip"
        truth = fax_back_slip(ws, form, slips[p.factory], answers, rng, f"rsvp-{p.factory}", p.name)
        truths.append({"form": form.id, "respondent": p.factory, "pages": [{"fields": truth}]})
    process(ws, stable_seconds=0, progress=False, workers=workers)

    def said() -> str:
        after = {p.factory: p for p in events.get_event(ws, eid).participants}
        return "; ".join(f"{p.factory} " + (f"{after[p.factory].status}, {after[p.factory].people or '?'}名, wishes "
                                            f"{','.join(after[p.factory].wishes) or '-'}"
                                            if after[p.factory].source == "rsvp" else "awaits a clerk (review)")
                         for p in faxed)

    echo(f"[{n + 1}] {len(faxed)} RSVP slips came back by fax (204x98) and were read: {said()}")
    from intake.demo import CLERK, simulated_clerk

    touched = simulated_clerk(ws, truths, lambda _line: None)["clerk_touched"]
    echo(f"    after {CLERK} confirmed {touched} fields: {said()}")
    phoned = [p.factory for p in parts[FAXED:]]
    for fid in phoned:
        events.attend(ws, eid, fid)
    echo(f"    {len(phoned)} more answered by phone (intake event attend {eid} ID)")
    try:
        sch = events.make_schedule(ws, eid, allow_unmet=True)
    except events.ScheduleError as exc:
        echo(f"[{n + 2}] no schedule: {exc}")
        return {"event_invited": len(run.packets)}
    sol = sch.solution
    echo(f"[{n + 2}] schedule (scipy milp, HiGHS): {len(sch.meetings)} meetings in {sch.event.slots} slots × "
         f"{sch.event.tables} tables from {len(sch.pairs)} candidate pairs; objective {sol.objective:.3f}, bound "
         f"{sol.bound:.3f}, greedy {sol.greedy:.3f}")
    sheets = events.print_day_sheets(ws, eid, out / "day")
    echo(f"[{n + 3}] day sheets printed to {out / 'day'}: schedules, table plan, 受付名簿, {sheets.badge_count} 名札")
    return {"event_invited": len(run.packets), "event_meetings": len(sch.meetings), "event_badges": sheets.badge_count}
