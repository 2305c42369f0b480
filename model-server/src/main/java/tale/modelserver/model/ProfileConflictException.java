package tale.modelserver.model;

/** The profile cannot change that way: the full profile, or a rollback with no earlier mask (HTTP 409). */
public final class ProfileConflictException extends RuntimeException {

    public ProfileConflictException(String message) {
        super(message);
    }
}
