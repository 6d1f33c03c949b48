#!/usr/bin/env bash
# Installs the Debian packages the project needs (idempotent; skips apt when all are there).
set -euo pipefail
packages=(redis-server redis-tools libncursesw5-dev tmux openssl python3 python3-venv golang-go nutcracker gcc make)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null; then
  echo "swift not found on PATH: install Swift 6.1 or later (https://www.swift.org/install/linux/)" >&2
  exit 69
fi
# The redis-server package starts a system service on 6379; the project never uses it.
