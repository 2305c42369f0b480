package tale.messages;

/**
 * Kafka topic names shared by the TALE services. Producers and consumers refer to these constants so a
 * rename happens in one place; each service still binds them to channels in its application.properties.
 */
public final class Topics {

    /** {@link JobEvent}s: everything that happens to a search job, keyed by job id. */
    public static final String JOBS = "tale.jobs";

    /** {@link WorkUnit}s: candidates of a search round to score on a shard of examples, keyed by unit id. */
    public static final String WORK_UNITS = "tale.work-units";

    /** {@link UnitResult}s: workers' scores (or errors) for work units, keyed by job id. */
    public static final String SCORES = "tale.scores";

    /** {@link SelectionEvent}s: a search job's chosen layer removal for a model and task. */
    public static final String SELECTIONS = "tale.selections";

    /** Suffix of a topic's dead-letter topic, where consumers park records they cannot process. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    private Topics() { }

    /** The dead-letter topic of {@code topic}, e.g. {@code tale.selections.dlq}. */
    public static String deadLetter(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}
