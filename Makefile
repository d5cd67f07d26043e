# The two commands: `make run` and `make test`. Both build .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := APP_ENV=development $(BIN)/flask --app app

.PHONY: run test bench stack stack-test lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.run-installed $@

run: $(VENV)/.run-installed
	bash deploy/install-packages.sh app
	$(FLASK) translate compile
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	@echo ""
	@echo "Demo logins (password for all four: demo-password):"
	@echo "  admin@example.org        administrator"
	@echo "  coordinator@example.org  coordinator"
	@echo "  officer@example.org      officer (Ladywood)"
	@echo "  volunteer@example.org    Speed Watch volunteer (Ladywood): sees only the rota"
	@echo "A background worker writes emails to instance/mail/ (see them at /staff/mail)."
	@echo ""
	@$(FLASK) worker --interval 5 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000

test: $(VENV)/.dev-installed
	bash deploy/install-packages.sh test
	$(FLASK) translate compile
	$(BIN)/python -m pytest -n auto --dist loadfile --durations=30

$(VENV)/.bench-installed: requirements.txt requirements-dev.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $(VENV)/.run-installed $(VENV)/.dev-installed $@

bench: $(VENV)/.bench-installed
	@ls bench/*.py >/dev/null 2>&1 && for f in bench/*.py; do $(BIN)/python $$f; done || echo "No benchmarks yet."

# The production stack on loopback (nginx, gunicorn, workers, PostgreSQL, Redis, SMTP sink): see README, Production.
stack: $(VENV)/.dev-installed
	bash deploy/install-packages.sh app stack
	$(BIN)/python deploy/stack.py up

stack-test: $(VENV)/.dev-installed
	bash deploy/test-stack.sh

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
