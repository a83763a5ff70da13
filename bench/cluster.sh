#!/usr/bin/env bash
# Plaza Banten scaled out on this one machine, with Debian's own packages and no embedded servers:
#   Postgres (Debian's) primary + a streaming replica made by pg_basebackup, Debian's redis-server, an S3 API
#   emulator (moto's server mode: a stand-in for MinIO/S3, not a real object store), two gunicorn web nodes in
#   separate working directories behind Debian's nginx (round robin), two Celery workers and one beat, all with
#   production settings. Then bench/cluster.py walks a buyer and a seller across the nodes and runs the faults.
#
#   bench/cluster.sh            # start, check, fault table, stop
#   bench/cluster.sh --keep     # leave it running afterwards (nginx on https://127.0.0.1:58080/)
#   bench/cluster.sh --stop     # stop a cluster left running
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/setup"
KEEP=0; [ "${1:-}" = "--keep" ] && KEEP=1

apt_install postgresql redis-server nginx wrk gettext openssl curl
setup_python run
"$VENV/bin/python" -c "import moto.server, aiosmtpd" 2>/dev/null || {
  say "Installing moto's S3 server (the S3 API emulator)"; "$VENV/bin/pip" install -q -e ".[cluster]"; }

C="$ROOT/var/cluster"
PG_VERSION="$(ls /usr/lib/postgresql | sort -V | tail -1)"; PGBIN="/usr/lib/postgresql/$PG_VERSION/bin"
PRIMARY=55432; REPLICA=55433; REDIS=56479; S3=59000; NODE_A=58001; NODE_B=58002; LB=58080; MEDIA=58081; SMTP=58025
PASSWORD="cluster-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

stop_all() {
  say "Stopping the cluster"
  for pattern in "gunicorn plazabanten.wsgi -b 127.0.0.1:($NODE_A|$NODE_B)" "celery -A plazabanten (worker -n w[12]@|beat)" \
      "moto_server -H 127.0.0.1 -p $S3" "aiosmtpd -n -l 127.0.0.1:$SMTP"; do
    pkill -TERM -f "$pattern" 2>/dev/null || true
  done
  [ -f "$C/nginx/nginx.pid" ] && nginx -p "$C/nginx" -c "$C/nginx/nginx.conf" -s stop 2>/dev/null || true
  redis-cli -p "$REDIS" shutdown nosave >/dev/null 2>&1 || true
  for data in "$C/pg-replica" "$C/pg-primary"; do
    [ -f "$data/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
  done
  wait 2>/dev/null || true
}
if [ "${1:-}" = "--stop" ]; then stop_all; exit 0; fi
[ "$KEEP" = 1 ] || trap stop_all EXIT

for port in $PRIMARY $REPLICA $REDIS $S3 $NODE_A $NODE_B $LB $MEDIA $SMTP; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "Port $port is in use (a cluster still running?)."; fi
done
rm -rf "$C"; mkdir -p "$C/log"; chmod 755 "$C"; chmod 1777 "$C/log"  # postgres writes its logs here too
mkdir -p "$C/tls"  # one self-signed certificate for nginx (the site and the media origin), trusted by our clients
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$C/tls/key.pem" -out "$C/tls/cert.pem" 2>/dev/null

say "Postgres $PG_VERSION primary on $PRIMARY, streaming replica on $REPLICA"
install -d -o postgres -g postgres -m 700 "$C/pg-primary"
printf '%s\n' "$PASSWORD" > "$C/pgpass.txt"; chown postgres "$C/pgpass.txt"
runuser -u postgres -- "$PGBIN/initdb" -D "$C/pg-primary" -U plazabanten --pwfile="$C/pgpass.txt" \
  --auth-host=scram-sha-256 --auth-local=peer -E UTF8 --locale=C.UTF-8 >/dev/null
cat >> "$C/pg-primary/pg_hba.conf" <<HBA
host replication plazabanten 127.0.0.1/32 scram-sha-256
HBA
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$C/pg-primary" -l "$C/log/pg-primary.log" -w start \
  -o "-h 127.0.0.1 -p $PRIMARY -k /tmp -c max_connections=200 -c shared_buffers=256MB -c wal_level=replica"
export PGPASSWORD="$PASSWORD"
"$PGBIN/createdb" -h 127.0.0.1 -p $PRIMARY -U plazabanten plazabanten
install -d -o postgres -g postgres -m 700 "$C/pg-replica"
runuser -u postgres -- env PGPASSWORD="$PASSWORD" "$PGBIN/pg_basebackup" -h 127.0.0.1 -p $PRIMARY -U plazabanten \
  -D "$C/pg-replica" -R -X stream -c fast
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$C/pg-replica" -l "$C/log/pg-replica.log" -w start \
  -o "-h 127.0.0.1 -p $REPLICA -k /tmp -c max_connections=200 -c hot_standby_feedback=on"

say "redis-server on $REDIS, the S3 emulator on $S3"
redis-server --port $REDIS --bind 127.0.0.1 --daemonize yes --dir "$C" --appendonly yes --save "" \
  --logfile "$C/log/redis.log" --pidfile "$C/redis.pid"
"$VENV/bin/moto_server" -H 127.0.0.1 -p $S3 >"$C/log/s3.log" 2>&1&
"$VENV/bin/python" -m aiosmtpd -n -l "127.0.0.1:$SMTP" >"$C/log/smtp.log" 2>&1 &
for _ in $(seq 1 60); do (exec 3<>"/dev/tcp/127.0.0.1/$S3") 2>/dev/null && break; sleep 0.5; done

export DJANGO_SETTINGS_MODULE=plazabanten.settings.production
export SECRET_KEY="$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"
PB_DOCUMENT_KEYS="$("$VENV/bin/python" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
export PB_DOCUMENT_KEYS  # private documents are Fernet tokens in the bucket
export DATABASE_URL="postgres://plazabanten:$PASSWORD@127.0.0.1:$PRIMARY/plazabanten"
export DATABASE_REPLICA_URL="postgres://plazabanten:$PASSWORD@127.0.0.1:$REPLICA/plazabanten"
export REDIS_URL="redis://127.0.0.1:$REDIS/0"
export AWS_STORAGE_BUCKET_NAME=plazabanten-media AWS_S3_ENDPOINT_URL="http://127.0.0.1:$S3"
export AWS_ACCESS_KEY_ID=cluster AWS_SECRET_ACCESS_KEY=cluster-secret AWS_DEFAULT_REGION=us-east-1
export AWS_S3_CUSTOM_DOMAIN="localhost:$MEDIA"  # media on an origin of their own (not in ALLOWED_HOSTS)
export ALLOWED_HOSTS="127.0.0.1" CSRF_TRUSTED_ORIGINS="https://127.0.0.1:$LB"
export PB_BASE_URL="https://127.0.0.1:$LB" PB_ALLOW_SANDBOX_GATEWAY=true COURIER_TRACKER=sandbox
export EMAIL_HOST=127.0.0.1 EMAIL_PORT=$SMTP  # a local SMTP sink (aiosmtpd) that prints what it receives
export AWS_CA_BUNDLE="$C/tls/cert.pem" REQUESTS_CA_BUNDLE="$C/tls/cert.pem" SSL_CERT_FILE="$C/tls/cert.pem"
export PB_CLUSTER_PORTS="smtp=$SMTP primary=$PRIMARY replica=$REPLICA redis=$REDIS s3=$S3 a=$NODE_A b=$NODE_B lb=$LB media=$MEDIA"
export PB_BACKUP_DIR="$C/backups" CELERY_VISIBILITY_TIMEOUT=30  # a killed worker's task returns in 30 s

"$VENV/bin/python" - <<PY
import boto3, json
s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:$S3")
s3.create_bucket(Bucket="plazabanten-media")
s3.put_bucket_policy(Bucket="plazabanten-media", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::plazabanten-media/media/*"}]}))
PY

say "One-shot: migrate, demo data, check --deploy"
"$VENV/bin/python" manage.py compilemessages -v 0 --ignore '.venv/*' --ignore 'var/*'
"$VENV/bin/python" manage.py migrate --no-input -v 0
PB_VAR_DIR="$C/seed" "$VENV/bin/python" manage.py seed_demo >"$C/log/seed.log" 2>&1
"$VENV/bin/python" manage.py check --deploy --fail-level WARNING

for node in a b; do
  port=$NODE_A; [ $node = b ] && port=$NODE_B
  mkdir -p "$C/node-$node"
  PB_VAR_DIR="$C/node-$node" "$VENV/bin/python" manage.py collectstatic --no-input -v 0
  PB_VAR_DIR="$C/node-$node" PB_NODE=$node "$VENV/bin/gunicorn" plazabanten.wsgi -b "127.0.0.1:$port" -w 2 \
    --chdir "$ROOT" --access-logfile "$C/log/web-$node.access.log" >"$C/log/web-$node.log" 2>&1&
done
for worker in 1 2; do
  mkdir -p "$C/worker-$worker"
  PB_VAR_DIR="$C/worker-$worker" "$VENV/bin/celery" -A plazabanten worker -n "w$worker@%h" -c 1 -l info \
    >"$C/log/worker-$worker.log" 2>&1&
done
mkdir -p "$C/beat"
PB_VAR_DIR="$C/beat" "$VENV/bin/celery" -A plazabanten beat -l info -s "$C/beat/schedule" >"$C/log/beat.log" 2>&1 &

mkdir -p "$C/nginx"
cat > "$C/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $C/nginx/nginx.pid;
error_log $C/log/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log $C/log/nginx-access.log;
  client_body_temp_path $C/nginx/body; proxy_temp_path $C/nginx/proxy;
  fastcgi_temp_path $C/nginx/fastcgi; uwsgi_temp_path $C/nginx/uwsgi; scgi_temp_path $C/nginx/scgi;
  upstream web { server 127.0.0.1:$NODE_A max_fails=1 fail_timeout=5s; server 127.0.0.1:$NODE_B max_fails=1 fail_timeout=5s; keepalive 16; }
  ssl_certificate $C/tls/cert.pem; ssl_certificate_key $C/tls/key.pem;
  server {
    listen 127.0.0.1:$LB ssl;
    client_max_body_size 25m;
    location / {
      proxy_pass http://web;
      proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host \$http_host; proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_next_upstream error timeout http_502 http_503;  # only requests not yet sent upstream, or GETs
      add_header X-Upstream \$upstream_addr always;
    }
  }
  server {  # public media on an origin of their own, read from the bucket's public media/ path
    listen 127.0.0.1:$MEDIA ssl;
    location /media/ { proxy_pass http://127.0.0.1:$S3/plazabanten-media/media/; }
  }
}
NGINX
nginx -p "$C/nginx" -c "$C/nginx/nginx.conf"

for _ in $(seq 1 60); do
  curl -fs --cacert "$C/tls/cert.pem" -o /dev/null "https://127.0.0.1:$LB/healthz" && break
  sleep 1
done
curl -fs --cacert "$C/tls/cert.pem" "https://127.0.0.1:$LB/healthz" >/dev/null || die "The cluster did not become healthy; see $C/log/."
say "Running: https://127.0.0.1:$LB/ (self-signed: $C/tls/cert.pem) (nodes $NODE_A, $NODE_B; logs in $C/log)"

export -p > "$C/env.sh"  # to run bench/cluster.py again against a --keep cluster: source it first
PYTHONPATH="$ROOT" "$VENV/bin/python" bench/cluster.py "$C"
