#!/usr/bin/env bash
# The deployment end to end (issue 6): site.yml with the sandbox inventory's variables on fresh sandbox hosts.
#   run.sh PROVISION_BIN
# sbx1 = web1 (webservers) and sbx2 = es1 (elasticsearch) are provisioned and checked from this machine; sbx3 and
# sbx4 (web1 and es1 again) get a --check run that must list pending changes and leave them untouched.
# Env: DEPLOYMENT_KEEP_UP=1 leaves the sandbox and the fixtures running. Needs root.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
sandbox="$repo/tests/sandbox/sandbox.sh"
[ $# -eq 1 ] && [ -x "$1" ] || { echo "usage: $0 PROVISION_BIN" >&2; exit 64; }
provision=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
state_dir=${PROVISION_SANDBOX_DIR:-$repo/.sandbox}
work=$(mktemp -d "${TMPDIR:-/tmp}/provision-deployment.XXXXXX")

cleanup() {
  if [ -z "${DEPLOYMENT_KEEP_UP:-}" ]; then
    "$here/fixtures.sh" stop || echo "run.sh: stopping the fixtures failed" >&2
    "$sandbox" down >/dev/null 2>&1 || echo "run.sh: sandbox down failed" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
expect_eq() { # WHAT EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then pass "$1"; else
    fail "$1"; echo "--- expected"; echo "$2"; echo "--- actual"; echo "$3"
  fi
}
on() { "$sandbox" exec "sbx$1" sh -c "$2"; } # N COMMAND: runs as root on a host

# sandbox_ip, and site.yml's inventory with the sandbox inventory's group_vars: sandbox_site_inventory DIR REPO
# STATE_DIR WEB_N ES_N.
# shellcheck source=../sandbox/lib/inventory.sh
. "$repo/tests/sandbox/lib/inventory.sh"
inventory() { sandbox_site_inventory "$1" "$repo" "$state_dir" "$2" "$3"; } # DIR WEB_N ES_N

recap() { # LOG HOST: "ok=.. changed=.. ..." of HOST's PLAY RECAP line
  awk -v h="$2" '/^PLAY RECAP/ { r = 1; next } r && $1 == h { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }' "$1"
}
field() { recap "$1" "$2" | tr ' ' '\n' | awk -F= -v k="$3" '$1 == k { print $2 }'; } # LOG HOST KEY

# Every file of a host's own layer with its type, mode, owner, size and time, for "nothing changed" checks.
layer() { # N
  find "$state_dir/hosts/sbx$1/rw/upper" -path '*/var/log/wtmp' -prune -o -path '*/var/log/btmp' -prune \
    -o -path '*/var/log/lastlog' -prune -o -printf '%P %y %m %U:%G %s %T@ %l\n' | sort
}

"$sandbox" up 4 >/dev/null || { echo "FAIL the sandbox did not come up"; exit 1; }
# One retry: a reset has been seen, rarely, to lose a host's boot process ("exited right after start").
"$sandbox" reset sbx1 sbx2 sbx3 sbx4 >/dev/null || "$sandbox" reset sbx1 sbx2 sbx3 sbx4 >/dev/null ||
  { echo "FAIL resetting the hosts"; exit 1; }
"$here/fixtures.sh" start || { echo "FAIL the fixtures did not start"; exit 1; }
inventory "$work/inv" 1 2
inventory "$work/inv-check" 3 4
cd "$repo"

# --- check mode on sbx3/sbx4 (fresh) while the first run converges sbx1/sbx2 ------------------------------------
before3=$(layer 3) before4=$(layer 4)
[ -n "$before3" ] && [ -n "$before4" ] || fail "the check hosts' own layers cannot be read"
started=$(date +%s)
"$provision" site.yml -i "$work/inv-check" --check >"$work/check.log" 2>&1 &
check_pid=$!

# --- first run --------------------------------------------------------------------------------------------
"$provision" site.yml -i "$work/inv" >"$work/run1.log" 2>&1
rc=$?
echo "     first run took $(($(date +%s) - started)) s"
wait "$check_pid"
check_rc=$?
expect_eq "--check on fresh hosts exits 0" 0 "$check_rc"
for h in web1 es1; do
  changed=$(field "$work/check.log" $h changed)
  if [ "${changed:-0}" -gt 10 ] && [ "$(field "$work/check.log" $h failed)" = 0 ]; then
    pass "--check lists pending changes on $h ($(recap "$work/check.log" $h))"
  else
    fail "--check on $h: $(recap "$work/check.log" $h)"
  fi
done
expect_eq "--check leaves web1's fresh host untouched" "$before3" "$(layer 3)"
expect_eq "--check leaves es1's fresh host untouched" "$before4" "$(layer 4)"
[ "$check_rc" = 0 ] || grep -B2 -A12 -E '^(fatal|failed|ERROR)' "$work/check.log" | head -60

# Task names whose result on HOST was one of STATUSES (changed, ok, skipping, ...), from the human output.
tasks_with() { # LOG HOST STATUS...
  python3 - "$@" <<'PY'
import re, sys
log, host, statuses = sys.argv[1], sys.argv[2], set(sys.argv[3:])
task, seen = None, set()
for line in open(log):
    m = re.match(r"(?:TASK|RUNNING HANDLER) \[(.*)\] \*+$", line)
    if m:
        task = m.group(1)
        continue
    m = re.match(r"(\w+): \[([^\]]+)\]", line)
    if task and m and m.group(1) in statuses and m.group(2).split(" -> ")[0] == host:
        seen.add(task)
print("\n".join(sorted(seen)))
PY
}
expect_eq "first run exits 0" 0 "$rc"
for h in web1 es1; do
  missed=$(comm -23 <(tasks_with "$work/run1.log" $h changed) <(tasks_with "$work/check.log" $h changed skipping))
  expect_eq "--check foresaw every task that changed $h in the first run (or skipped one it cannot predict)" "" "$missed"
done
if [ "$rc" != 0 ]; then
  grep -B2 -A12 -E '^(fatal|failed|ERROR)' "$work/run1.log" | head -80
  exit 1
fi
echo "     first run: web1 $(recap "$work/run1.log" web1); es1 $(recap "$work/run1.log" es1)"

web=$(sandbox_ip 1) es=$(sandbox_ip 2)
expect_eq "web1:80 answers with the Django app through nginx, gunicorn and PostgreSQL" \
  '{"app": "series-tiempo-ar-api fixture", "series": 0}' "$(curl -sS --max-time 10 "http://$web/")"
expect_eq "nginx serves a collected static file" "served by nginx from STATIC_ROOT" \
  "$(curl -sS --max-time 10 "http://$web/static/series/hello.txt")"
expect_eq "the database exists, owned by its user, with the app's table" "series_tiempo|series_tiempo|1" \
  "$(on 1 "su postgres -c \"psql -tAc \\\"select d.datname, pg_get_userbyid(d.datdba), (select count(*) from pg_tables where tablename = 'series_series') from pg_database d where d.datname = 'series_tiempo'\\\" series_tiempo\"")"
expect_eq "the database user can log in with its password" "1" \
  "$(on 1 "PGPASSWORD=sandbox-only-password psql -h localhost -U series_tiempo -tAc 'select 1' series_tiempo")"
expect_eq "es1 answers on its private address" "series-tiempo es1" \
  "$(curl -sS --max-time 10 "http://$es:9200/" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["cluster_name"], d["name"])')"
expect_eq "es1 listens on its private address only" "refused" \
  "$(on 2 "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", 9200), 3)' 2>/dev/null && echo open || echo refused")"
expect_eq "es1's heap size" "-Xms256m -Xmx256m" \
  "$(on 2 "grep -v '^#' /etc/elasticsearch/jvm.options.d/heap.options | tr '\n' ' ' | sed 's/ \$//'")"

ufw_rules() {
  on "$1" "ufw status verbose" | sed -n '/^Status\|^Default\|^To \|ALLOW\|DENY\|LIMIT\|REJECT/p' | sed 's/  */ /g; s/ $//'
}
expect_eq "web1's firewall: deny incoming, allow 22, 80 and 443" "Status: active
Default: deny (incoming), allow (outgoing), disabled (routed)
To Action From
22/tcp ALLOW IN Anywhere
80/tcp ALLOW IN Anywhere
443/tcp ALLOW IN Anywhere
22/tcp (v6) ALLOW IN Anywhere (v6)
80/tcp (v6) ALLOW IN Anywhere (v6)
443/tcp (v6) ALLOW IN Anywhere (v6)" "$(ufw_rules 1)"
expect_eq "es1's firewall: deny incoming, allow 22 and 9200-9400" "Status: active
Default: deny (incoming), allow (outgoing), disabled (routed)
To Action From
22/tcp ALLOW IN Anywhere
9200:9400/tcp ALLOW IN Anywhere
22/tcp (v6) ALLOW IN Anywhere (v6)
9200:9400/tcp (v6) ALLOW IN Anywhere (v6)" "$(ufw_rules 2)"

# The seed's final structure ("Resultado final") with owners and modes, without what is inside the checkout, the
# venv and Python's bytecode caches. gunicorn makes its socket 0770 (umask 007) for www-data, nginx's group.
tree() {
  on "$1" "cd /home/devartis/webapp && find . -mindepth 1 \( -path './app/*' -o -path './.venv/*' -o -name __pycache__ \) \
    -prune -o -printf '%P %u:%g %m\n' | sort"
}
expected_tree=$(sed 's/^ *//' <<'TREE'
 .venv devartis:devartis 755
 app devartis:devartis 755
 bin devartis:devartis 755
 bin/app devartis:devartis 755
 bin/gunicorn devartis:devartis 755
 bin/gunicorn/run_gunicorn.sh devartis:devartis 755
 bin/nginx devartis:devartis 755
 bin/postgres devartis:devartis 755
 config devartis:devartis 755
 config/app devartis:devartis 755
 config/app/deployed devartis:devartis 644
 config/app/env devartis:devartis 600
 config/app/secret_key devartis:devartis 600
 config/gunicorn devartis:devartis 755
 config/gunicorn/config.py devartis:devartis 644
 config/nginx devartis:devartis 755
 config/nginx/default.conf devartis:devartis 644
 config/postgres devartis:devartis 755
 logs devartis:devartis 755
 logs/app devartis:devartis 755
 logs/gunicorn devartis:devartis 755
 logs/gunicorn/access.log devartis:www-data 644
 logs/gunicorn/error.log devartis:www-data 644
 logs/nginx devartis:devartis 755
 logs/nginx/access.log root:root 644
 logs/nginx/error.log root:root 644
 logs/postgres devartis:devartis 755
 media devartis:devartis 755
 sockets devartis:devartis 755
 sockets/app devartis:devartis 755
 sockets/gunicorn devartis:devartis 755
 sockets/gunicorn/gunicorn.pid devartis:www-data 644
 sockets/gunicorn/gunicorn.sock devartis:www-data 770
 sockets/nginx devartis:devartis 755
 sockets/postgres devartis:devartis 755
 static devartis:devartis 755
 static/series devartis:devartis 755
 static/series/hello.txt devartis:devartis 644
TREE
)
expect_eq "web1's application tree, owners and modes" "$expected_tree" "$(tree 1)"
expect_eq "the app is checked out in app/ by the app user" "devartis main" \
  "$(on 1 "stat -c %U /home/devartis/webapp/app/manage.py | tr '\n' ' '; su devartis -c 'git -C /home/devartis/webapp/app rev-parse --abbrev-ref HEAD'")"
expect_eq "config/app/env is linked as the settings' .env" "/home/devartis/webapp/config/app/env" \
  "$(on 1 "readlink /home/devartis/webapp/app/conf/settings/.env")"
expect_eq "logrotate takes gunicorn's and nginx's logs, with a configuration logrotate accepts" \
  "/home/devartis/webapp/logs/gunicorn/*.log {
/home/devartis/webapp/logs/nginx/*.log {
valid" \
  "$(on 1 "grep -h '{' /etc/logrotate.d/webapp-gunicorn /etc/logrotate.d/webapp-nginx; \
    logrotate -d /etc/logrotate.d/webapp-gunicorn /etc/logrotate.d/webapp-nginx >/dev/null 2>&1 && echo valid")"
key1=$(on 1 "cat /home/devartis/webapp/config/app/secret_key")
[ ${#key1} -ge 40 ] && pass "a secret key was generated" || fail "secret key: '$key1'"

# --- second run: nothing to change -------------------------------------------------------------------------
"$provision" site.yml -i "$work/inv" >"$work/run2.log" 2>&1
rc=$?
expect_eq "second run exits 0" 0 "$rc"
for h in web1 es1; do
  expect_eq "second run changes nothing on $h ($(recap "$work/run2.log" $h))" 0 "$(field "$work/run2.log" $h changed)"
done
[ "$(field "$work/run2.log" web1 changed)" = 0 ] || grep -B1 '^changed' "$work/run2.log" | head -40
expect_eq "the secret key is unchanged by the rerun" "$key1" "$(on 1 "cat /home/devartis/webapp/config/app/secret_key")"
# On a converged host no Django command runs; once the record of their last completion is gone (a run that failed
# between the code and the migrations), the next run repeats both and records them again.
expect_eq "the rerun skips collectstatic and migrate" "skipping: [web1]
skipping: [web1]" "$(grep -A1 -e '^TASK \[django_app : static files\]' -e '^TASK \[django_app : database migrations\]' \
  "$work/run2.log" | grep '^[a-z]*: \[web1\]')"
on 1 "rm /home/devartis/webapp/config/app/deployed"
"$provision" site.yml -i "$work/inv" --limit web1 --tags django_app >"$work/run2b.log" 2>&1
expect_eq "without the record, collectstatic and migrate run again (nothing to do) and the record is rewritten" \
  "ok: [web1]
ok: [web1]
changed: [web1]" "$(grep -A1 -e '^TASK \[django_app : static files\]' -e '^TASK \[django_app : database migrations\]' \
  -e '^TASK \[django_app : record the code' "$work/run2b.log" | grep '^[a-z]*: \[web1\]')"

# --- one role: --tags nginx and --role nginx run nginx's tasks only --------------------------------------------
only_nginx() { # LOG: prints the paths of tasks outside roles/nginx that ran, one per line
  python3 - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for play in doc["plays"]:
    for task in play["tasks"]:
        path = task["task"].get("path", "")
        if task["task"]["name"] != "Gathering Facts" and "/roles/nginx/" not in path and any(h.get("status") != "skipped" for h in task["hosts"].values()):
            print(task["task"]["name"], path)
PY
}
"$provision" site.yml -i "$work/inv" --tags nginx -e nginx_client_max_body_size=25m --output json \
  >"$work/tags.json" 2>"$work/tags.err"
rc=$?
expect_eq "--tags nginx exits 0" 0 "$rc"
expect_eq "--tags nginx runs only nginx's tasks" "" "$(only_nginx "$work/tags.json")"
expect_eq "--tags nginx applied the new setting" "    client_max_body_size 25m;" \
  "$(on 1 "grep client_max_body_size /home/devartis/webapp/config/nginx/default.conf")"
"$provision" site.yml -i "$work/inv" --role nginx --output json >"$work/role.json" 2>"$work/role.err"
rc=$?
expect_eq "--role nginx exits 0" 0 "$rc"
expect_eq "--role nginx runs only nginx's tasks" "" "$(only_nginx "$work/role.json")"
expect_eq "--role nginx restored the setting" "    client_max_body_size 20m;" \
  "$(on 1 "grep client_max_body_size /home/devartis/webapp/config/nginx/default.conf")"
expect_eq "the site still answers after nginx reloads" "served by nginx from STATIC_ROOT" \
  "$(curl -sS --max-time 10 "http://$web/static/series/hello.txt")"

# A forced rotation works for both: each log is copied to .1 and emptied; nginx's empty error.log stays (notifempty).
expect_eq "a forced rotation rotates gunicorn's and nginx's logs" \
  "gunicorn/access.log.1 gunicorn/error.log.1 nginx/access.log.1 " \
  "$(on 1 "logrotate -f /etc/logrotate.d/webapp-gunicorn /etc/logrotate.d/webapp-nginx && cd /home/devartis/webapp/logs \
    && for f in gunicorn/access.log.1 gunicorn/error.log.1 nginx/access.log.1 nginx/error.log.1; do \
    [ -f \$f ] && printf '%s ' \$f; done")"

# https when a certificate is configured: Debian's snakeoil certificate (package ssl-cert) stands in for a real one.
on 1 "DEBIAN_FRONTEND=noninteractive apt-get install -y -q ssl-cert >/dev/null 2>&1"
"$provision" site.yml -i "$work/inv" --tags nginx -e nginx_ssl_certificate=/etc/ssl/certs/ssl-cert-snakeoil.pem \
  -e nginx_ssl_certificate_key=/etc/ssl/private/ssl-cert-snakeoil.key >"$work/https.log" 2>&1
expect_eq "--tags nginx with a certificate exits 0" 0 "$?"
expect_eq "with a certificate, the app answers over https" '{"app": "series-tiempo-ar-api fixture", "series": 0}' \
  "$(curl -sS --insecure --max-time 10 "https://$web/")"
expect_eq "with a certificate, http redirects to https" "301 https://$web/" \
  "$(curl -sS --max-time 10 -o /dev/null -w '%{http_code} %{redirect_url}' "http://$web/")"

echo "$failures failure(s)"
[ "$failures" = 0 ]
