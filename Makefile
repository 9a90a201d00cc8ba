# Every target creates .venv on first use; only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench unit integration clean images container-standins test-containers acceptance screenshots \
	test-adversarial

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Calipso needs Python 3.11 or later, found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/calipso demo

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit tests/integration

# attacks on a stack of its own, loopback only, each bounded (about 4 minutes on 2 cores): slow clients,
# login floods, poison monitoring results, a frozen and a killed store, open redirects, console fuzz
test-adversarial: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/adversarial

unit: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit

# `make bench BENCH=scan HOSTS=100`: only the benchmarks whose module names hold BENCH; the scan bench at
# these computes (default 1000,3000,10000) and l2population modes (L2POP, default off,on); SCANS=first
# (or any of first,floor,workers,unchanged,added) for fewer rows
bench: $(STAMP)
	$(if $(HOSTS),SCAN_BENCH_SIZES=$(HOSTS)) $(if $(L2POP),SCAN_BENCH_L2POP=$(L2POP)) $(if $(SCANS),SCAN_BENCH_SCANS=$(SCANS)) $(BIN)/python -m tests.bench $(BENCH)

images:
	docker/build.sh

# Local stand-ins for python:3.11-slim, mongo and rabbitmq, built from Debian's packages, for machines that
# reach no container registry (installs podman with apt when no engine is present; needs root).
container-standins:
	tests/containers/standins.sh base-images

# Builds every image and runs the compose stack end to end through its published ports.
test-containers: $(STAMP) container-standins images
	tests/containers/standins.sh mongo
	$(BIN)/python -m pytest -q -s -p no:cacheprovider tests/containers

# opt-in, never in `make test` or CI: installs OpenStack on THIS machine (needs CALIPSO_ACCEPTANCE=1), from the
# project's own test bed (tests/acceptance/testbed/); ACCEPTANCE_NODES=1|2, ACCEPTANCE_DRIVER=ovs|linuxbridge
acceptance: $(STAMP)
	$(BIN)/python -m tests.acceptance.run

screenshots: $(STAMP)   # docs/console.png, the README's picture, from the browser test on a simulated cloud
	CALIPSO_SCREENSHOT_DIR=docs $(BIN)/python -m pytest -q -p no:cacheprovider tests/integration/ui/test_screenshots.py

clean:
	rm -rf $(VENV) build *.egg-info
