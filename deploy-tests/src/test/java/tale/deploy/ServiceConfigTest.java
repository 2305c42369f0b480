package tale.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link ServiceConfig} reads from a module: properties, settings declared in code, environment names. */
class ServiceConfigTest {

    @Test
    void readsPropertiesCodeAndTheirEnvironmentNames(@TempDir Path root) throws IOException {
        Path module = root.resolve("svc");
        Files.createDirectories(module.resolve("src/main/resources"));
        Files.writeString(module.resolve("src/main/resources/application.properties"), """
                quarkus.http.port=8080
                %test.quarkus.http.port=0
                %prod.quarkus.http.host=0.0.0.0
                # tale.api.token=
                quarkus.datasource.jdbc.url=${tale.db.url:jdbc:h2:mem}
                mp.messaging.incoming.units.topic=tale.work-units
                mp.messaging.incoming.units.group.id=workers
                mp.messaging.incoming.units.dead-letter-queue.topic=tale.work-units.dlq
                """);
        Path code = module.resolve("src/main/java/x");
        Files.createDirectories(code);
        Files.writeString(code.resolve("Config.java"), """
                package x;
                /** Settings. maxRetries() in a comment is no setting(); */
                @ConfigMapping(prefix = "tale.svc")
                public interface Config {
                    Path modelRoot();
                    @WithDefault("2")
                    int maxModels();
                    Map<String, Model> models();
                    Admin admin();
                    interface Model {
                        String path();
                        Map<String, String> profiles();
                    }
                    interface Admin {
                        Optional<String> token();
                    }
                    default String describe() { return "x"; }
                }
                """);
        Files.writeString(code.resolve("Threads.java"), "class Threads { String t = System.getenv(\"SVC_THREADS\"); }");
        ServiceConfig c = ServiceConfig.load(root, "svc").orElseThrow();

        assertEquals("8080", c.properties.get("quarkus.http.port"), "%test is not production");
        assertEquals("0.0.0.0", c.properties.get("quarkus.http.host"), "%prod applies");
        for (String known : new String[] {"QUARKUS_HTTP_PORT", "TALE_API_TOKEN", "TALE_DB_URL", "TALE_SVC_MODEL_ROOT",
                "TALE_SVC_MAX_MODELS", "TALE_SVC_MODELS_QWEN_PATH", "TALE_SVC_MODELS_QWEN_PROFILES_BOOLQ", "TALE_SVC_ADMIN_TOKEN",
                "SVC_THREADS", "JAVA_OPTS_APPEND"}) {
            assertTrue(c.knowsEnv(known), known);
        }
        for (String unknown : new String[] {"TALE_SVC_ADMIN_TOKN", "TALE_SVC_MAX_RETRIES", "TALE_SVC_DESCRIBE", "TALE_SVC_MODELS_QWEN",
                "TALE_DB_USER"}) {
            assertFalse(c.knowsEnv(unknown), unknown);
        }
        assertTrue(c.knowsKey("tale.svc.models.\"qwen3-0.6b\".path"));
        assertTrue(c.knowsKey("tale.svc.models.qwen.profiles.boolq"));
        assertFalse(c.knowsKey("tale.svc.modles.qwen.path"));

        assertEquals("jdbc:h2:mem", c.value("quarkus.datasource.jdbc.url", Map.of()));
        assertEquals("jdbc:postgresql://db/tale", c.value("quarkus.datasource.jdbc.url", Map.of("TALE_DB_URL", "jdbc:postgresql://db/tale")));
        assertEquals("9090", c.value("quarkus.http.port", Map.of("QUARKUS_HTTP_PORT", "9090")));
        assertNull(c.value("tale.svc.model-root", Map.of()));
        assertEquals(Map.of("units", "tale.work-units"), c.incoming(Map.of()));
        assertEquals(Map.of("mp.messaging.incoming.units.topic", "tale.work-units",
                "mp.messaging.incoming.units.dead-letter-queue.topic", "tale.work-units.dlq"), c.topics(Map.of()));
    }

    @Test
    void aModuleIsOptionalButNotItsConfiguration(@TempDir Path root) throws IOException {
        assertTrue(ServiceConfig.load(root, "absent").isEmpty());
        Files.createDirectories(root.resolve("present/src/main/java"));
        var e = assertThrows(IllegalStateException.class, () -> ServiceConfig.load(root, "present"));
        assertTrue(e.getMessage().startsWith("present: ") && e.getMessage().contains("application.properties is missing"), e.getMessage());
    }
}
