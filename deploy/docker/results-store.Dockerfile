# TALE results-store: keeps every event in PostgreSQL and answers queries.
# JVM mode from the Quarkus fast-jar layout (target/quarkus-app). The module directory is the build context:
#
#   mvn -B -DskipTests package -pl results-store -am
#   docker build -f deploy/docker/results-store.Dockerfile -t tale/results-store:0.1.0 results-store
#
#   docker run --rm -p 8081:8081 -e KAFKA_BOOTSTRAP_SERVERS=... tale/results-store:0.1.0
FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21

COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185 target/quarkus-app/*.jar /deployments/
COPY --chown=185 target/quarkus-app/app/ /deployments/app/
COPY --chown=185 target/quarkus-app/quarkus/ /deployments/quarkus/

USER 185
# The services bind 127.0.0.1 unless told otherwise.
ENV LANGUAGE='en_US:en' \
    JAVA_APP_JAR=/deployments/quarkus-run.jar \
    JAVA_OPTS_APPEND="-Djava.util.logging.manager=org.jboss.logmanager.LogManager" \
    JAVA_MAX_MEM_RATIO=50 \
    QUARKUS_HTTP_HOST=0.0.0.0

EXPOSE 8081
# For docker and compose; Kubernetes uses the probes in deploy/k8s (/q/health/live and /q/health/ready).
# Plain bash: needs no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8081 && printf 'GET /q/health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ $status == *' 200 '* ]]"]

ENTRYPOINT ["/opt/jboss/container/java/run/run-java.sh"]
