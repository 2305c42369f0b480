package tale.modelserver;

import static io.restassured.RestAssured.given;

/** Models load in the background after start-up: tests wait for readiness first. */
public final class Ready {

    private Ready() { }

    public static void await() {
        long deadline = System.currentTimeMillis() + 120_000;
        while (given().get("/q/health/ready").statusCode() != 200) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("server not ready after 120 s");
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
