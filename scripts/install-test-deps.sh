#!/usr/bin/env bash
# Installs the system packages the test suite drives as real Kafka clients and
# browsers: kcat (librdkafka), kafka-python, confluent-kafka-python, Chromium;
# librdkafka-dev with gcc, which `npm run bench` builds its librdkafka load generator with;
# Prometheus, which scrapes the console's /metrics in test/server/lag-history/metrics.test.ts;
# and g++ with make, which build better-sqlite3 from source when its prebuilt binary cannot be downloaded.
set -euo pipefail
packages=(kcat python3-kafka python3-confluent-kafka chromium librdkafka-dev gcc g++ make prometheus)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test dependencies present: ${packages[*]}"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing ${missing[*]}; install them with your package manager" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
