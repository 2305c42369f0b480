package tale.orchestrator.job;

import java.util.Locale;

/** Where a job is; {@link #wire()} is the name in the REST API and in JobEvents. */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobStatus parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
