# TALE evaluator-worker: scores work units with DJL/PyTorch (health and metrics only on HTTP).
# JVM mode from the Quarkus fast-jar layout (target/quarkus-app). The module directory is the build context:
#
#   mvn -B -DskipTests package -pl evaluator-worker -am
#   docker build -f deploy/docker/evaluator-worker.Dockerfile -t tale/evaluator-worker:0.1.0 evaluator-worker
#
# GPU image: the same recipe over a build with the CUDA natives (pytorch-native-cu124, 2.3 GiB; deploy/README.md):
#   mvn -B -Pcuda -DskipTests package -pl evaluator-worker -am
#   docker build -f deploy/docker/evaluator-worker.Dockerfile -t tale/evaluator-worker:0.1.0-cuda evaluator-worker
# The natives bundle the CUDA libraries; the node needs only the NVIDIA driver and container toolkit.
#
#   docker run --rm -p 8082:8082 -e KAFKA_BOOTSTRAP_SERVERS=... tale/evaluator-worker:0.1.0
FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21

USER root
RUN mkdir -p /var/cache/tale/datasets /var/cache/tale/djl /models && chown 185:0 /var/cache/tale/datasets /var/cache/tale/djl /models

COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185 target/quarkus-app/*.jar /deployments/
COPY --chown=185 target/quarkus-app/app/ /deployments/app/
COPY --chown=185 target/quarkus-app/quarkus/ /deployments/quarkus/

USER 185
# The services bind 127.0.0.1 unless told otherwise. DJL never downloads and sends no telemetry; its natives
# unpack under DJL_CACHE_DIR at the first engine start. Weights live outside the Java heap: the heap gets a
# quarter of the container's memory.
ENV LANGUAGE='en_US:en' \
    JAVA_APP_JAR=/deployments/quarkus-run.jar \
    JAVA_OPTS_APPEND="-Djava.util.logging.manager=org.jboss.logmanager.LogManager" \
    JAVA_MAX_MEM_RATIO=25 \
    QUARKUS_HTTP_HOST=0.0.0.0 \
    DJL_OFFLINE=true \
    OPT_OUT_TRACKING=true \
    DJL_CACHE_DIR=/var/cache/tale/djl \
    TALE_WORKER_MODEL_ROOT=/models \
    TALE_WORKER_DATA_CACHE=/var/cache/tale/datasets

EXPOSE 8082
# For docker and compose; Kubernetes uses the probes in deploy/k8s (/q/health/live and /q/health/ready).
# Plain bash: needs no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8082 && printf 'GET /q/health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ $status == *' 200 '* ]]"]

ENTRYPOINT ["/opt/jboss/container/java/run/run-java.sh"]
