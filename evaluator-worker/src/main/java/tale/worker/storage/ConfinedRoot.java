package tale.worker.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tale.core.InputException;

/**
 * A folder that names in messages resolve under (the model root, the data root). A name that is absolute or
 * that leads outside the folder, by {@code ..} or through a symbolic link, is refused: a message must not make
 * the worker read arbitrary files.
 */
public final class ConfinedRoot {

    private final Path root;
    private final String what;

    /** @param what the kind of folder, for error messages ("model root") */
    public ConfinedRoot(Path root, String what) {
        this.root = root.toAbsolutePath().normalize();
        this.what = what;
    }

    public Path path() {
        return root;
    }

    /**
     * The existing file or folder {@code name} under the root.
     *
     * @param kind what the name names, for error messages ("model")
     * @throws InputException naming the problem: blank, absolute, escaping, or not there
     */
    public Path resolve(String name, String kind) {
        if (name == null || name.isBlank()) throw new InputException(kind + " name is missing");
        Path relative;
        try {
            relative = Path.of(name);
        } catch (RuntimeException e) {
            throw new InputException(kind + " \"" + name + "\" is not a valid path");
        }
        Path resolved = root.resolve(relative).normalize();
        if (relative.isAbsolute() || !resolved.startsWith(root) || resolved.equals(root)) {
            throw new InputException(kind + " \"" + name + "\" is outside the " + what);
        }
        if (!Files.exists(resolved)) {
            throw new InputException(kind + " \"" + name + "\" not found under the " + what + " " + root);
        }
        try {
            if (!resolved.toRealPath().startsWith(root.toRealPath())) {
                throw new InputException(kind + " \"" + name + "\" leads outside the " + what + " through a link");
            }
        } catch (IOException e) {
            throw new InputException(kind + " \"" + name + "\" cannot be read: " + e.getMessage(), e);
        }
        return resolved;
    }

    /** Whether the root is a folder this process can read. */
    public boolean readable() {
        return Files.isDirectory(root) && Files.isReadable(root);
    }

    @Override
    public String toString() {
        return what + " " + root;
    }
}
