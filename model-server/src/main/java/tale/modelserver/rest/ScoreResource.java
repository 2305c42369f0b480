package tale.modelserver.rest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import tale.core.InputException;
import tale.core.model.Model;
import tale.modelserver.batch.ScoreJob;
import tale.modelserver.config.ServerConfig;
import tale.modelserver.metrics.ServingMetrics;
import tale.modelserver.model.Deployment;
import tale.modelserver.model.ModelId;
import tale.modelserver.model.ModelRegistry;
import tale.modelserver.model.ServedModel;
import tale.modelserver.rest.api.OpenAi;
import tale.modelserver.rest.api.TaleInfo;
import tale.modelserver.text.Prompts;

/**
 * POST /v1/score: the log-likelihood of each choice as a continuation of the prompt (or of the chat
 * messages rendered with the generation prompt), under the profile's mask. Prompt and choice are tokenized
 * separately and concatenated, as multiple-choice evaluation does.
 */
@Path("/v1/score")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class ScoreResource {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ScoreRequest(String model, String prompt, List<OpenAi.Message> messages, List<String> choices) { }

    /** One choice: its total log-probability, token count, and per-token log-probabilities. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ScoredChoice(int index, String text, double logprob, int tokens, float[] tokenLogprobs) { }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ScoreResponse(String object, String model, List<ScoredChoice> choices, int best, OpenAi.Usage usage,
                                TaleInfo tale) { }

    @Inject ModelRegistry registry;
    @Inject ServerConfig config;
    @Inject ServingMetrics metrics;

    @POST
    @Blocking // tokenizing and template rendering stay off the event loop; the wait for the batch does not block
    public Uni<Response> score(ScoreRequest request) {
        long admitted = System.nanoTime();
        if (request == null) throw new InputException("the request has no JSON body");
        ModelId id = ModelId.parse(request.model());
        ServedModel served = registry.model(id.model());
        Deployment deployment = served.profile(id.profile()).current();
        Model model = served.model();
        int[] prompt = prompt(request, model);
        RequestChecks.promptLength(prompt, config.serving());
        List<String> choices = request.choices();
        if (choices == null || choices.isEmpty()) throw new InputException("choices is missing or empty");
        if (choices.size() > config.serving().maxChoices()) {
            throw new InputException(choices.size() + " choices exceed this server's limit of "
                    + config.serving().maxChoices() + " (tale.serving.max-choices)");
        }
        List<int[]> choiceIds = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            int[] ids = model.tokenizer().encode(choices.get(i) == null ? "" : choices.get(i));
            if (ids.length == 0) throw new InputException("choices[" + i + "] is empty");
            choiceIds.add(ids);
        }
        ScoreJob job = new ScoreJob(prompt, choiceIds, deployment);
        served.submit(job);
        return Uni.createFrom().completionStage(job.result()).map(result -> {
            List<ScoredChoice> scored = new ArrayList<>();
            int best = 0, total = prompt.length;
            for (int i = 0; i < choices.size(); i++) {
                float[] lp = result.tokenLogProbs().get(i);
                double sum = 0;
                for (float v : lp) sum += v;
                scored.add(new ScoredChoice(i, choices.get(i), sum, lp.length, lp));
                if (sum > scored.get(best).logprob()) best = i;
                total += lp.length;
            }
            metrics.request("/v1/score", deployment, ServingMetrics.Outcome.OK, System.nanoTime() - admitted);
            Response.ResponseBuilder r = Response.ok(new ScoreResponse("score", deployment.id(), scored, best,
                    OpenAi.Usage.of(total, 0), TaleInfo.of(deployment)));
            TaleHeaders.of(deployment).forEach(r::header);
            return r.build();
        }).onFailure().invoke(e -> metrics.request("/v1/score", deployment, ApiError.of(e).outcome(),
                System.nanoTime() - admitted));
    }

    private static int[] prompt(ScoreRequest request, Model model) {
        boolean hasPrompt = request.prompt() != null, hasMessages = request.messages() != null;
        if (hasPrompt == hasMessages) throw new InputException("give exactly one of prompt and messages");
        String text = hasPrompt ? request.prompt() : Prompts.chat(model, RequestChecks.chatMessages(request.messages()));
        return model.tokenizer().encode(text);
    }
}
