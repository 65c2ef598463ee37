# Sourced by the scripts: create .venv if needed and install the given requirements file
# (pip skips what is already installed at the pinned version).
python_bin="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
# shellcheck disable=SC1091
source .venv/bin/activate
python -m pip install --quiet --disable-pip-version-check -r "$1"
