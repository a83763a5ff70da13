#!/bin/sh
# minio's `server /data …` becomes moto's S3 server on :9000 (in memory); anything else runs as given.
if [ "$1" = server ]; then exec moto_server -H 0.0.0.0 -p 9000; fi
exec "$@"
