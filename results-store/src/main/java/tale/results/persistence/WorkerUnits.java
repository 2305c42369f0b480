package tale.results.persistence;

/**
 * What one worker did for a job: unit results it sent (every attempt counts), how many were errors, the
 * example x candidate scores they held and the time it spent.
 */
public record WorkerUnits(String workerId, int units, int failed, long scores, long correct, long elapsedMs) {
}
