package tale.modelserver.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import tale.core.InputException;
import tale.core.model.Model;
import tale.modelserver.batch.GenerationJob;
import tale.modelserver.config.ServerConfig;
import tale.modelserver.metrics.ServingMetrics;
import tale.modelserver.model.Deployment;
import tale.modelserver.model.ModelId;
import tale.modelserver.model.ModelRegistry;
import tale.modelserver.model.ServedModel;
import tale.modelserver.rest.GenerationExchange.Endpoint;
import tale.modelserver.rest.api.OpenAi;
import tale.modelserver.text.Prompts;

/**
 * POST /v1/completions and /v1/chat/completions. These are Vert.x routes rather than JAX-RS resources
 * because one endpoint answers either a JSON body or a server-sent event stream depending on the request
 * body's {@code stream} field. Admission (parse, tokenize, take the profile's current mask, queue) runs on
 * a worker thread; the response is written on the request's event loop as the batch produces tokens.
 */
@ApplicationScoped
public class CompletionRoutes {

    private static final long MAX_BODY_BYTES = 8L << 20;

    @Inject ModelRegistry registry;
    @Inject ServerConfig config;
    @Inject ServingMetrics metrics;
    @Inject ObjectMapper json;

    void routes(@Observes Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
        router.post(Endpoint.COMPLETIONS.path).handler(body).handler(rc -> handle(rc, Endpoint.COMPLETIONS));
        router.post(Endpoint.CHAT.path).handler(body).handler(rc -> handle(rc, Endpoint.CHAT));
    }

    private void handle(RoutingContext rc, Endpoint endpoint) {
        long admitted = System.nanoTime();
        Context loop = Vertx.currentContext();
        rc.vertx().executeBlocking(() -> admit(rc, endpoint, loop, admitted), false).onFailure(e -> {
            ApiError error = ApiError.of(e);
            metrics.request(endpoint.path, null, error.outcome(), System.nanoTime() - admitted);
            writeError(rc.response(), json, error);
        });
    }

    /** What both endpoints ask for, once their bodies are read. */
    private record Ask(String model, boolean stream, Integer maxTokens, boolean ignoreEos) { }

    private Void admit(RoutingContext rc, Endpoint endpoint, Context loop, long admitted) throws IOException {
        if (rc.body() == null || rc.body().buffer() == null) throw new InputException("the request has no JSON body");
        byte[] bytes = rc.body().buffer().getBytes();
        Ask ask;
        OpenAi.CompletionRequest completion = null;
        OpenAi.ChatCompletionRequest chat = null;
        if (endpoint == Endpoint.CHAT) {
            chat = json.readValue(bytes, OpenAi.ChatCompletionRequest.class);
            RequestChecks.greedy(chat);
            Integer max = chat.maxCompletionTokens() != null ? chat.maxCompletionTokens() : chat.maxTokens();
            ask = new Ask(chat.model(), Boolean.TRUE.equals(chat.stream()), max, Boolean.TRUE.equals(chat.ignoreEos()));
        } else {
            completion = json.readValue(bytes, OpenAi.CompletionRequest.class);
            RequestChecks.greedy(completion);
            ask = new Ask(completion.model(), Boolean.TRUE.equals(completion.stream()), completion.maxTokens(),
                    Boolean.TRUE.equals(completion.ignoreEos()));
        }
        int maxTokens = RequestChecks.maxTokens(ask.maxTokens(), config.serving());
        ModelId id = ModelId.parse(ask.model());
        ServedModel served = registry.model(id.model());
        Deployment deployment = served.profile(id.profile()).current(); // the mask this request runs under
        Model model = served.model();
        int[] prompt = chat != null
                ? model.tokenizer().encode(Prompts.chat(model, RequestChecks.chatMessages(chat.messages())))
                : RequestChecks.completionPrompt(completion.prompt(), model);
        RequestChecks.promptLength(prompt, config.serving());

        GenerationExchange exchange = new GenerationExchange(endpoint, ask.stream(), rc.response(), loop, json, metrics,
                model.tokenizer(), deployment, prompt.length, admitted);
        served.submit(new GenerationJob(prompt, maxTokens, ask.ignoreEos(), deployment, exchange));
        return null;
    }

    static void writeError(HttpServerResponse response, ObjectMapper json, ApiError error) {
        if (response.closed() || response.ended()) return;
        String body;
        try {
            body = json.writeValueAsString(error.body());
        } catch (JsonProcessingException e) {
            body = "{\"error\":{\"message\":\"internal error\",\"type\":\"server_error\"}}";
        }
        response.setStatusCode(error.status()).putHeader("Content-Type", "application/json");
        if (error.retryAfter() != null) response.putHeader("Retry-After", error.retryAfter());
        response.end(body);
    }
}
