#!/usr/bin/env bash
# What vcdesk needs from the machine besides Python.
#   scripts/system-deps.sh          for `make run`: Debian's CJK fonts, so PDFs print Chinese
#   scripts/system-deps.sh --test   for `make test`: also Debian's Chromium (browser tests)
#                                   and a running local PostgreSQL cluster
set -euo pipefail
for_tests=false
[ "${1:-}" = "--test" ] && for_tests=true

need=()
fc-list ':family=Noto Sans CJK SC' 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
# WeasyPrint (PDF forms) draws text with Pango and HarfBuzz.
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p | grep -q 'libharfbuzz-subset.so.0' || need+=(libharfbuzz-subset0)
if $for_tests; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
fi
if ((${#need[@]})); then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  if command -v apt-get >/dev/null; then
    echo "installing ${need[*]} from Debian"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  elif $for_tests; then
    echo "missing ${need[*]} and no apt-get to install them" >&2; exit 1
  else
    echo "warning: ${need[*]} missing; PDFs may not show Chinese text" >&2
  fi
fi

if $for_tests && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "starting the local PostgreSQL cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if $for_tests; then pg_isready -h 127.0.0.1 -p 5432; fi
