package tale.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * deploy/docker: one recipe per service, read as text (no Docker engine here to build them). Each runs the Quarkus
 * fast-jar as a non-root user on the service's port, and a service that runs DJL never goes online.
 */
class DockerfilesTest {

    @TestFactory
    Stream<DynamicTest> eachServiceHasARecipeForItsQuarkusApplication() {
        return ServiceConfig.SERVICES.stream().map(service -> DynamicTest.dynamicTest(service, () -> {
            Optional<Dockerfile> found = Dockerfile.of(Repo.root(), service);
            assertTrue(found.isPresent(), "deploy/docker/" + service + ".Dockerfile is missing");
            Dockerfile d = found.get();
            assertFalse(d.all("FROM").isEmpty(), d + ": no FROM");
            // The fast-jar layout: the runner jar needs lib/, app/ and quarkus/ beside it.
            for (String part : List.of("lib/", "*.jar", "app/", "quarkus/")) {
                assertTrue(d.all("COPY").stream().anyMatch(c -> c.matches("(--chown=\\S+ )?target/quarkus-app/" + Pattern.quote(part) + " /deployments/.*")),
                        d + ": does not copy target/quarkus-app/" + part + " to /deployments/");
            }
            Map<String, String> env = d.env();
            assertEquals("/deployments/quarkus-run.jar", env.get("JAVA_APP_JAR"), d + ": JAVA_APP_JAR");
            assertTrue(String.join(" ", d.all("ENTRYPOINT")).contains("run-java.sh"), d + ": ENTRYPOINT runs run-java.sh");
            assertFalse(List.of("root", "0").contains(d.user().split(":")[0]), d + ": runs as " + d.user());
            assertEquals("0.0.0.0", env.get("QUARKUS_HTTP_HOST"), d + ": the service must listen on every interface");
            assertEquals(1, d.exposedPorts().size(), d + ": EXPOSE one port");
            int port = d.exposedPorts().get(0);
            String healthcheck = String.join(" ", d.all("HEALTHCHECK"));
            assertTrue(healthcheck.contains("/dev/tcp/127.0.0.1/" + port + " ") && healthcheck.contains("/q/health/ready"),
                    d + ": HEALTHCHECK asks /q/health/ready on port " + port);

            Optional<ServiceConfig> config = Repo.service(service);
            if (config.isEmpty()) {
                System.out.println(d + ": " + service + "/ is not in this checkout; port and DJL settings not checked against it");
                return;
            }
            assertEquals(config.get().value("quarkus.http.port", env), String.valueOf(port), d + ": EXPOSE vs quarkus.http.port");
            String packaging = config.get().value("quarkus.package.jar.type", env);
            assertTrue(packaging == null || packaging.equals("fast-jar"), service + " packages as " + packaging + ", not fast-jar");
            if (config.get().usesCore()) {
                assertEquals("true", env.get("DJL_OFFLINE"), d + ": " + service + " runs DJL: DJL_OFFLINE=true");
                assertEquals("true", env.get("OPT_OUT_TRACKING"), d + ": " + service + " runs DJL: OPT_OUT_TRACKING=true");
            }
            for (String var : env.keySet()) {
                assertTrue(config.get().knowsEnv(var), d + ": ENV " + var + " is not a setting of " + service);
            }
        }));
    }
}
