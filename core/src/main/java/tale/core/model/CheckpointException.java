package tale.core.model;

import java.nio.file.Path;
import tale.core.InputException;

/** A checkpoint or model input that cannot be used; the message names the file (or input) and the problem. */
public final class CheckpointException extends InputException {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }

    public static CheckpointException at(Path file, String problem) {
        return new CheckpointException(file + ": " + problem);
    }
}
