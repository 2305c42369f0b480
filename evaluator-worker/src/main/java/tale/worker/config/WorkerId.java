package tale.worker.config;

/** The name results and metrics give this worker. */
public record WorkerId(String value) {

    @Override
    public String toString() {
        return value;
    }
}
