package tale.orchestrator.job;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/** An outgoing channel that keeps what is sent, for tests of the job logic without a broker. */
final class CapturingEmitter implements Emitter<String> {

    final List<String> sent = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Void> send(String payload) {
        sent.add(payload);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public <M extends Message<? extends String>> void send(M message) {
        sent.add(message.getPayload());
    }

    @Override public void complete() { }
    @Override public void error(Exception e) { }
    @Override public boolean isCancelled() { return false; }
    @Override public boolean hasRequests() { return true; }
}
