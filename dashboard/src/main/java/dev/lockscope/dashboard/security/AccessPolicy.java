package dev.lockscope.dashboard.security;

import dev.lockscope.protocol.Protocol;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may talk to the dashboard. Pure decisions, no I/O, so each rule is tested directly.
 *
 * <ul>
 *   <li>Host: on a loopback-only dashboard the {@code Host} header must name loopback, which defeats DNS
 *       rebinding (a foreign name that resolves to 127.0.0.1 still carries its own name).</li>
 *   <li>Origin: when a browser sends one, it must be this dashboard's own origin.</li>
 *   <li>Token: when configured, agents send it as a bearer header; a browser exchanges it once for a random
 *       session cookie (HttpOnly, SameSite=Strict). Compared in constant time, never logged.</li>
 * </ul>
 */
public final class AccessPolicy {
    public static final String SESSION_COOKIE = "lockscope_session";
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "::1", "[::1]");

    private final String token;
    private final boolean loopbackOnly;
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();
    private final SecureRandom random = new SecureRandom();

    public AccessPolicy(String token, boolean loopbackOnly) {
        this.token = token;
        this.loopbackOnly = loopbackOnly;
    }

    public boolean tokenRequired() {
        return token != null;
    }

    /** Null when the Host header is acceptable, otherwise why not. */
    public String hostRefusal(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return "missing Host header";
        }
        if (!loopbackOnly) {
            return null; // reachable by other names; the token guards it
        }
        String name = hostName(hostHeader);
        if (LOOPBACK_NAMES.contains(name) || name.startsWith("127.")) {
            return null;
        }
        return "Host '" + hostHeader + "' is not this dashboard (it serves loopback only)";
    }

    /** Null when {@code origin} is absent (not a browser) or this dashboard's own; otherwise why not. */
    public String originRefusal(String origin, String hostHeader) {
        if (origin == null) {
            return null;
        }
        try {
            URI o = URI.create(origin);
            String authority = o.getRawAuthority();
            if (authority != null && hostHeader != null && authority.equalsIgnoreCase(hostHeader)
                    && ("http".equals(o.getScheme()) || "https".equals(o.getScheme()))) {
                return null;
            }
        } catch (IllegalArgumentException e) {
            // fall through: unparseable origins are foreign
        }
        return "cross-origin request from '" + origin + "' refused";
    }

    /** Null when an agent with these headers may connect. Browsers (which send Origin) may not. */
    public String agentRefusal(String authorization, String origin, String hostHeader) {
        if (origin != null) {
            return "the agent endpoint does not accept browser connections";
        }
        if (token == null) {
            return null;
        }
        if (authorization == null || !authorization.startsWith(Protocol.TOKEN_SCHEME)) {
            return "this dashboard requires a token (agent option token=...)";
        }
        return tokenMatches(authorization.substring(Protocol.TOKEN_SCHEME.length())) ? null : "wrong token";
    }

    /** Whether an API request with this bearer header or session cookie is authorised. */
    public boolean apiAllowed(String authorization, String sessionCookie) {
        if (token == null) {
            return true;
        }
        if (authorization != null && authorization.startsWith(Protocol.TOKEN_SCHEME)
                && tokenMatches(authorization.substring(Protocol.TOKEN_SCHEME.length()))) {
            return true;
        }
        return sessionCookie != null && sessions.contains(sessionCookie);
    }

    /** Exchanges a correct token for a new session id; null if the token is wrong. */
    public String login(String presented) {
        if (token == null || presented == null || !tokenMatches(presented)) {
            return null;
        }
        byte[] b = new byte[32];
        random.nextBytes(b);
        String session = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        sessions.add(session);
        return session;
    }

    private boolean tokenMatches(String presented) {
        return MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    static String hostName(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(1, end) : h;
        }
        int colon = h.lastIndexOf(':');
        return colon >= 0 && h.indexOf(':') == colon ? h.substring(0, colon) : h;
    }
}
