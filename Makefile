# novalite: `make up` sets everything up and starts the cloud; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# novnc, spice-html5: the consoles' web clients; nodejs: tools/install-assets fetches
# npm's @xterm/xterm (the serial console page); chromium: the browser tests (Playwright)
# tgt: the iscsi volume backend (a userspace iSCSI target the volume service starts)
APT_PACKAGES := python3 python3-venv python3-dev gcc make pkg-config iproute2 genisoimage dnsmasq-base dnsmasq-utils nftables busybox-static novnc spice-html5 nodejs chromium tgt

.PHONY: install up test lint unit functional integration bench conformance faults clean

install: $(VENV)/.installed

# libvirt + QEMU for real guests (tools/setup-libvirt: packages, qemu.conf, daemons);
# the client extra puts the openstack CLI and openstacksdk into .venv for the README.
$(VENV)/.installed: pyproject.toml
	@bash tools/apt-install $(APT_PACKAGES)
	@bash tools/setup-libvirt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[libvirt,client]'
	@bash tools/install-assets $(VENV)/share/novalite
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

up: install
	@bash tools/setup-libvirt >/dev/null
	$(BIN)/novalite up

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The whole suite: lint, then every test on SQLite, then again on PostgreSQL and MariaDB.
test: $(VENV)/.installed-test
	@bash tools/ensure-services
	@bash tools/setup-libvirt >/dev/null
	$(MAKE) --no-print-directory lint
	bash tools/run-tests

bench: install
	@for b in $(filter-out bench/cloud.py,$(wildcard bench/*.py)); do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# The clients' own functional suites (openstacksdk 4.22.0, python-openstackclient 10.5.0,
# from their PyPI sdists) against a fresh novalite up: JSON per module (tools/conformance).
conformance: $(VENV)/.installed-test
	$(BIN)/python tools/conformance --output conformance.json

# The fault-recovery suite (separate processes on RabbitMQ + PostgreSQL: a compute, the
# conductor, the broker and the database killed or stopped during 50 boots), ~5 min.
faults: $(VENV)/.installed-test
	@bash tools/ensure-services
	NOVALITE_FAULT_TESTS=1 NOVALITE_TEST_DB=postgresql $(BIN)/pytest -q -p no:cacheprovider tests/integration/test_fault_recovery.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
