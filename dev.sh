#!/bin/sh
# The two set-up commands of the README:
#   ./dev.sh demo   create .venv, install jixiao, run it on the bundled demo reports
#   ./dev.sh test   create .venv, install jixiao with its test extras, run every test
set -eu
cd "$(dirname "$0")"

PY=""
for cand in "${PYTHON:-}" python3.11 python3 python; do
    [ -n "$cand" ] || continue
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        PY="$cand"; break
    fi
done
[ -n "$PY" ] || { echo "dev.sh: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2; exit 2; }

install() {
    if [ ! -x .venv/bin/python ]; then
        "$PY" -m venv .venv
    fi
    # Reinstall only when the project's dependencies changed since the last install.
    if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
        .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
        touch .venv/.installed
    fi
}

case "${1:-}" in
    demo)
        install
        # The main job: one parameters file per demo town, then the batch of audit notebooks.
        .venv/bin/jixiao params examples/reports --out params
        exec .venv/bin/jixiao batch params --out outputs --jobs 2
        ;;
    test)
        install
        shift
        exec .venv/bin/python -m pytest "$@"
        ;;
    *)
        echo "usage: ./dev.sh demo | ./dev.sh test [pytest args]" >&2
        exit 2
        ;;
esac
