#!/usr/bin/env bash
# ./slipway images [--registry HOST[:PORT]] [--overlay NAME]... [--check]
#
# Builds one OCI image per service and one for the console with Jib (the root pom's "images" profile:
# no Docker daemon), pushes it to the registry as <registry>/slipway/<name>:<version>, and pins each named overlay
# (default: local) to the pushed digests by writing k8s/overlays/<overlay>/images/kustomization.yaml.
# The registry must answer; ./slipway starts a local one on loopback when none does.
#
# --check then runs each pushed image the way the manifests run it (user 185, read-only root
# filesystem with /tmp writable, no capabilities, no privilege escalation, 512 MiB) against a
# throwaway Kafka and PostgreSQL in Docker, audit-service after its migration as the migrator
# role, and the console calling them, and reports readiness, start time and resident memory.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
registry=${SLIPWAY_REGISTRY:-127.0.0.1:5000}
overlays=()
check=false
while [ $# -gt 0 ]; do
  case "$1" in
    --registry) registry=${2:?--registry needs HOST[:PORT]}; shift 2 ;;
    --overlay) overlays+=("${2:?--overlay needs a name, e.g. prod}"); shift 2 ;;
    --check) check=true; shift ;;
    *) echo "usage: slipway images [--registry HOST[:PORT]] [--overlay NAME]... [--check]" >&2; exit 2 ;;
  esac
done
[ ${#overlays[@]} -gt 0 ] || overlays=(local)
for overlay in "${overlays[@]}"; do
  [ -d "$top/k8s/overlays/$overlay" ] || { echo "no overlay k8s/overlays/$overlay" >&2; exit 2; }
done

services=(trigger-service build-service scan-service deploy-service audit-service)
images=("${services[@]}" console)
say() { printf '[slipway images] %s\n' "$*" >&2; }

# A registry on loopback speaks plain HTTP (as ./slipway up runs it); any other must speak HTTPS
# unless SLIPWAY_REGISTRY_INSECURE=true says otherwise.
case "$registry" in
  127.* | localhost | localhost:*) insecure=true scheme=http ;;
  *) insecure=${SLIPWAY_REGISTRY_INSECURE:-false} scheme=https ;;
esac
[ "$insecure" = true ] && scheme=http

bash "$top/infra/images/jre/build.sh"
say "pushing the JRE base image to $registry/slipway/jre:17"
docker tag slipway/jre:17 "$registry/slipway/jre:17"
docker push -q "$registry/slipway/jre:17" >/dev/null

version=$(grep -m1 -o '<version>[^<]*' "$top/pom.xml" | cut -d'>' -f2)
say "building and pushing ${#images[@]} images $registry/slipway/<name>:$version with Jib"
modules=$(IFS=,; echo "${images[*]}")
(cd "$top" && ./mvnw -q -B package -DskipTests -Dspotless.check.skip=true -Dslipway.images \
  -pl "$modules" -am \
  -Dquarkus.container-image.registry="$registry" \
  -Dquarkus.container-image.tag="$version" \
  -Dquarkus.container-image.insecure="$insecure")

# Compressed bytes the registry stores for an image: the sum of its layers (shared ones included).
image_bytes() {
  curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
    "$scheme://$registry/v2/slipway/$1/manifests/$2" \
    | tr -d ' \n' | grep -o '"layers":\[.*\]' | grep -o '"size":[0-9]*' | cut -d: -f2 \
    | awk '{sum += $1} END {print sum + 0}'
}

declare -A digests
printf '%-16s %-73s %s\n' image digest compressed >&2
for svc in "${images[@]}"; do
  digest=$(cat "$top/$svc/target/jib-image.digest")
  [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || { say "no digest for $svc"; exit 1; }
  digests[$svc]=$digest
  printf '%-16s %-73s %d MB\n' "$svc" "$digest" "$(($(image_bytes "$svc" "$digest") / 1000000))" >&2
done
printf '%-16s %-73s %d MB\n' "(base jre:17)" "" "$(($(image_bytes jre 17) / 1000000))" >&2

commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
for overlay in "${overlays[@]}"; do
  file="$top/k8s/overlays/$overlay/images/kustomization.yaml"
  mkdir -p "$(dirname "$file")"
  {
    echo "# Written by ./slipway images (version $version, commit $commit): the images this overlay"
    echo "# runs, pinned by the digests the registry answered. Run the command again to change them."
    echo "apiVersion: kustomize.config.k8s.io/v1alpha1"
    echo "kind: Component"
    echo "images:"
    for svc in "${images[@]}"; do
      echo "  - name: slipway/$svc"
      echo "    newName: $registry/slipway/$svc"
      echo "    digest: ${digests[$svc]}"
    done
  } >"$file"
  say "pinned k8s/overlays/$overlay to these digests ($file)"
done

[ "$check" = true ] || exit 0

# --- --check: each image as the manifests run it -------------------------------------------------
bash "$top/infra/images/build.sh" >/dev/null
run=slipway-images-check-$$
work=$(mktemp -d)
cleanup() {
  docker ps -aq --filter "label=$run" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker network rm "$run" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
docker network create "$run" >/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null | openssl pkey -pubout -out "$work/public-key.pem"
chmod 644 "$work/public-key.pem"
docker run -d --label "$run" --name "$run-postgres" --network "$run" \
  -e POSTGRES_USER=slipway -e POSTGRES_PASSWORD=slipway -e POSTGRES_DB=slipway slipway/postgres:15 >/dev/null
docker run -d --label "$run" --name "$run-kafka" --network "$run" \
  -e KAFKA_NODE_ID=1 -e KAFKA_PROCESS_ROLES=broker,controller \
  -e KAFKA_LISTENERS=PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093 \
  -e KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://$run-kafka:9092 \
  -e KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT \
  -e KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER -e KAFKA_CONTROLLER_QUORUM_VOTERS=1@localhost:9093 \
  -e KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1 -e KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1 \
  -e KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1 -e CLUSTER_ID=c2xpcHdheS1sb2NhbC0x slipway/kafka:4.1.2 >/dev/null
for _ in $(seq 1 60); do
  docker exec "$run-postgres" pg_isready -q -h 127.0.0.1 -U slipway -d slipway 2>/dev/null && break
  sleep 0.5
done
sql() { docker exec "$run-postgres" psql -q -v ON_ERROR_STOP=1 -U slipway -d "$1" -c "$2" >/dev/null; }
for svc in "${services[@]}"; do sql slipway "CREATE DATABASE slipway_${svc%-service}"; done
# The audit store's roles and DDL guard as its database administrator installs them
# (audit-service/src/main/resources/db/admin/bootstrap.sql, as the superuser; audit-service refuses
# to start without the guard), then the roles' passwords.
docker exec -i "$run-postgres" psql -q -v ON_ERROR_STOP=1 -U slipway -d slipway_audit \
  <"$top/audit-service/src/main/resources/db/admin/bootstrap.sql" >/dev/null
sql slipway "ALTER ROLE slipway_audit_migrator NOINHERIT PASSWORD 'migrator'"
sql slipway "ALTER ROLE slipway_audit_app PASSWORD 'runtime'"
sql slipway "ALTER DATABASE slipway_audit OWNER TO slipway_audit_owner"
sql slipway_audit "ALTER SCHEMA public OWNER TO slipway_audit_owner"

hardened=(--label "$run" --network "$run" --read-only --tmpfs /tmp:rw,size=256m --user 185:185
  --cap-drop ALL --security-opt no-new-privileges --memory 512m
  -v "$work/public-key.pem:/etc/slipway/jwt/public-key.pem:ro"
  -e SLIPWAY_JWT_PUBLIC_KEY=file:/etc/slipway/jwt/public-key.pem -e KAFKA_BOOTSTRAP_SERVERS=$run-kafka:9092)
port_of() { case "$1" in trigger-service) echo 8081 ;; build-service) echo 8082 ;; scan-service) echo 8083 ;; deploy-service) echo 8084 ;; audit-service) echo 8085 ;; console) echo 8080 ;; esac; }
database() {
  local db="slipway_${1%-service}"
  echo -e "QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://$run-postgres:5432/$db\nQUARKUS_DATASOURCE_REACTIVE_URL=postgresql://$run-postgres:5432/$db"
}
database audit-service >"$work/audit.env"
say "audit-service-migrate: the migration as slipway_audit_migrator (SET ROLE slipway_audit_owner)"
docker run --rm -q "${hardened[@]}" --env-file "$work/audit.env" \
  -e QUARKUS_INIT_AND_EXIT=true -e QUARKUS_FLYWAY_MIGRATE_AT_START=true \
  -e "QUARKUS_FLYWAY_INIT_SQL=SET ROLE slipway_audit_owner" \
  -e QUARKUS_FLYWAY_USERNAME=slipway_audit_migrator -e QUARKUS_FLYWAY_PASSWORD=migrator \
  -e QUARKUS_DATASOURCE_USERNAME=slipway_audit_app -e SLIPWAY_AUDIT_DB_PASSWORD=runtime \
  "$registry/slipway/audit-service@${digests[audit-service]}" >"$work/migrate.log" 2>&1 \
  || { tail -20 "$work/migrate.log" >&2; say "the audit migration failed"; exit 1; }

for svc in "${services[@]}"; do
  database "$svc" >"$work/$svc.env"
  case "$svc" in
    trigger-service) echo "SLIPWAY_TRIGGER_SECRET_KEY=$(openssl rand -base64 32)" >>"$work/$svc.env" ;;
    audit-service) printf '%s\n' QUARKUS_FLYWAY_MIGRATE_AT_START=false QUARKUS_DATASOURCE_USERNAME=slipway_audit_app \
      QUARKUS_DATASOURCE_PASSWORD=runtime SLIPWAY_AUDIT_DB_PASSWORD=runtime >>"$work/$svc.env" ;;
  esac
  if [ "$svc" != audit-service ]; then
    printf '%s\n' QUARKUS_DATASOURCE_USERNAME=slipway QUARKUS_DATASOURCE_PASSWORD=slipway >>"$work/$svc.env"
  fi
  docker run -d -q --name "$run-$svc" "${hardened[@]}" --env-file "$work/$svc.env" \
    -e QUARKUS_HTTP_PORT="$(port_of "$svc")" -p "127.0.0.1::$(port_of "$svc")" \
    "$registry/slipway/$svc@${digests[$svc]}" >/dev/null
done

# The console: no Kafka, no database; the five services by their container names, a session key.
{
  echo "SLIPWAY_CONSOLE_SESSION_KEY=$(openssl rand -base64 32)"
  for svc in "${services[@]}"; do
    name=${svc%-service}
    echo "SLIPWAY_CONSOLE_${name^^}_URL=http://$run-$svc:$(port_of "$svc")"
  done
} >"$work/console.env"
docker run -d -q --name "$run-console" "${hardened[@]}" --env-file "$work/console.env" \
  -e QUARKUS_HTTP_PORT=8080 -p "127.0.0.1::8080" \
  "$registry/slipway/console@${digests[console]}" >/dev/null

failed=0
printf '%-16s %-6s %-5s %-9s %s\n' image ready user started 'RSS (idle)' >&2
for svc in "${images[@]}"; do
  address=$(docker port "$run-$svc" | head -1 | awk '{print $NF}')
  ready=no
  for _ in $(seq 1 240); do
    curl -fs "http://$address/q/health/ready" >/dev/null 2>&1 && { ready=yes; break; }
    [ "$(docker inspect -f '{{.State.Running}}' "$run-$svc")" = true ] || break
    sleep 0.5
  done
  [ "$ready" = yes ] || { failed=1; docker logs "$run-$svc" 2>&1 | tail -15 >&2; }
  started=$(docker logs "$run-$svc" 2>&1 | grep -o 'started in [0-9.]*s' | head -1 | awk '{print $3}' || true)
  user=$(docker exec "$run-$svc" id -u 2>/dev/null || echo '?')
  rss=$(docker exec "$run-$svc" awk '/VmRSS/ {printf "%d MiB", $2/1024}' /proc/1/status 2>/dev/null || echo '?')
  printf '%-16s %-6s %-5s %-9s %s\n' "$svc" "$ready" "$user" "${started:-?}" "$rss" >&2
done
[ "$failed" = 0 ] || { say "an image did not become ready as the manifests run it"; exit 1; }
say "every image ran read-only, as user 185, without capabilities, and became ready"
