#!/usr/bin/env bash
# Install the Debian packages in deps/apt.txt that are missing (needs root or sudo).
set -eu
missing=()
for pkg in $(sed 's/#.*//' deps/apt.txt); do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo -n"
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
