package dev.lockscope.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.security.AccessPolicy;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import io.javalin.http.UnauthorizedResponse;

/**
 * The browser's side of the token: {@code GET /api/session} says whether one is needed and held;
 * {@code POST /api/login {"token": "..."}} exchanges it once for an HttpOnly, SameSite=Strict cookie, so the
 * token never appears in a URL or in page script.
 */
final class SessionRoutes implements RouteGroup {
    private final AccessPolicy access;

    SessionRoutes(AccessPolicy access) {
        this.access = access;
    }

    @Override
    public void addRoutes(RoutesConfig r) {
        r.get("/api/session", ctx -> ctx.json(Json.MAPPER.createObjectNode()
                .put("tokenRequired", access.tokenRequired())
                .put("authorised", access.apiAllowed(ctx.header("Authorization"), ctx.cookie(AccessPolicy.SESSION_COOKIE)))));
        r.post("/api/login", this::login);
    }

    private void login(Context ctx) throws Exception {
        JsonNode body = Json.MAPPER.readTree(ctx.body());
        String session = access.login(body == null ? null : body.path("token").asText(null));
        if (session == null) {
            throw new UnauthorizedResponse("wrong token");
        }
        Cookie cookie = new Cookie(AccessPolicy.SESSION_COOKIE, session);
        cookie.setHttpOnly(true);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setPath("/");
        ctx.cookie(cookie);
        ctx.json(Json.MAPPER.createObjectNode().put("authorised", true));
    }
}
