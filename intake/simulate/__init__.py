"""Simulated returns for tests, the demo and the benchmark: fill rendered forms with synthetic
handwriting and send them through fax and scan channels, with the ground truth beside the files.

    simulate(forms, out_dir, n_respondents, seed=0, profiles=DEFAULT_PROFILES, lang='ja', writers='tuning')
        -> Path (truth.jsonl)
    simulate_return(form, out_stem, profile, rng, respondent=..., company=..., writers='tuning') -> list[dict]
    fill_page(page, dpi, geoms, answers, rng, writer=None, lang='ja') -> (image, truth, notes)
    random_writer(rng, lang='ja', writers='tuning') -> Writer
    WRITER_SETS = ('tuning', 'heldout'): the hands thresholds are tuned on, and the held-out hands figures
        are reported on (other fonts, other MNIST digits, other mark styles; see intake.simulate.writers)
    random_answers(form, rng, lang='ja', company=None) -> {key: value}
    send(profile, pages, dpi, out_stem, rng, header=None) -> (files, info)      PROFILES: the channels
    read_truth(path) -> list[dict]
"""

from intake.simulate.answers import Company, random_answers, random_company  # noqa: F401
from intake.simulate.corpus import SimulateError, read_truth, simulate, simulate_return  # noqa: F401
from intake.simulate.degrade import DEFAULT_PROFILES, PROFILES, FaxHeader, send  # noqa: F401
from intake.simulate.fill import Quirks, Writer, fill_page, random_writer  # noqa: F401
from intake.simulate.writers import WRITER_SETS, MarkHand, random_mark_hand  # noqa: F401
