package tale.worker.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import tale.core.InputException;

/**
 * Datasets by content hash: fetched once from the orchestrator ({@code GET {url}/datasets/{id}} with the API
 * token), checked against their SHA-256, and kept under the cache folder as {@code <id>/<file name>} for every
 * later job. The file keeps the name the orchestrator gives it ({@code Content-Disposition}), because some task
 * formats read meaning from it (MMLU's subject); without one the name follows the content type.
 *
 * <p>A download lands in a temporary folder and is moved into place whole, after its hash matched, so a cached
 * folder is always complete and verified, also when several workers share the cache.
 */
public final class DatasetStore {

    private static final Logger LOG = Logger.getLogger(DatasetStore.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern FILENAME = Pattern.compile("filename\\*?=\"?(?:UTF-8'')?([^\";]+)\"?");
    private static final int ATTEMPTS = 3;

    private final Path cache;
    private final URI orchestrator;
    private final Optional<String> token;
    private final Duration timeout;
    private final HttpClient http;

    public DatasetStore(Path cache, URI orchestrator, Optional<String> token, Duration timeout) {
        this.cache = cache.toAbsolutePath().normalize();
        this.orchestrator = orchestrator;
        this.token = token.filter(t -> !t.isBlank());
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The task file of dataset {@code id}, from the cache or fetched now. */
    public Path file(String id) {
        String key = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        if (!ID.matcher(key).matches()) {
            throw new InputException("dataset id \"" + id + "\" is not a SHA-256 (64 hex digits)");
        }
        Optional<Path> cached = cached(key);
        if (cached.isPresent()) return cached.get();
        return fetch(key);
    }

    /** The cached file of {@code id}, if a verified download is there. */
    public Optional<Path> cached(String id) {
        Path dir = cache.resolve(id);
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            return all.size() == 1 ? Optional.of(all.get(0)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("dataset cache " + dir + ": " + e.getMessage(), e);
        }
    }

    private Path fetch(String id) {
        URI uri = URI.create(orchestrator.toString().replaceFirst("/+$", "") + "/datasets/" + id);
        for (int attempt = 1; ; attempt++) {
            try {
                return download(id, uri);
            } catch (TransientFailure e) {
                if (attempt == ATTEMPTS) {
                    throw new InputException("dataset " + id + " could not be fetched from " + uri + " after "
                            + ATTEMPTS + " attempts: " + e.getMessage(), e);
                }
                LOG.warnf("dataset %s: attempt %d failed (%s); retrying", id, attempt, e.getMessage());
                sleep(1000L * attempt);
            }
        }
    }

    private Path download(String id, URI uri) throws TransientFailure {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new TransientFailure(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InputException("dataset " + id + ": interrupted while fetching it");
        }
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status >= 500) throw new TransientFailure("HTTP " + status);
            if (status == 401 || status == 403) {
                throw new InputException("dataset " + id + ": " + uri + " refused the worker (HTTP " + status
                        + "); check tale.api.token");
            }
            if (status == 404) throw new InputException("dataset " + id + " not found at " + uri);
            if (status != 200) throw new InputException("dataset " + id + ": " + uri + " answered HTTP " + status);
            return store(id, body, fileName(response));
        } catch (IOException e) {
            throw new TransientFailure(e.toString());
        }
    }

    /** Writes the body to a temporary folder while hashing it; moves the folder into place when the hash matches. */
    private Path store(String id, InputStream body, String name) throws IOException {
        Files.createDirectories(cache);
        Path partial = Files.createTempDirectory(cache, ".partial-");
        try {
            MessageDigest sha = sha256();
            try (InputStream in = new DigestInputStream(body, sha);
                 OutputStream out = Files.newOutputStream(partial.resolve(name))) {
                in.transferTo(out);
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (!actual.equals(id)) {
                throw new InputException("dataset " + id + ": the downloaded content has SHA-256 " + actual
                        + ", not the id; refused");
            }
            Path dir = cache.resolve(id);
            try {
                Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                LOG.debugf("dataset %s was cached meanwhile by another worker", id);
            }
            LOG.infof("dataset %s cached as %s", id, dir.resolve(name));
            return cached(id).orElseThrow(() -> new IOException("dataset cache " + dir + " is not a single file"));
        } finally {
            deleteTree(partial);
        }
    }

    /** The name to keep the file under: the server's, made safe, else one that says the format. */
    static String fileName(HttpResponse<?> response) {
        Optional<String> disposition = response.headers().firstValue("Content-Disposition");
        if (disposition.isPresent()) {
            Matcher m = FILENAME.matcher(disposition.get());
            if (m.find()) {
                String name = Path.of(m.group(1).replace('\\', '/')).getFileName().toString()
                        .replaceAll("[^A-Za-z0-9._-]", "_").replaceFirst("^\\.+", "");
                if (!name.isEmpty()) return name;
            }
        }
        String type = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (type.startsWith("text/csv")) return "dataset.csv";
        if (type.startsWith("application/json")) return "dataset.json";
        return "dataset.jsonl";
    }

    public static String sha256Hex(byte[] content) {
        return HexFormat.of().formatHex(sha256().digest(content));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warnf("could not delete %s: %s", dir, e.getMessage());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A failure worth retrying: the orchestrator was unreachable or answered 5xx. */
    private static final class TransientFailure extends Exception {
        TransientFailure(String message) {
            super(message);
        }
    }
}
