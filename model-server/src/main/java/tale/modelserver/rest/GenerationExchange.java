package tale.modelserver.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.UUID;
import tale.core.text.StreamDecoder;
import tale.core.text.Tokenizer;
import tale.modelserver.batch.GenerationJob;
import tale.modelserver.metrics.ServingMetrics;
import tale.modelserver.model.Deployment;
import tale.modelserver.rest.api.OpenAi;
import tale.modelserver.rest.api.TaleInfo;

/**
 * Writes one generation's HTTP response: a single JSON body, or (stream: true) OpenAI's server-sent event
 * chunks ending with {@code data: [DONE]}. The scheduler's calls are moved onto the request's event loop,
 * in order, so the response is only ever touched there.
 */
final class GenerationExchange implements GenerationJob.Sink {

    /** The two OpenAI endpoints differ only in the shape of their bodies. */
    enum Endpoint {
        COMPLETIONS("/v1/completions", "cmpl-", "text_completion", "text_completion"),
        CHAT("/v1/chat/completions", "chatcmpl-", "chat.completion", "chat.completion.chunk");

        final String path;
        final String idPrefix;
        final String object;
        final String chunkObject;

        Endpoint(String path, String idPrefix, String object, String chunkObject) {
            this.path = path;
            this.idPrefix = idPrefix;
            this.object = object;
            this.chunkObject = chunkObject;
        }
    }

    private final Endpoint endpoint;
    private final boolean stream;
    private final HttpServerResponse response;
    private final Context loop;
    private final ObjectMapper json;
    private final ServingMetrics metrics;
    private final Tokenizer tokenizer;
    private final Deployment deployment;
    private final int promptTokens;
    private final long admitted;
    private final String id = UUID.randomUUID().toString().replace("-", "");
    private final long created = System.currentTimeMillis() / 1000;
    private final StreamDecoder text; // incremental decoding that never splits a character
    private boolean headersSent;

    GenerationExchange(Endpoint endpoint, boolean stream, HttpServerResponse response, Context loop, ObjectMapper json,
                       ServingMetrics metrics, Tokenizer tokenizer, Deployment deployment, int promptTokens, long admitted) {
        this.endpoint = endpoint;
        this.stream = stream;
        this.response = response;
        this.loop = loop;
        this.json = json;
        this.metrics = metrics;
        this.tokenizer = tokenizer;
        this.deployment = deployment;
        this.promptTokens = promptTokens;
        this.admitted = admitted;
        this.text = stream ? tokenizer.streamDecoder(false) : null;
    }

    @Override
    public void token(int token) {
        if (!stream) return;
        if (response.closed()) throw new IllegalStateException("client went away"); // drops the job
        loop.runOnContext(v -> {
            String piece = text.next(token);
            if (!piece.isEmpty()) send(chunk(piece, null, null));
        });
    }

    @Override
    public void finished(GenerationJob.Result result) {
        loop.runOnContext(v -> {
            if (stream) {
                String rest = text.flush();
                if (!rest.isEmpty()) send(chunk(rest, null, null));
                send(chunk(null, result.reason().openAiName, OpenAi.Usage.of(promptTokens, result.tokens().length)));
                if (!response.closed()) response.end("data: [DONE]\n\n");
            } else {
                String all = tokenizer.decode(result.tokens());
                OpenAi.Usage usage = OpenAi.Usage.of(promptTokens, result.tokens().length);
                String finish = result.reason().openAiName;
                Object body = endpoint == Endpoint.CHAT
                        ? new OpenAi.ChatCompletion(endpoint.idPrefix + id, endpoint.object, created, deployment.id(),
                                List.of(new OpenAi.ChatChoice(0, new OpenAi.ChatMessage("assistant", all), null, finish)),
                                usage, TaleInfo.of(deployment))
                        : new OpenAi.Completion(endpoint.idPrefix + id, endpoint.object, created, deployment.id(),
                                List.of(new OpenAi.CompletionChoice(0, all, null, finish)), usage, TaleInfo.of(deployment));
                if (!response.closed()) {
                    headers("application/json");
                    response.end(write(body));
                }
            }
            metrics.request(endpoint.path, deployment, ServingMetrics.Outcome.OK, System.nanoTime() - admitted);
            metrics.generated(deployment, result.tokens().length, result.runNanos());
        });
    }

    @Override
    public void failed(Throwable error) {
        loop.runOnContext(v -> {
            ApiError e = ApiError.of(error);
            metrics.request(endpoint.path, deployment, e.outcome(), System.nanoTime() - admitted);
            if (response.closed()) return;
            if (headersSent) {
                // The status is already 200: report the error as a last event, as OpenAI does.
                response.write("data: " + write(e.body()) + "\n\n");
                response.end("data: [DONE]\n\n");
            } else {
                CompletionRoutes.writeError(response, json, e);
            }
        });
    }

    private Object chunk(String piece, String finish, OpenAi.Usage usage) {
        TaleInfo tale = finish == null ? null : TaleInfo.of(deployment);
        if (endpoint == Endpoint.CHAT) {
            OpenAi.ChatMessage delta = piece == null ? new OpenAi.ChatMessage(null, null)
                    : new OpenAi.ChatMessage(headersSent ? null : "assistant", piece);
            return new OpenAi.ChatCompletionChunk(endpoint.idPrefix + id, endpoint.chunkObject, created, deployment.id(),
                    List.of(new OpenAi.ChatDeltaChoice(0, delta, null, finish)), usage, tale);
        }
        return new OpenAi.CompletionChunk(endpoint.idPrefix + id, endpoint.chunkObject, created, deployment.id(),
                List.of(new OpenAi.CompletionChoice(0, piece == null ? "" : piece, null, finish)), usage, tale);
    }

    private void send(Object chunk) {
        if (response.closed()) return;
        if (!headersSent) {
            headers("text/event-stream");
            response.putHeader("Cache-Control", "no-cache");
            response.setChunked(true);
        }
        response.write("data: " + write(chunk) + "\n\n");
    }

    private void headers(String contentType) {
        response.setStatusCode(200).putHeader("Content-Type", contentType);
        TaleHeaders.of(deployment).forEach(response::putHeader);
        headersSent = true;
    }

    private String write(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + body.getClass().getSimpleName(), e);
        }
    }
}
