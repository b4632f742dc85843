# StreamGate as a container: built on Debian 12, run on Debian 12 slim as a
# non-root user. `docker build -t streamgate .` then
# `docker run -p 8080:8080 -v sg-data:/var/lib/streamgate streamgate`.
# The files under deploy/ run the same binary under systemd and Kubernetes;
# tests/deploy checks all of them against the binary (no Docker engine needed).

# Build stage: compilers, -dev packages and the web app's vendor files (npm,
# pinned by the lock file); only the binary, which holds the web app, leaves it.
FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
COPY package.json package-lock.json ./
RUN scripts/install-deps.sh build
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release \
 && cmake --build build --target streamgate -j"$(nproc)"

# Runtime stage: the shared libraries the binary links (RocksDB is linked in,
# its compression libraries are not), curl for the health check.
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcaf-core0.17 libcaf-io0.17 libcaf-openssl0.17 \
      libavformat59 libavcodec59 libavutil57 libswscale6 libswresample4 \
      libcpp-httplib0.11 libsecp256k1-1 libjwt0 libcurl4 libssl3 libedit2 \
      libsnappy1v5 liblz4-1 libzstd1 libbz2-1.0 \
      ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/streamgate --create-home streamgate
COPY --from=build /src/build/streamgate /usr/local/bin/streamgate
USER 10001:10001
WORKDIR /var/lib/streamgate
VOLUME ["/var/lib/streamgate"]
# HTTP, and the cluster's mutual-TLS actor transport.
EXPOSE 8080 9710
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health/live || exit 1
ENTRYPOINT ["streamgate"]
CMD ["node", "--data-dir", "/var/lib/streamgate", "--http-host", "0.0.0.0", "--http-port", "8080"]
