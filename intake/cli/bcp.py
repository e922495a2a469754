"""intake bcp: an outage (an area or factories down), its alternatives, letters and replies."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click

from intake.cli import main


def _text(inc, vocab, lang: str) -> list[str]:
    from intake.bcp.assess import uncovered_text

    head = "refreshed" if inc.refreshed else "declared"
    lines = [f"incident {inc.id} ({head}; {inc.state}): {len(inc.affected)} affected factories"
             f" — areas: {', '.join(inc.areas) or '-'}; down: {', '.join(inc.down) or '-'}"]
    for a in inc.affected:
        where = f"in {a.area}" if a.area else "named down"
        lines.append(f"{a.factory}  {a.name}  ({where})")
        lines.append(f"    提供していた加工: {vocab.join('process', a.processes, lang) or '-'}"
                     f" / 材質: {vocab.join('material', a.materials, lang) or '-'}"
                     f" / ロット: {vocab.join('lot', a.lots, lang) or '-'}"
                     f" / 認証: {vocab.join('certification', a.certifications, lang) or '-'}"
                     f"{' / 遊休設備あり' if a.idle_equipment else ''}")
        lines.append(f"    頼っている発注元: {', '.join(a.buyers) or 'なし'}")
        for i, alt in enumerate(a.alternatives, 1):
            lines.append(f"    {i}. {alt.factory} {alt.name}（{alt.prefecture}） {alt.score:.2f}")
            for r in (alt.reasons_ja if lang == "ja" else alt.reasons_en):
                lines.append(f"         {r}")
        if not a.alternatives:
            lines.append("    代替先なし（同意済みの企業で加工・材質が重なる先がありません）")
        lines += [f"    {u}" for u in uncovered_text(a, vocab)]
    return lines


@main.group(invoke_without_command=True)
@click.option("--area", "areas", multiple=True, help="A prefecture, city or ward, or a postal-code prefix (repeatable).")
@click.option("--down", "down", multiple=True, help="A factory id that is down (repeatable).")
@click.option("--who", default="coordinator", show_default=True, help="Who declares the incident (recorded).")
@click.option("--top", type=click.IntRange(1), default=3, show_default=True, help="Alternatives named per factory.")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl", "csv"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True, help="Language of reasons.")
@click.pass_context
def bcp(ctx: click.Context, areas, down, who, top, fmt, lang):
    """BCP: name the alternatives when a supplier or an area goes down (代替調達・生産支援), recorded as an
    incident; re-running for an open incident refreshes it. JSONL (a public interface), one line per affected
    factory: {"factory", "name", "area", "offered", "buyers", "alternatives", "uncovered"}.

    Python: intake.bcp.assess(workspace, area=[...], down=[...], who="coordinator", top=3)

    \b
    Example:
      intake --home office bcp --area 栃木県小山市 --who 佐藤
      intake --home office bcp --area 323-08 --down F0012 --format jsonl
      intake --home office bcp letters I0001 --out letters/
    """
    if ctx.invoked_subcommand is not None:
        return
    from intake.bcp import assess
    from intake.bcp.incidents import vocabulary

    inc = assess(ctx.obj.require(), area=list(areas), down=list(down), who=who, top=top)
    if fmt == "jsonl":
        for a in inc.affected:
            click.echo(json.dumps(a.public(lang), ensure_ascii=False))
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["incident", "factory", "name", "area", "buyers", "rank", "alternative", "alternative_name",
                    "prefecture", "score", "covers_processes", "covers_materials", "uncovered_processes",
                    "uncovered_materials"])
        for a in inc.affected:
            for i, alt in enumerate(a.alternatives or [None], 1):
                w.writerow([inc.id, a.factory, a.name, a.area or "", " ".join(a.buyers), i if alt else "",
                            alt.factory if alt else "", alt.name if alt else "", alt.prefecture if alt else "",
                            f"{alt.score:.3f}" if alt else "", " ".join(alt.processes) if alt else "",
                            " ".join(alt.materials) if alt else "", " ".join(a.uncovered_processes),
                            " ".join(a.uncovered_materials)])
        click.echo(buf.getvalue(), nl=False)
    else:
        for line in _text(inc, vocabulary(ctx.obj), lang):
            click.echo(line)
        click.echo(f"letters: intake bcp letters {inc.id} --out DIR")


@bcp.command("list")
@click.option("--state", type=click.Choice(["open", "closed"]), default=None, help="Only incidents in this state.")
@click.pass_obj
def list_(ws, state):
    """List incidents.

    Python: intake.bcp.list_incidents(workspace, state=None)

    \b
    Example:
      intake --home office bcp list --state open
    """
    from intake.bcp import list_incidents

    for inc in list_incidents(ws.require(), state):
        click.echo(f"{inc.id}  {inc.state:<6} {inc.declared_at}  by {inc.declared_by}  areas: {', '.join(inc.areas) or '-'}"
                   f"  down: {', '.join(inc.down) or '-'}  affected: {len(inc.affected)}  sent: {len(inc.sent)}"
                   f"  replies: {len(inc.replies)}")


@bcp.command()
@click.argument("incident_id")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.pass_obj
def show(ws, incident_id, fmt):
    """One incident: its assessment, what was sent, the replies.

    Python: intake.bcp.get_incident(workspace, incident_id)   (Incident.public() is the JSONL line)

    \b
    Example:
      intake --home office bcp show I0001
    """
    from intake.bcp import get_incident
    from intake.bcp.incidents import vocabulary

    inc = get_incident(ws.require(), incident_id)
    if fmt == "jsonl":
        click.echo(json.dumps(inc.public(), ensure_ascii=False))
        return
    for line in _text(inc, vocabulary(ws), "ja"):
        click.echo(line)
    click.echo(f"declared {inc.declared_at} by {inc.declared_by}; assessed {inc.assessed_at}"
               + (f"; closed {inc.closed_at} by {inc.closed_by}" if inc.closed_at else ""))
    for r in inc.sent:
        click.echo(f"sent: {r['kind']:<8} {r['respondent_id']}  {r['channel']}  {r['printed_at']}")
    for r in inc.replies:
        click.echo(f"reply: {r['factory_id']}  {r['answer'] or '(not readable yet)'}  from {r['start_date'] or '-'}"
                   f"  {r['monthly'] or '-'}/月  [{r['status']}]" + (f"  matches {r['match_ids']}" if r['match_ids'] else ""))


@bcp.command()
@click.argument("incident_id")
@click.option("--who", required=True, help="Coordinator's name (recorded).")
@click.option("--why", default=None, help="Optional note.")
@click.pass_obj
def close(ws, incident_id, who, why):
    """Close an incident once the outage is over; nothing more is sent for it.

    Python: intake.bcp.close(workspace, incident_id, who, why=None)

    \b
    Example:
      intake --home office bcp close I0001 --who 佐藤
    """
    from intake.bcp import close as do

    click.echo(f"{incident_id}: {do(ws.require(), incident_id, who, why).state}")


@bcp.command()
@click.argument("incident_id")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--wareki", is_flag=True, help="Date letters in 和暦 (令和8年…).")
@click.pass_obj
def letters(ws, incident_id, out, wareki):
    """Print an open incident's letters not yet sent: 代替生産のお願い with a reply slip to each alternative,
    代替調達先のお知らせ to each affected buyer; fax first (cover sheets), one batch PDF and a mailing CSV.

    Python: intake.bcp.print_incident_letters(workspace, incident_id, out, wareki=False)

    \b
    Example:
      intake --home office bcp letters I0001 --out letters/
    """
    from intake.bcp import print_incident_letters

    for line in print_incident_letters(ws.require(), incident_id, out, wareki=wareki).summary_lines():
        click.echo(line)


@bcp.command()
@click.argument("incident_id")
@click.argument("factory")
@click.option("--who", required=True, help="Coordinator's name (recorded).")
@click.pass_obj
def accept(ws, incident_id, factory, who):
    """Turn a factory's offer (its reply slip said できる or 条件付きで可) into an approved match for each request
    that relied on a factory it was asked to replace (then: intake letters --approved).

    Python: intake.bcp.accept_offer(workspace, incident_id, factory, who)

    \b
    Example:
      intake --home office bcp accept I0001 F0007 --who 佐藤
    """
    from intake.bcp import accept_offer

    for m in accept_offer(ws.require(), incident_id, factory, who):
        click.echo(f"{m.id}: {m.state} ({m.request} ← {m.supplier}, score {m.score:.2f}{', manual' if m.manual else ''})")
