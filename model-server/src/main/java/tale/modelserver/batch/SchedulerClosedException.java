package tale.modelserver.batch;

/** The model's scheduler is stopping with the server (HTTP 503). */
public final class SchedulerClosedException extends RuntimeException {

    public SchedulerClosedException(String model) {
        super("model " + model + " is shutting down");
    }
}
