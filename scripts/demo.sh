#!/usr/bin/env bash
# Set up, then evaluate the synthetic demo chemical park and render its report into
# outputs/demo-chem/2021-2023/ (report.html, report.docx, report.pdf, results.json, …).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
python3 -m evalkit render --park demo-chem --years 2021-2023 "$@"
