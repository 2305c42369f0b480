package tale.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The orchestrator's dataset endpoint as the worker sees it, over real HTTP on 127.0.0.1: {@code GET
 * /datasets/{id}} answers the bytes registered under the id, 401 without the bearer token, 404 for unknown ids.
 * A registered body may differ from what its id hashes to, to test verification.
 */
public final class DatasetServer implements AutoCloseable {

    public record Dataset(byte[] body, String contentType, String fileName) { }

    private final HttpServer server;
    private final String token;
    private final Map<String, Dataset> datasets = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    public DatasetServer(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/datasets/", this::handle);
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public void put(String id, Dataset dataset) {
        datasets.put(id, dataset);
    }

    /** GET requests answered so far, refused ones included. */
    public int requests() {
        return requests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String id = exchange.getRequestURI().getPath().substring("/datasets/".length());
            Dataset d = datasets.get(id);
            if (d == null || !exchange.getRequestMethod().equals("GET")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", d.contentType());
            if (d.fileName() != null) {
                exchange.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"" + d.fileName() + "\"");
            }
            exchange.sendResponseHeaders(200, d.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(d.body());
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
