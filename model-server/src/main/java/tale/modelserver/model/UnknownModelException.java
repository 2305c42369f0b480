package tale.modelserver.model;

/** No such model or profile (HTTP 404). */
public final class UnknownModelException extends RuntimeException {

    public UnknownModelException(String message) {
        super(message);
    }
}
