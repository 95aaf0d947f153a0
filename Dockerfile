# widget-consumer as a container image: built on Debian bookworm with the packages
# scripts/install_deps.sh names, run on bookworm-slim with only the runtime libraries, as a
# non-root user. In the image the consumer logs JSON lines to stdout (no log file) and serves
# /metrics, /healthz and /readyz on 0.0.0.0:8080; every flag can also be given as an environment
# variable WIDGET_CONSUMER_<LONG_FLAG> (README, "Deploying").
#
#   podman build -t widget-consumer .        (docker build works the same)
#   podman run --rm -p 8080:8080 -e AWS_REGION=eu-west-1 widget-consumer -rq requests -dt widgets

FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/install_deps.sh scripts/
RUN scripts/install_deps.sh --build-only
COPY CMakeLists.txt CMakePresets.json ./
COPY src src
COPY tools tools
# The release preset (-O2, as tested and benchmarked; the symbols are stripped below). The cache
# mount keeps ccache's objects from one image build to the next, so the build tree itself is
# not kept in the layer (with debug info it is 400 MB, once per source change).
RUN --mount=type=cache,target=/root/.cache/ccache \
    cmake --preset release -DWC_BUILD_TESTS=OFF -DWC_BUILD_BENCH=OFF \
 && cmake --build --preset release --target widget-consumer widget-producer \
 && install -D --strip -m 0755 -t /out/usr/local/bin \
      build/release/widget-consumer build/release/widget-producer \
 && rm -rf build

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libcurl4 libssl3 libpugixml1v5 \
      libspdlog1.10 libfmt9 libcpp-httplib0.11 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
# A fixed numeric uid, so that Kubernetes' runAsNonRoot can check it.
RUN useradd --uid 10001 --user-group --home-dir /var/lib/widget-consumer --create-home \
      --shell /usr/sbin/nologin widget-consumer
COPY --from=build /out/ /
USER 10001:10001
WORKDIR /var/lib/widget-consumer
ENV WIDGET_CONSUMER_LOG_FORMAT=json \
    WIDGET_CONSUMER_NO_LOG_FILE=true \
    WIDGET_CONSUMER_METRICS_ADDRESS=0.0.0.0 \
    WIDGET_CONSUMER_METRICS_PORT=8080
EXPOSE 8080
ENTRYPOINT ["widget-consumer"]
