package tale.orchestrator.dataset;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tale.core.InputException;
import tale.orchestrator.config.OrchestratorConfig;

/**
 * Uploaded task files by content: {@code <data dir>/datasets/<sha256>/<name>}. The same bytes always get the same
 * id and are stored once; the file keeps its name (some task formats read meaning from it, e.g. MMLU's subject),
 * and the name follows the content type when none is given.
 */
@ApplicationScoped
public class DatasetStore {

    /** A stored dataset. {@code created} is false when the same content was stored before. */
    public record Stored(String id, long bytes, String name, boolean created) { }

    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final List<String> EXTENSIONS = List.of(".jsonl", ".json", ".csv");

    private final Path root;

    public DatasetStore(OrchestratorConfig config) {
        this.root = config.dataDir().toAbsolutePath().normalize().resolve("datasets");
    }

    /**
     * Stores {@code content} as file {@code name} (or {@code data.<ext>} of the content type) unless the same
     * content is stored already. The body streams to a staging file while its hash is computed, so a large upload
     * never sits in memory; the staging folder becomes the dataset's folder in one rename.
     */
    public Stored store(InputStream content, String contentType, String name) {
        String fileName = name == null || name.isBlank() ? "data" + extension(contentType) : checkedName(name);
        Path staging = null;
        try {
            Files.createDirectories(root);
            staging = Files.createTempDirectory(root, ".upload-");
            MessageDigest sha256 = sha256();
            long bytes;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(staging.resolve(fileName)), sha256)) {
                bytes = content.transferTo(out);
            }
            if (bytes == 0) throw new InputException("the dataset is empty");
            String id = HexFormat.of().formatHex(sha256.digest());
            Optional<Path> existing = file(id);
            if (existing.isPresent()) return new Stored(id, bytes, existing.get().getFileName().toString(), false);
            try {
                Files.move(staging, root.resolve(id), StandardCopyOption.ATOMIC_MOVE);
                staging = null;
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // Another upload of the same content won the race; its folder is complete.
                return new Stored(id, bytes, file(id).map(p -> p.getFileName().toString()).orElse(fileName), false);
            }
            return new Stored(id, bytes, fileName, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the dataset under " + root + ": " + e.getMessage(), e);
        } finally {
            if (staging != null) deleteQuietly(staging);
        }
    }

    /** The file of dataset {@code id}, if it was uploaded. An id that is not a SHA-256 is an input error. */
    public Optional<Path> file(String id) {
        String key = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        if (!ID.matcher(key).matches()) throw new InputException("dataset id \"" + id + "\" is not a SHA-256 (64 hex digits)");
        Path dir = root.resolve(key);
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("dataset folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String extension(String contentType) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (type.contains("ndjson") || type.contains("jsonl")) return ".jsonl";
        if (type.contains("json")) return ".json";
        if (type.contains("csv")) return ".csv";
        throw new InputException("content type \"" + contentType + "\" is not a task file: send application/x-ndjson "
                + "(JSON Lines), application/json or text/csv");
    }

    private static String checkedName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (!NAME.matcher(name).matches() || name.contains("..") || EXTENSIONS.stream().noneMatch(lower::endsWith)) {
            throw new InputException("name \"" + name + "\" must be a plain file name ending in .jsonl, .json or .csv");
        }
        return name;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A leftover staging folder is harmless: it is hidden and never read.
        }
    }
}
