# common.sh - helpers of the test bed (sourced by openstack-testbed.sh): daemons without systemd, uwsgi APIs,
# Keystone users and services, pid files.
# shellcheck shell=bash
log() { printf '\n=== %s  [%s]\n' "$*" "$(date +%T)"; }

# helpers: uwsgi API service running as a system user, and a plain daemon via start-stop-daemon
start_uwsgi() {   # NAME PORT WSGI_FILE USER [PYARGV] [EXTRA_INI_LINE]
  local name=$1 port=$2 wsgi=$3 user=$4 pyargv=${5:-} extra=${6:-}
  mkdir -p /var/log/$user $RUN; chmod 1777 $RUN
  touch /var/log/$user/$name-uwsgi.log; chown -R $user /var/log/$user; rm -f $RUN/$name.pid
  cat > $RUN/$name-uwsgi.ini <<INI
[uwsgi]
plugins = python3
master = true
http-socket = 127.0.0.1:$port
wsgi-file = $wsgi
processes = ${UWSGI_PROCESSES:-2}
threads = ${UWSGI_THREADS:-4}
enable-threads = true
lazy-apps = true
die-on-term = true
no-orphans = true
thunder-lock = true
buffer-size = 65535
rem-header = Content-Length
chdir = /var/lib/$user
pidfile = $RUN/$name.pid
daemonize = /var/log/$user/$name-uwsgi.log
INI
  [ -n "$pyargv" ] && echo "pyargv = $pyargv" >> $RUN/$name-uwsgi.ini
  [ -n "$extra" ] && echo "$extra" >> $RUN/$name-uwsgi.ini
  # run uwsgi itself as the user: uwsgi's own uid=/gid= + daemonize opens files after dropping privileges
  runuser -u $user -- uwsgi_python3 --ini $RUN/$name-uwsgi.ini
}
start_daemon() {  # NAME USER CMD...
  local name=$1 user=$2; shift 2
  mkdir -p /var/log/$user $RUN; chmod 1777 $RUN; chown -R $user /var/log/$user
  start-stop-daemon --start --background --make-pidfile --pidfile $RUN/$name.pid \
    --chuid $user --chdir /var/lib/$user --output /var/log/$user/$name.out --startas /bin/sh -- -c "exec $*"
}
wait_http() {     # URL NAME
  local t0=$SECONDS
  for _ in $(seq 1 180); do curl -sf "$1" >/dev/null && { echo "$2 up after $((SECONDS-t0))s"; return 0; }; sleep 0.5; done
  echo "$2 did not come up" >&2; return 1
}
ini_auth() {      # SECTION USER [AUTH_URL]  -> keystone password auth block
  cat <<EOF
[$1]
www_authenticate_uri = $KS
auth_url = ${3:-$KS}
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $2
password = $SVC_PASS
region_name = RegionOne
EOF
}
keep_dist() { for f; do { [ -f "$f" ] && [ ! -f "$f.dist" ] && cp "$f" "$f.dist"; } || true; done; }
ensure_user() { openstack user show "$1" >/dev/null 2>&1 || openstack user create --domain default --password "$SVC_PASS" "$1" >/dev/null
                openstack role add --project service --user "$1" admin; }
ensure_service() {  # NAME TYPE URL
  openstack service show "$2" >/dev/null 2>&1 && return 0
  openstack service create --name "$1" "$2" >/dev/null
  for i in public internal admin; do openstack endpoint create --region RegionOne "$2" $i "$3" >/dev/null; done
}

killpid() { local f=$1; [ -f "$f" ] || return 0; local p; p=$(cat "$f"); kill "$p" 2>/dev/null || true
            for _ in $(seq 1 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done; rm -f "$f"; }
