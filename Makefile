# Two commands for a fresh machine: `make run` and `make test`. Everything else is a step they call.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
VENDOR := portal/static/vendor
PORT ?= 8000
WORKERS ?= 2

.PHONY: run test install assets translations messages migrate lint format bench clean

run: install
	$(FLASK) db upgrade
	$(FLASK) seed demo
	PORTAL_DEMO=true $(BIN)/gunicorn --workers $(WORKERS) --bind 127.0.0.1:$(PORT) \
		--access-logfile - --forwarded-allow-ips 127.0.0.1 wsgi:app

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -p no:cacheprovider
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
		$(BIN)/python -m pytest -p no:cacheprovider; \
	fi

install: $(VENV)/.installed $(VENDOR)/.installed translations

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Front-end assets come from npm (package.json / package-lock.json) and are copied, never committed.
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/@picocss/pico/css/pico.red.min.css $(VENDOR)/pico.min.css
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/chart.umd.min.js
	touch $@

assets: $(VENDOR)/.installed

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d portal/translations

# For developers: extract new strings and merge them into the catalogues, then translate the .po files.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract --ignore-dirs='.* node_modules' -F babel.cfg -k _l -k lazy_gettext -o portal/translations/messages.pot .
	$(BIN)/pybabel update -N -i portal/translations/messages.pot -d portal/translations

migrate: install
	$(FLASK) db upgrade

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench.org_subtree

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .ruff_cache
