package tale.core.train;

import ai.djl.training.tracker.Tracker;

/** Linear warm-up to the peak rate, then a cosine decay to {@code minRatio} of it at the last step. */
record LearningRateSchedule(float peak, int warmupSteps, int totalSteps, float minRatio) implements Tracker {

    /** The rate of update number {@code step} (1-based, as the optimizer counts). */
    @Override
    public float getNewValue(int step) {
        if (step <= warmupSteps) return peak * step / Math.max(1, warmupSteps);
        double progress = Math.min(1.0, (step - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps));
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return (float) (peak * (minRatio + (1 - minRatio) * cosine));
    }
}
