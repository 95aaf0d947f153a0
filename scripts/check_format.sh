#!/usr/bin/env bash
# Checks that every C++ file of the project matches the checked-in .clang-format (CI runs it).
#   scripts/check_format.sh         report the files that differ; exit 1 if any
#   scripts/check_format.sh --fix   reformat them in place
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mapfile -t files < <(git ls-files -- 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' \
                       'tools/*.cpp' 'tools/*.h' 'fuzz/*.cpp' 'fuzz/*.h' 'bench/*.cpp')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run -Werror "${files[@]}" 2>/tmp/clang-format.$$; then
  grep -o '^[^:]*:' /tmp/clang-format.$$ | sort -u | sed 's/:$//; s/^/check_format: not formatted: /' >&2
  rm -f /tmp/clang-format.$$
  echo "check_format: run scripts/check_format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/clang-format.$$
echo "check_format: ${#files[@]} files formatted as .clang-format says" >&2
