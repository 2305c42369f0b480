package tale.modelserver.batch;

import tale.modelserver.model.Deployment;

/** Work queued on a model's {@link BatchScheduler}: it runs under the deployment taken at admission. */
public sealed interface Job permits GenerationJob, ScoreJob {

    Deployment deployment();

    /** Ends the job with an error (the batch failed, or the server is stopping). */
    void fail(Throwable error);
}
