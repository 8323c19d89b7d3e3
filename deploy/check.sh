#!/usr/bin/env bash
# Validates the deploy files: YAML and JSON syntax, Prometheus config and alert rules (with their
# unit tests), the PromQL of the Grafana dashboard, metric names against docs/metrics.md, the
# Kubernetes manifests against the API schemas, the systemd unit, the compose file's references,
# and that every shutdown grace period exceeds run.shutdown_timeout. Installs what it needs
# (PyYAML, kubernetes-validate with pip; promtool from Debian's `prometheus` package).
# Idempotent; exits non-zero if any check fails.
#
#   bash deploy/check.sh
#
# With TOCSIN_BIN=path/to/tocsin (built from the same tree), it also runs `tocsin check-config` on
# the Kubernetes ConfigMap's tocsin.toml with the repository's lexicons.
set -euo pipefail
cd "$(dirname "$0")/.."

failures=0
step() { printf '\n== %s\n' "$1"; }
ok() { printf 'ok: %s\n' "$1"; }
fail() { printf 'FAIL: %s\n' "$1" >&2; failures=$((failures + 1)); }
skip() { printf 'skipped: %s\n' "$1"; }
check() { # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else fail "$name"; fi
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 \
    || { as_root apt-get update >/dev/null && as_root apt-get install -y --no-install-recommends "$@" >/dev/null; }
}
pip_install() { python3 -m pip install --quiet --disable-pip-version-check "$@"; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

step "tools"
python3 -c 'import yaml' 2>/dev/null || pip_install pyyaml
command -v promtool >/dev/null || apt_install prometheus
command -v kubernetes-validate >/dev/null || pip_install kubernetes-validate
python3 -c 'import yaml; print("PyYAML", yaml.__version__)'
promtool --version 2>&1 | head -1
kubernetes-validate --version

step "YAML and JSON syntax"
mapfile -t yamls < <(find deploy -type f \( -name '*.yml' -o -name '*.yaml' \) | sort)
for f in "${yamls[@]}"; do
  check "$f" python3 -c 'import sys, yaml; list(yaml.safe_load_all(open(sys.argv[1])))' "$f"
done
mapfile -t jsons < <(find deploy -type f -name '*.json' | sort)
for f in "${jsons[@]}"; do
  check "$f" python3 -m json.tool "$f" /dev/null
done

step "Prometheus"
check "promtool check config" promtool check config deploy/prometheus/prometheus.yml
check "promtool check rules" promtool check rules deploy/prometheus/alerts.yml
check "promtool test rules" promtool test rules deploy/prometheus/alerts_test.yml

step "Grafana dashboard queries"
# Every panel query, with Grafana's variables substituted, must parse as PromQL: promtool checks
# them as recording rules.
python3 - deploy/grafana/dashboards/tocsin.json >"$TMP/dashboard-rules.yml" <<'PY'
import json, sys, yaml
d = json.load(open(sys.argv[1]))
rules = []
def panels(ps):
    for p in ps:
        yield p
        yield from panels(p.get("panels", []))
for p in panels(d["panels"]):
    for t in p.get("targets", []):
        e = t["expr"]
        for var, val in (("$__rate_interval", "5m"), ("$__interval", "1m"), ("$job", ".+"),
                         ("${datasource}", "x")):
            e = e.replace(var, val)
        rules.append({"record": "dashboard:panel_%d_%s" % (p["id"], t["refId"]), "expr": e})
if not rules:
    sys.exit("no panel queries found")
yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, sys.stdout)
PY
check "dashboard PromQL" promtool check rules "$TMP/dashboard-rules.yml"

step "metric names"
# Every tocsin_* metric used by the rules and the dashboard must be documented in docs/metrics.md.
check "metrics used are documented" python3 - <<'PY'
import re, sys
doc = open("docs/metrics.md").read()
documented = set(re.findall(r"`(tocsin_[a-z0-9_]+)", doc))
used = {}
for f in ("deploy/prometheus/alerts.yml", "deploy/grafana/dashboards/tocsin.json"):
    for m in re.findall(r"\b(tocsin_[a-z0-9_]+)", open(f).read()):
        used.setdefault(re.sub(r"_(bucket|sum|count)$", "", m), set()).add(f)
missing = sorted(m for m in used if m not in documented)
for m in missing:
    print(f"{m} (used in {', '.join(sorted(used[m]))}) is not in docs/metrics.md", file=sys.stderr)
sys.exit(1 if missing else 0)
PY

step "Kubernetes manifests"
mapfile -t manifests < <(find deploy/k8s -type f -name '*.yaml' ! -name kustomization.yaml | sort)
check "API schemas (kubernetes-validate --strict)" kubernetes-validate --strict --quiet "${manifests[@]}"
if command -v kubectl >/dev/null; then
  if kubectl kustomize deploy/k8s >"$TMP/k8s.yaml"; then
    check "kustomize build validates" kubernetes-validate --strict --quiet "$TMP/k8s.yaml"
  else
    fail "kubectl kustomize deploy/k8s"
  fi
else
  skip "kubectl not installed: kustomization.yaml not rendered"
fi

step "consistency"
check "grace periods, ports and file references" python3 - <<'PY'
import configparser, re, sys, tomllib, yaml
problems = []
def secs(v):
    m = re.fullmatch(r"\s*(\d+)\s*(ms|s|sec|m|min|h)?\s*", str(v))
    if not m:
        raise ValueError(f"cannot read duration {v!r}")
    n, u = int(m.group(1)), m.group(2) or "s"
    return n * {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}[u]

default = tomllib.load(open("config/tocsin.toml", "rb"))
cm = yaml.safe_load(open("deploy/k8s/configmap.yaml"))
k8s_cfg = tomllib.loads(cm["data"]["tocsin.toml"])
# The service waits run.shutdown_timeout for the stages, plus 5 s for the tasks to end.
need = lambda cfg: secs(cfg.get("run", {}).get("shutdown_timeout", default["run"]["shutdown_timeout"])) + 5

port = k8s_cfg["metrics"]["addr"].rsplit(":", 1)[1]
for f in ("deploy/k8s/enrich.yaml", "deploy/k8s/alert.yaml"):
    d = yaml.safe_load(open(f))
    spec = d["spec"]["template"]["spec"]
    grace = spec.get("terminationGracePeriodSeconds", 30)
    if grace <= need(k8s_cfg):
        problems.append(f"{f}: terminationGracePeriodSeconds {grace} <= shutdown_timeout + 5 s ({need(k8s_cfg)})")
    c = spec["containers"][0]
    ports = {p["name"]: str(p["containerPort"]) for p in c["ports"]}
    if ports.get("metrics") != port:
        problems.append(f"{f}: container port {ports.get('metrics')} differs from metrics.addr port {port}")
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        if c.get(probe, {}).get("httpGet", {}).get("path") != path:
            problems.append(f"{f}: {probe} must GET {path}")
    mounted = {v["name"] for v in c.get("volumeMounts", [])}
    declared = {v["name"] for v in spec.get("volumes", [])}
    if mounted - declared:
        problems.append(f"{f}: volume mounts without volumes: {sorted(mounted - declared)}")

unit = configparser.ConfigParser(strict=False, interpolation=None)
unit.optionxform = str
unit.read("deploy/systemd/tocsin.service")
stop = secs(unit["Service"]["TimeoutStopSec"])
if stop <= need(default):
    problems.append(f"tocsin.service: TimeoutStopSec {stop}s <= shutdown_timeout + 5 s ({need(default)})")

compose = yaml.safe_load(open("deploy/compose.yaml"))
for name, svc in compose["services"].items():
    if not name.startswith("tocsin-"):
        continue
    if secs(svc.get("stop_grace_period", "10s")) <= need(default):
        problems.append(f"compose {name}: stop_grace_period <= shutdown_timeout + 5 s")
    addr = svc.get("environment", {}).get("TOCSIN_METRICS__ADDR", "")
    if not addr.endswith(":9464"):
        problems.append(f"compose {name}: TOCSIN_METRICS__ADDR {addr!r} is not the scraped port 9464")
import os
for name, svc in compose["services"].items():
    for v in svc.get("volumes", []):
        src = v.split(":")[0]
        if src.startswith("."):
            if not os.path.exists(os.path.join("deploy", src)):
                problems.append(f"compose {name}: volume source {src} does not exist")
    b = svc.get("build")
    if b and not os.path.isfile(os.path.join("deploy", b["context"], b["dockerfile"])):
        problems.append(f"compose {name}: Dockerfile {b['dockerfile']} not found")

for line in open("deploy/Dockerfile"):
    m = re.match(r"COPY\s+(?!--from)(\S+)\s", line)
    if m and m.group(1) != "." and not os.path.exists(m.group(1)):
        problems.append(f"Dockerfile: COPY source {m.group(1)} does not exist")

for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY

if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
  check "docker compose config" docker compose -f deploy/compose.yaml config -q
else
  skip "docker compose not available: compose file checked by the consistency step only"
fi

step "systemd unit"
if command -v systemd-analyze >/dev/null; then
  # Verify a copy whose commands exist on this machine: /usr/bin/tocsin is usually not installed
  # where this runs, and systemd-analyze reports missing executables as errors.
  mkdir -p "$TMP/systemd"
  sed 's#/usr/bin/tocsin#/bin/true#g' deploy/systemd/tocsin.service >"$TMP/systemd/tocsin.service"
  if out=$(systemd-analyze verify "$TMP/systemd/tocsin.service" 2>&1); then
    [ -n "$out" ] && printf '%s\n' "$out"
    ok "systemd-analyze verify tocsin.service"
  else
    printf '%s\n' "$out" >&2
    fail "systemd-analyze verify tocsin.service"
  fi
else
  skip "systemd-analyze not installed"
fi

step "tocsin check-config on the Kubernetes configuration"
bin=${TOCSIN_BIN:-}
if [ -n "$bin" ]; then
  mkdir -p "$TMP/etc/lexicons"
  python3 -c 'import sys, yaml; sys.stdout.write(yaml.safe_load(open("deploy/k8s/configmap.yaml"))["data"]["tocsin.toml"])' \
    >"$TMP/etc/tocsin.toml"
  cp config/lexicons/*.toml "$TMP/etc/lexicons/"
  check "tocsin check-config (with $bin)" env -u TOCSIN_CONFIG "$bin" check-config "$TMP/etc/tocsin.toml"
else
  skip "TOCSIN_BIN not set: ConfigMap not checked by tocsin"
fi

echo
if [ "$failures" -gt 0 ]; then
  echo "deploy/check.sh: $failures check(s) failed" >&2
  exit 1
fi
echo "deploy/check.sh: all checks passed"
