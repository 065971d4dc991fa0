#!/usr/bin/env bash
# The headless demo: what a clerk would see, printed on the terminal.
set -euo pipefail
vanthu --version
