package tale.cli.cluster;

/** The local cluster could not be started or driven; the message names the service and its log. */
public final class ClusterException extends RuntimeException {

    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
