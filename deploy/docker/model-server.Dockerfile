# TALE model-server: OpenAI-compatible REST over pruned profiles of the models.
# JVM mode from the Quarkus fast-jar layout (target/quarkus-app). The module directory is the build context:
#
#   mvn -B -DskipTests package -pl model-server -am
#   docker build -f deploy/docker/model-server.Dockerfile -t tale/model-server:0.1.0 model-server
#
#   docker run --rm -p 8080:8080 -e KAFKA_BOOTSTRAP_SERVERS=... tale/model-server:0.1.0
FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21

USER root
RUN mkdir -p /var/cache/tale/djl /models && chown 185:0 /var/cache/tale/djl /models

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
    TALE_MODEL_ROOT=/models

EXPOSE 8080
# For docker and compose; Kubernetes uses the probes in deploy/k8s (/q/health/live and /q/health/ready).
# Plain bash: needs no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /q/health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ $status == *' 200 '* ]]"]

ENTRYPOINT ["/opt/jboss/container/java/run/run-java.sh"]
