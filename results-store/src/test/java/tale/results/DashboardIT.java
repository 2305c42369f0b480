package tale.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in headless Chromium, on the store as the demo runs it (embedded database, API token): a finished
 * job's events go through the real broker, then the job page must draw the trajectory and the heatmap with the
 * job's numbers (read back from Chart.js and from the canvas pixels). Saves target/dashboard.png.
 * Skips when Chromium is not installed ({@code apt-get install chromium chromium-driver}).
 */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
@QuarkusTestResource(KafkaBroker.class)
class DashboardIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String JOB = "job-dashboard-1";

    @TestHTTPResource("/")
    URL root;

    private ChromeDriver browser;
    private Path profile;

    @BeforeEach
    void startBrowser() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "browser test skipped: " + CHROMIUM + " or " + CHROMEDRIVER + " is missing (apt-get install -y chromium chromium-driver)");
        profile = Files.createTempDirectory("tale-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                        "--user-data-dir=" + profile, "--window-size=1400,1100");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1400, 1100));
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) browser.quit();
    }

    @Test
    void jobPageDrawsTheTrajectoryAndTheHeatmapWithTheJobsNumbers() throws Exception {
        Instant start = Instant.parse("2026-01-01T10:00:00Z");
        List<tale.messages.JobEvent> events = FinishedJob.jobEvents(JOB, start);
        // Submitted, baseline progress, then rounds 1 and 2 (a progress and a round event each): the job is running.
        int throughRound2 = 7;
        try (EventFeed feed = new EventFeed()) {
            feed.jobEvents(events.subList(0, throughRound2));
            // The token travels in the address's fragment (never sent to the server) and stays in the tab.
            browser.get(root + "job.html?id=" + JOB + "#token=" + EmbeddedProfile.TOKEN);
            awaitLiveDraw(8 + 7);
            JsonNode live = FinishedJob.JSON.readTree((String) js("""
                    const t = Chart.getChart('trajectory').data.datasets.find(d => d.label === 'search');
                    return JSON.stringify({ search: t.data.map(p => [p.x, p.y]),
                      state: document.getElementById('state').innerText, status: document.getElementById('status').innerText });
                    """));
            // While running, the points are the accepted rounds so far (the baseline comes with the summary).
            assertEquals(List.of(List.of(1.0, 0.74), List.of(2.0, 0.71)), xy(live.get("search")));
            assertEquals("running", live.get("state").asText());
            assertTrue(live.get("status").asText().contains("live"), live.toString());
            Files.write(Path.of("target", "dashboard-live.png"), browser.getScreenshotAs(OutputType.BYTES));

            feed.jobEvents(events.subList(throughRound2, events.size()));
            feed.unitsAndSelection(JOB, start);
        }
        awaitFinalDraw();

        JsonNode page = FinishedJob.JSON.readTree((String) js("""
                const series = id => Object.fromEntries(Chart.getChart(id).data.datasets
                    .map(d => [d.label, d.data.map(p => [p.x, p.y, p.v ?? null])]));
                function lit(id) {  // pixels that are not background
                  const c = document.getElementById(id), g = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  let n = 0;
                  for (let i = 0; i < g.length; i += 4) if (g[i + 3] > 0 && (g[i] < 245 || g[i + 1] < 245 || g[i + 2] < 245)) n++;
                  return n;
                }
                function pixel(id, x, y) {  // the colour drawn at data point (x, y)
                  const chart = Chart.getChart(id), r = window.devicePixelRatio || 1;
                  const px = chart.scales.x.getPixelForValue(x) * r, py = chart.scales.y.getPixelForValue(y) * r;
                  return Array.from(chart.canvas.getContext('2d').getImageData(Math.round(px), Math.round(py), 1, 1).data.slice(0, 3));
                }
                return JSON.stringify({ trajectory: series('trajectory'), heatmap: series('heatmap'),
                  trajectoryPixels: lit('trajectory'), heatmapPixels: lit('heatmap'),
                  highest: pixel('heatmap', 4, 1), lowest: pixel('heatmap', 7, 4),
                  results: document.getElementById('results').innerText });
                """));

        JsonNode trajectory = page.get("trajectory");
        assertEquals(List.of(List.of(0.0, 0.70), List.of(1.0, 0.74), List.of(2.0, 0.71), List.of(3.0, 0.64)), xy(trajectory.get("search")));
        assertEquals(List.of(List.of(0.0, 0.675), List.of(1.0, 0.70), List.of(2.0, 0.69), List.of(3.0, 0.60)), xy(trajectory.get("test")));
        assertEquals(FinishedJob.FLOOR, trajectory.get("floor").get(0).get(1).asDouble());
        assertEquals(FinishedJob.FLOOR, trajectory.get("floor").get(1).get(1).asDouble());
        assertEquals(List.of(List.of(1.0, 0.74)), xy(trajectory.get("Best")));
        assertEquals(List.of(List.of(2.0, 0.71)), xy(trajectory.get("BSBA")));
        assertEquals(List.of(List.of(3.0, 0.64)), xy(trajectory.get("Final")));

        // Heatmap points are (layer, round, accuracy): every candidate of every round.
        List<List<Double>> expected = new ArrayList<>();
        FinishedJob.ROUNDS.forEach(r -> r.candidates().forEach(c -> expected.add(List.of((double) c.layer(), (double) r.round(), c.accuracy()))));
        List<List<Double>> cells = new ArrayList<>();
        page.get("heatmap").get("accuracy").forEach(p -> cells.add(List.of(p.get(0).asDouble(), p.get(1).asDouble(), p.get(2).asDouble())));
        assertEquals(expected, cells);

        assertTrue(page.get("trajectoryPixels").asInt() > 2000, "trajectory canvas looks blank: " + page.get("trajectoryPixels"));
        assertTrue(page.get("heatmapPixels").asInt() > 20000, "heatmap canvas looks blank: " + page.get("heatmapPixels"));
        // The job's highest accuracy (round 1, layer 4: 0.74) is drawn in the scale's top colour, its lowest (round 4,
        // layer 7: 0.15) in the bottom one (the winner's outline is at the cell's edge, not its centre).
        assertEquals(List.of(255, 237, 111), ints(page.get("highest")));
        assertEquals(List.of(37, 52, 148), ints(page.get("lowest")));
        String results = page.get("results").asText();
        assertTrue(results.contains("74.0%") && results.contains("71.0%") && results.contains("64.0%"), results);

        Path screenshot = Path.of("target", "dashboard.png");
        Files.write(screenshot, browser.getScreenshotAs(OutputType.BYTES));
        assertTrue(Files.size(screenshot) > 10_000, "screenshot too small");

        // The job list links the job (the token is still in the tab's sessionStorage).
        browser.get(root + "index.html");
        Instant deadline = Instant.now().plusSeconds(20);
        while (browser.findElements(By.linkText(JOB)).isEmpty() && Instant.now().isBefore(deadline)) Thread.sleep(200);
        assertEquals(1, browser.findElements(By.linkText(JOB)).size(), "job list: " + browser.findElement(By.tagName("main")).getText());
        Files.write(Path.of("target", "dashboard-jobs.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    /** Waits until the page has drawn the running job with {@code cells} heatmap cells. */
    private void awaitLiveDraw(int cells) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            Object drawn = js("const h = typeof Chart === 'undefined' ? null : Chart.getChart('heatmap');"
                    + "return document.body.dataset.drawn === 'live' && h ? h.data.datasets[0].data.length : -1;");
            if (drawn instanceof Number n && n.intValue() == cells) return;
            Thread.sleep(250);
        }
        throw new AssertionError("the job page never drew the running job's " + cells + " candidates; status: "
                + browser.findElement(By.id("status")).getText());
    }

    private void awaitFinalDraw() throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            Object drawn = js("return document.body.dataset.drawn || '';");
            // 'final' once the job page has seen the succeeded job and drawn it; the rounds and summary arrive
            // before the succeeded event is stored (same transaction), so the final draw has everything.
            if ("final".equals(drawn)) return;
            Thread.sleep(250);
        }
        throw new AssertionError("the job page never drew the finished job; status: "
                + browser.findElement(By.id("status")).getText());
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static List<List<Double>> xy(JsonNode points) {
        List<List<Double>> out = new ArrayList<>();
        points.forEach(p -> out.add(List.of(p.get(0).asDouble(), p.get(1).asDouble())));
        return out;
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
