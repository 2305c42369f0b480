package tale.modelserver.model;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import tale.core.model.LayerMask;

/**
 * A named layer mask of one model, swappable while the server runs. Readers take {@link #current()}
 * without locking (a swap replaces one immutable snapshot); writers serialise on the profile. Every
 * change gets the next version and an entry in the history; rollback returns to the mask before the
 * current one, as many times as there are earlier masks.
 */
public final class Profile {

    private final String model;
    private final String name;
    private final Clock clock;
    private volatile Deployment current;
    private final Deque<Deployment> previous = new ArrayDeque<>(); // masks a rollback returns to, newest first
    private final List<ProfileChange> history = new ArrayList<>();

    Profile(String model, String name, LayerMask mask, String source, Clock clock) {
        this.model = model;
        this.name = name;
        this.clock = clock;
        this.current = new Deployment(model, name, 1, mask);
        history.add(new ProfileChange(1, ProfileChange.Action.CREATED, mask.removed(), source, clock.instant()));
    }

    public String model() {
        return model;
    }

    public String name() {
        return name;
    }

    public Deployment current() {
        return current;
    }

    /** Deploys {@code mask}; returns the new deployment, or empty when it was already deployed from {@code source}. */
    public synchronized Optional<Deployment> set(LayerMask mask, String source) {
        ProfileChange last = history.get(history.size() - 1);
        if (current.mask().equals(mask) && last.source().equals(source)) return Optional.empty(); // a redelivery
        previous.push(current);
        return Optional.of(deploy(mask, ProfileChange.Action.SET, source));
    }

    /** Returns to the mask deployed before the current one; empty when there is none. */
    public synchronized Optional<Deployment> rollback(String source) {
        if (previous.isEmpty()) return Optional.empty();
        return Optional.of(deploy(previous.pop().mask(), ProfileChange.Action.ROLLBACK, source));
    }

    private Deployment deploy(LayerMask mask, ProfileChange.Action action, String source) {
        Deployment next = new Deployment(model, name, current.version() + 1, mask);
        history.add(new ProfileChange(next.version(), action, mask.removed(), source, clock.instant()));
        current = next;
        return next;
    }

    public synchronized List<ProfileChange> history() {
        return List.copyOf(history);
    }

    /** How many rollbacks are possible. */
    public synchronized int rollbackDepth() {
        return previous.size();
    }
}
