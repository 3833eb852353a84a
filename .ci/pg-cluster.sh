# Sourced by .ci/run: a throwaway PostgreSQL 15 + PostGIS cluster for the web app's tests.
# initdb in a private temporary folder, listening on 127.0.0.1:54329 only (trust auth: nothing
# else can reach it), stopped and deleted when the calling shell exits. As root, the cluster runs
# as the unprivileged `postgres` user (PostgreSQL refuses to run as root).
PG_PORT="${PG_PORT:-54329}"
PG_BIN="/usr/lib/postgresql/15/bin"

pg_throwaway_start() {
    if [ ! -x "$PG_BIN/initdb" ] || [ ! -d /usr/share/postgresql/15/extension ] \
        || ! ls /usr/share/postgresql/15/extension/postgis.control >/dev/null 2>&1; then
        local sudo=""
        if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
        $sudo apt-get install -y --no-install-recommends postgresql-15-postgis-3 >/dev/null \
            || { $sudo apt-get update >/dev/null \
                 && $sudo apt-get install -y --no-install-recommends postgresql-15-postgis-3 >/dev/null; }
    fi
    PG_TMP="$(mktemp -d /tmp/pv-pg.XXXXXX)"
    local runas=()
    if [ "$(id -u)" = "0" ]; then
        chown postgres "$PG_TMP"
        runas=(runuser -u postgres --)
    fi
    "${runas[@]}" "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
    "${runas[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/log" -w \
        -o "-p $PG_PORT -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    "${runas[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres palveluverkko_test
    "${runas[@]}" "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d palveluverkko_test \
        -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
    export PALVELUVERKKO_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/palveluverkko_test"
    PG_RUNAS=("${runas[@]}")
    trap pg_throwaway_stop EXIT
}

pg_throwaway_stop() {
    if [ -n "${PG_TMP:-}" ] && [ -d "$PG_TMP/data" ]; then
        "${PG_RUNAS[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_TMP"
    fi
}
