#!/bin/sh
# Which Python builds (or runs) the virtual environment $1. Used by `make install`; see README "Python versions".
#   - $1 exists: use it, and refuse a PYTHON=... of another minor version (a venv is never reused by another Python).
#   - else PYTHON=... if given, else the first supported of: python3.11 python3.12 python3.13 python3.
# Prints the interpreter on stdout; says which one it uses (or why none fits) in one line on stderr.
venv=$1
supported="3.11 3.12 3.13"   # keep in step with README and CONTRIBUTING
recorded=3.11                # the stored outputs were recorded with this one
needs="this project needs Python 3.11, 3.12 or 3.13 (3.11 preferred)"

version() { "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null; }
minor() { echo "${1%.*}"; }
is_supported() { case " $supported " in *" $(minor "$1") "*) return 0 ;; esac; return 1; }
say() { echo "make: $*" >&2; }
note() { [ "$(minor "$1")" = "$recorded" ] || echo "; the stored outputs were recorded with $recorded and are the same on $(minor "$1")"; }

if [ -x "$venv/bin/python" ] && vv=$(version "$venv/bin/python"); then
    if [ -n "$PYTHON" ]; then
        pv=$(version "$PYTHON") || { say "PYTHON=$PYTHON: not found or does not run; $needs"; exit 1; }
        if [ "$(minor "$pv")" != "$(minor "$vv")" ]; then
            say "$venv was built with Python $vv, not $pv (PYTHON=$PYTHON): run 'make clean' to rebuild it, or 'make test-python PY=$PYTHON' for a venv of its own"
            exit 1
        fi
    fi
    is_supported "$vv" || { say "$venv was built with Python $vv; $needs: run 'make clean' first"; exit 1; }
    say "using $venv (Python $vv)"
    echo "$venv/bin/python"
    exit 0
fi

if [ -n "$PYTHON" ]; then
    pv=$(version "$PYTHON") || { say "PYTHON=$PYTHON: not found or does not run; $needs"; exit 1; }
    is_supported "$pv" || { say "PYTHON=$PYTHON is Python $pv; $needs"; exit 1; }
    say "creating $venv with $PYTHON (Python $pv)$(note "$pv")"
    echo "$PYTHON"
    exit 0
fi

seen=""
for c in python3.11 python3.12 python3.13 python3; do
    v=$(version "$c") || continue
    if is_supported "$v"; then
        say "creating $venv with $c (Python $v)$(note "$v")"
        echo "$c"
        exit 0
    fi
    seen="$seen${seen:+, }$c is $v"
done
say "no supported Python found (tried python3.11, python3.12, python3.13, python3${seen:+; found: $seen}); $needs: install one, or name it with PYTHON=/path/to/python"
exit 1
