package tale.modelserver.model;

/** The model is still loading, failed to load, or is stopping (HTTP 503). */
public final class ModelUnavailableException extends RuntimeException {

    public ModelUnavailableException(String message) {
        super(message);
    }
}
