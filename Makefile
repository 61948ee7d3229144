# The two commands of README.md: `make run` serves the demo site, `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test lint format vendor

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# Loads the demo notes only into a database that has no notes yet, so a second run keeps edits.
run: install
	$(BIN)/python manage.py migrate
	if $(BIN)/python manage.py shell -v 0 -c "from papers.models import Note; raise SystemExit(Note.objects.exists())"; \
	then $(BIN)/python manage.py loaddata demo; fi
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install node_modules/.package-lock.json lint
	$(BIN)/python -m pytest

# npm ci writes node_modules/.package-lock.json; the accessibility browser test runs axe-core
# from there. Only the tests need Node.js: `make run` does not.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refreshes the front-end libraries committed under static/vendor/ (needs Node.js and npm; the
# CodeMirror editor of the admin is bundled from frontend/codemirror.js into one file) and
# the Pygments stylesheets (light, and dark for prefers-color-scheme: dark). Run after changing
# package.json.
vendor: install
	npm ci --no-audit --no-fund
	rm -rf static/vendor/katex && mkdir -p static/vendor/katex
	cp node_modules/katex/dist/katex.min.js node_modules/katex/dist/katex.min.css node_modules/katex/dist/contrib/copy-tex.min.js node_modules/katex/LICENSE static/vendor/katex/
	cp -r node_modules/katex/dist/fonts static/vendor/katex/
	rm -rf static/vendor/codemirror && mkdir -p static/vendor/codemirror
	node_modules/.bin/esbuild frontend/codemirror.js --bundle --format=esm --minify --legal-comments=none --outfile=static/vendor/codemirror/codemirror.js
	cp node_modules/@codemirror/view/LICENSE static/vendor/codemirror/
	$(BIN)/pygmentize -S xcode -f html -a .highlight > static/css/highlight.css
	$(BIN)/pygmentize -S github-dark -f html -a .highlight > static/css/highlight-dark.css
