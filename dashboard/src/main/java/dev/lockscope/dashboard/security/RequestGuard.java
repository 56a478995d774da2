package dev.lockscope.dashboard.security;

import dev.lockscope.protocol.Protocol;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;
import io.javalin.http.UnauthorizedResponse;
import java.util.Map;

/**
 * Runs before every HTTP request: sets the security headers, then applies {@link AccessPolicy}. Requests
 * that change anything must be POSTs with a JSON body, which a foreign page cannot send without a CORS
 * preflight that this server never approves.
 */
public final class RequestGuard {
    /** Scripts and styles only from this origin, nothing inline, no framing. */
    public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /** Prometheus scrapes this; it carries the same data as the API, so it needs the same token. */
    static final String METRICS_PATH = "/metrics";

    /** Sent with every response, including the errors Jetty answers itself ({@link JsonErrorHandler}). */
    static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", CSP,
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "X-Frame-Options", "DENY");

    private final AccessPolicy policy;

    public RequestGuard(AccessPolicy policy) {
        this.policy = policy;
    }

    public void handle(Context ctx) {
        SECURITY_HEADERS.forEach(ctx::header);
        if (ctx.path().equals(Protocol.AGENT_PATH)) {
            return; // the agent endpoint applies its own policy on connect
        }
        String host = ctx.header("Host");
        String refusal = policy.hostRefusal(host);
        if (refusal == null) {
            refusal = policy.originRefusal(ctx.header("Origin"), host);
        }
        if (refusal == null && "cross-site".equals(ctx.header("Sec-Fetch-Site"))) {
            refusal = "cross-site request refused";
        }
        if (refusal != null) {
            throw new ForbiddenResponse(refusal, Map.of());
        }
        boolean changes = ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD
                && ctx.method() != HandlerType.OPTIONS;
        if (changes) {
            String type = ctx.contentType();
            if (type == null || !type.toLowerCase().startsWith("application/json")) {
                throw new ForbiddenResponse("requests that change state must send Content-Type: application/json", Map.of());
            }
        }
        boolean guarded = ctx.path().startsWith("/api/") && !ctx.path().equals("/api/login") && !ctx.path().equals("/api/session")
                || ctx.path().equals(METRICS_PATH);
        if (guarded) {
            ctx.header("Cache-Control", "no-store");
            if (!policy.apiAllowed(ctx.header("Authorization"), ctx.cookie(AccessPolicy.SESSION_COOKIE))) {
                throw new UnauthorizedResponse("token required: POST it to /api/login or send Authorization: Bearer", Map.of());
            }
        }
    }
}
