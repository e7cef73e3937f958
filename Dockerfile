# otelcol-mlops image, in the collector-releases style: a static binary on scratch, a non-root
# user, the shipped configurations under /etc/otelcol-mlops, persistent state under
# /var/lib/otelcol-mlops.
#
#   make image            (make build-static, then docker build; needs a Docker engine)
#
# The binary is built outside the image (make build-static: CGO_ENABLED=0, -trimpath), as
# collector-releases builds with goreleaser first and only copies into the image.

FROM alpine:3.22 AS certs
RUN apk --no-cache add ca-certificates

FROM scratch
ARG USER_UID=10001
ARG USER_GID=10001
COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --chmod=0755 bin/otelcol-mlops-linux-static /otelcol-mlops
COPY configs/gateway.yaml configs/gateway-pubsub-taps.yaml configs/gateway-otlp-metrics.yaml configs/gateway-logstash.yaml configs/gateway-cloud-logging.yaml configs/gateway-azure-eventhub.yaml configs/gateway-kubernetes.yaml configs/gateway-browser.yaml configs/sidecar.yaml configs/sidecar-kubernetes.yaml configs/local.yaml /etc/otelcol-mlops/
ENV OTELCOL_MLOPS_DATA_DIR=/var/lib/otelcol-mlops
USER ${USER_UID}:${USER_GID}
VOLUME ["/var/lib/otelcol-mlops"]
# 4317/4318 OTLP, 8888 own metrics, 8889 Prometheus exporter (gateway), 13133 health, 13134 backend_check,
# 5044 Beats and 5000 json_lines (configs/gateway-logstash.yaml), 4319 web pages (configs/gateway-browser.yaml)
EXPOSE 4317 4318 4319 8888 8889 13133 13134 5044 5000
ENTRYPOINT ["/otelcol-mlops"]
CMD ["--config", "/etc/otelcol-mlops/gateway.yaml"]
