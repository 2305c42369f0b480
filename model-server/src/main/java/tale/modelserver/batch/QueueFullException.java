package tale.modelserver.batch;

/** A model's queue is full: the server is overloaded and the client should retry later (HTTP 429). */
public final class QueueFullException extends RuntimeException {

    public QueueFullException(String model, int capacity) {
        super("model " + model + " has " + capacity + " requests waiting (tale.serving.queue-capacity); retry later");
    }
}
